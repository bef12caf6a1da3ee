"""Chains the registered documents and stored PDFs written before registration joined the audit chain.

From then on `documents.services` chains each registration and each stored PDF as it is written; `verify_audit`
requires an entry for every row of both (documents/apps.py), so the rows that exist already are chained here,
oldest first, after the current head. What the entries hold mirrors `audit_chain_content()` of the two models.
A fresh database has none.
"""

from django.db import migrations
from django.utils import timezone


def _document(row) -> dict:
    return {
        "public_id": row.public_id,
        "document_type": row.document_type,
        "source": [row.content_type_id, row.object_id],
        "number": row.number,
        "registered_on": row.registered_on,
        "version": row.version,
        "verification_token": row.verification_token,
    }


def _file(row) -> dict:
    return {"document": row.document_id, "language": row.language, "sha256": row.sha256, "size": row.size}


def chain_existing(apps, schema_editor):
    from audit.canonical import GENESIS_HASH, canonical_json, entry_hash, plain, sha256_hex
    from audit.services import _lock_chain

    Entry = apps.get_model("audit", "AuditChainEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    sources = [
        (apps.get_model("documents", "RegisteredDocument"), "registereddocument", _document),
        (apps.get_model("documents", "RegisteredFile"), "registeredfile", _file),
    ]
    _lock_chain()
    head = Entry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
    seq, prev_hash = head if head else (0, GENESIS_HASH)
    now = timezone.now()
    for model, name, content_of in sources:
        content_type, _created = ContentType.objects.get_or_create(app_label="documents", model=name)
        chained = Entry.objects.filter(source_type=content_type).values("source_id")
        for row in model.objects.exclude(pk__in=chained).order_by("pk").iterator(chunk_size=1000):
            seq += 1
            content = canonical_json(plain(content_of(row)))
            content_hash = sha256_hex(content)
            this_hash = entry_hash(
                seq=seq,
                kind="document_registration",
                source=f"documents.{name}",
                source_id=row.pk,
                created_at=now,
                content_hash=content_hash,
                prev_hash=prev_hash,
            )
            Entry.objects.create(
                seq=seq,
                kind="document_registration",
                source_type=content_type,
                source_id=row.pk,
                content=content,
                content_hash=content_hash,
                prev_hash=prev_hash,
                entry_hash=this_hash,
                created_at=now,
            )
            prev_hash = this_hash


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0005_retention"),
        ("audit", "0003_roles_and_chain_backfill"),
    ]

    operations = [migrations.RunPython(chain_existing, migrations.RunPython.noop)]
