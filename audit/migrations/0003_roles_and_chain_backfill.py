"""Gives the centre head and the auditor their audit permissions, and chains the rows written before the chain.

Status changes and access-log entries that exist already are chained oldest first, so `verify_audit` can vouch for
them from now on (it cannot vouch for what happened to them before this migration ran). A fresh database has none.
The roles' data migration lives here rather than in accounts/ so it depends on the permission it grants.
"""

import heapq

from django.db import migrations
from django.utils import timezone

BATCH = 1000


def sync(apps, schema_editor):
    from inclusion_centre.accounts.roles import sync_roles

    sync_roles(apps)


def backfill(apps, schema_editor):
    from audit.canonical import GENESIS_HASH, canonical_json, entry_hash, record_content, sha256_hex

    StatusChange = apps.get_model("audit", "StatusChange")
    AccessLog = apps.get_model("audit", "AccessLog")
    Entry = apps.get_model("audit", "AuditChainEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not (StatusChange.objects.exists() or AccessLog.objects.exists()) or Entry.objects.exists():
        return

    def rows(model, kind):
        content_type, _created = ContentType.objects.get_or_create(app_label="audit", model=model._meta.model_name)
        label = f"audit.{model._meta.model_name}"
        for row in model.objects.order_by("created_at", "pk").iterator(chunk_size=BATCH):
            yield row.created_at, kind, row.pk, row, content_type, label

    merged = heapq.merge(
        rows(StatusChange, "status_change"), rows(AccessLog, "access"), key=lambda item: (item[0], item[1], item[2])
    )
    seq, prev_hash, now, pending = 0, GENESIS_HASH, timezone.now(), []
    for _when, kind, pk, row, content_type, label in merged:
        seq += 1
        content = canonical_json(record_content(row))
        content_hash = sha256_hex(content)
        this_hash = entry_hash(
            seq=seq,
            kind=kind,
            source=label,
            source_id=pk,
            created_at=now,
            content_hash=content_hash,
            prev_hash=prev_hash,
        )
        pending.append(
            Entry(
                seq=seq,
                kind=kind,
                source_type=content_type,
                source_id=pk,
                content=content,
                content_hash=content_hash,
                prev_hash=prev_hash,
                entry_hash=this_hash,
                created_at=now,
            )
        )
        prev_hash = this_hash
        if len(pending) >= BATCH:
            Entry.objects.bulk_create(pending)
            pending = []
    Entry.objects.bulk_create(pending)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_access_subject_and_chain"),
        ("accounts", "0006_user_roles_history"),
    ]

    operations = [
        migrations.RunPython(sync, migrations.RunPython.noop),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
