"""Writes of the audit trail: status changes, access-log entries, and the hash chain over them."""

import datetime
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import signals
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from inclusion_centre.accounts.roles import Role
from inclusion_centre.client_address import client_address
from inclusion_centre.history import acting_as

from .canonical import GENESIS_HASH, canonical_json, plain, record_content, sha256_hex, source_label
from .models import AccessLog, AuditChainEntry, Disclosure, StatusChange

# Any fixed number: the key of the PostgreSQL advisory lock that makes appends to the chain one at a time.
CHAIN_LOCK_KEY = 0x6175_6469_7463_6861  # "auditcha"


def _lock_chain() -> None:
    # pg_advisory_xact_lock waits for any other appending transaction to commit and is released with ours. The
    # head is read by the next statement, which under READ COMMITTED sees what the previous holder committed.
    # Other databases have no such lock: SQLite lets one writer at a time anyway, and on any database the unique
    # sequence number refuses a second entry with the same number rather than letting the chain fork.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def chain_append(*, kind: str, obj_or_payload: models.Model | Mapping, lock_held: bool = False) -> AuditChainEntry:
    """Append one entry to the tamper-evident audit chain and return it.

    `kind` is an `AuditChainEntry.Kind` value; document registrations use `Kind.DOCUMENT_REGISTRATION`.
    `obj_or_payload` is either
      - a saved model instance (integer primary key): its current column values are chained, and
        `manage.py verify_audit` later recomputes them from the row, so any edit or deletion of the row is found.
        The row must not change afterwards; a model whose row may (a registered document that later records who
        superseded it) defines `audit_chain_content()` returning a dict of the columns that are frozen. Each row
        can be chained once; or
      - a mapping of JSON-able values (str, numbers, dates, UUIDs, lists, dicts): facts to freeze that have no
        row of their own. Only the entry's own hashes protect them.

    Call it inside the transaction that writes the source row, as the last write if you can: the chain's lock
    is held from here until that transaction commits, and every other audited event waits for it. Costs two
    statements on PostgreSQL (the lock; an insert that reads the head), three elsewhere (lock, read of the head,
    insert). Raises TypeError for a value that cannot be chained and ValueError for an unknown kind or an unsaved
    instance.

    `lock_held=True` says that an earlier statement of the running transaction already took the chain's lock (see
    `_insert_taking_chain_lock`), which saves its statement. It must be an earlier statement, never this one's:
    under READ COMMITTED a statement sees what was committed when it started, so the insert that reads the head
    has to start after the lock was granted to see the previous holder's entry.

        with transaction.atomic():
            document = RegisteredDocument.objects.create(...)
            chain_append(kind=AuditChainEntry.Kind.DOCUMENT_REGISTRATION, obj_or_payload=document)
    """
    if kind not in AuditChainEntry.Kind.values:
        raise ValueError(f"Unknown kind of audit chain entry: {kind!r}")
    source_type, source_id, content = _chained_content(obj_or_payload)
    # savepoint=False: no extra round trips inside the caller's transaction; a transaction of its own otherwise.
    with transaction.atomic(savepoint=False):
        if not lock_held:
            _lock_chain()
        if connection.vendor == "postgresql":
            return _insert_after_head(kind, source_type, source_id, content)
        return _save_after_head(kind, source_type, source_id, content)


def _chained_content(obj_or_payload: models.Model | Mapping) -> tuple:
    """(source content type, source id, canonical JSON) of what chain_append chains: a saved row's frozen
    columns, or a mapping's values (no source)."""
    if isinstance(obj_or_payload, models.Model):
        if obj_or_payload.pk is None:
            raise ValueError("Only saved rows can be chained.")
        source_type = ContentType.objects.get_for_model(obj_or_payload)
        return source_type, obj_or_payload.pk, canonical_json(record_content(obj_or_payload))
    if isinstance(obj_or_payload, Mapping):
        return None, None, canonical_json(plain(obj_or_payload))
    raise TypeError("Chain a saved model instance or a mapping of values.")


def _save_after_head(kind: str, source_type, source_id, content: str) -> AuditChainEntry:
    """Other databases, under the chain's lock: read the head, then save the entry after it (two statements)."""
    head = AuditChainEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
    seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    entry = AuditChainEntry(
        seq=seq,
        kind=kind,
        source_type=source_type,
        source_id=source_id,
        content=content,
        content_hash=sha256_hex(content),
        prev_hash=prev_hash,
        created_at=timezone.now(),
    )
    entry.entry_hash = entry.compute_hash(source_label(source_type))
    entry.save(force_insert=True)
    return entry


def _insert_after_head_sql() -> str:
    """The INSERT ... SELECT of _insert_after_head: its parameters are kind, source type id, source id, content,
    content hash, the JSON header's middle, created_at and the genesis hash."""
    table = connection.ops.quote_name(AuditChainEntry._meta.db_table)
    # The table name is the model's; every value is a parameter.
    return (
        f"INSERT INTO {table} (seq, kind, source_type_id, source_id, content, content_hash, prev_hash,"  # noqa: S608
        " entry_hash, created_at)"
        " SELECT head.seq, %s, %s, %s, %s, %s, head.prev,"
        " encode(sha256(convert_to('[' || head.seq::text || ',' || %s || ',\"' || head.prev || '\"]', 'UTF8')),"
        " 'hex'), %s"
        " FROM (SELECT COALESCE(last.seq, 0) + 1 AS seq, COALESCE(last.entry_hash, %s) AS prev"
        f" FROM (SELECT 1) AS one LEFT JOIN (SELECT seq, entry_hash FROM {table} ORDER BY seq DESC LIMIT 1) AS last"
        " ON TRUE) AS head"
        " RETURNING seq, prev_hash, entry_hash"
    )


def _insert_after_head(kind: str, source_type, source_id, content: str) -> AuditChainEntry:
    """PostgreSQL, under the chain's lock: read the head and insert the entry after it in one statement.

    The INSERT ... SELECT reads the head itself (a statement after the lock's, so it sees what the previous holder
    committed) and computes the entry's hash with the database's sha256() over the same JSON header as
    canonical.entry_hash: `[seq, kind, source, source_id, created_at, content_hash, prev_hash]`, of which only seq
    and prev_hash come from the head. The hash is checked again in Python before the transaction can commit."""
    created_at = timezone.now()
    content_hash = sha256_hex(content)
    source = source_label(source_type)
    middle = json.dumps(
        [kind, source, source_id, created_at.astimezone(datetime.UTC).isoformat(), content_hash],
        separators=(",", ":"),
        ensure_ascii=False,
    )[1:-1]
    sql = _insert_after_head_sql()
    params = [
        kind,
        source_type.pk if source_type else None,
        source_id,
        content,
        content_hash,
        middle,
        created_at,
        GENESIS_HASH,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        seq, prev_hash, stored_hash = cursor.fetchone()
    entry = AuditChainEntry(
        seq=seq,
        kind=kind,
        source_type=source_type,
        source_id=source_id,
        content=content,
        content_hash=content_hash,
        prev_hash=prev_hash,
        entry_hash=stored_hash,
        created_at=created_at,
    )
    entry._state.adding = False
    entry._state.db = connection.alias
    if entry.compute_hash(source) != stored_hash:
        raise RuntimeError("The audit chain entry's hash computed by the database differs from canonical.entry_hash.")
    return entry


def record_status_change(
    *, obj: models.Model, from_status: str, to_status: str, actor, comment: str = ""
) -> StatusChange:
    with transaction.atomic(savepoint=False), acting_as(actor):
        change = StatusChange.objects.create(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            comment=comment,
        )
        chain_append(kind=AuditChainEntry.Kind.STATUS_CHANGE, obj_or_payload=change)
    return change


# Foreign keys followed, in this order, from a read object to the student whose file it belongs to.
_TOWARDS_STUDENT = ("student", "application", "assignment", "assessment", "conclusion", "route", "document")


def subject_student_id(obj: models.Model | None, depth: int = 0) -> int | None:
    """The id of the student whose personal file `obj` belongs to, or None.

    A model says it itself with an `audit_subject_student_id` attribute (or property); otherwise the first of
    the foreign keys in _TOWARDS_STUDENT that it has is followed (application → student, conclusion →
    application → student, assessment → assignment → application → student …). Related rows already loaded
    with select_related cost nothing; each one not loaded costs a query.
    """
    if obj is None or depth > 4:
        return None
    if hasattr(type(obj), "audit_subject_student_id"):
        return obj.audit_subject_student_id
    if obj._meta.label == "students.Student":
        return obj.pk
    for name in _TOWARDS_STUDENT:
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if not (field.many_to_one or field.one_to_one) or field.auto_created:
            continue
        if field.related_model._meta.label == "students.Student":
            return getattr(obj, field.attname)
        try:
            return subject_student_id(getattr(obj, name), depth + 1)
        except ObjectDoesNotExist:
            return None
    return None


def _insert_taking_chain_lock(instance: models.Model) -> None:
    """Insert a new row like `instance.save(force_insert=True)`, taking the chain's lock in the same statement.

    On PostgreSQL the row is written by `INSERT ... SELECT ... FROM (SELECT pg_advisory_xact_lock(...))`, one
    statement instead of two; the pre_save and post_save signals are sent as save() sends them (the history row is
    written by the latter). The caller appends to the chain in a later statement with `lock_held=True`. Elsewhere
    (no advisory locks) this is a plain save and the lock is taken by chain_append as usual: call it then without
    `lock_held`, which `takes_lock_with_insert()` tells.

    It re-implements the insert of `Model.save()` and so relies on Django's private or undocumented names, each
    checked by tests/audit/test_private_apis.py: `Options.local_concrete_fields` and `Options.auto_field`,
    `Field.pre_save(instance, add)`, `Field.get_db_prep_save(value, connection)`, `Field.cast_db_type(connection)`,
    `instance._state.adding` / `._state.db`, and the arguments `Model.save_base()` sends pre_save and post_save with.
    """
    model = type(instance)
    using = connection.alias
    signals.pre_save.send(sender=model, instance=instance, raw=False, using=using, update_fields=None)
    meta = model._meta
    fields = [field for field in meta.local_concrete_fields if field is not meta.auto_field]
    values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    quote = connection.ops.quote_name
    # Every value is a parameter, cast to its column's type (a bare NULL or string in a SELECT list is text).
    columns = ", ".join(quote(field.column) for field in fields)
    selected = ", ".join(f"CAST(%s AS {field.cast_db_type(connection)})" for field in fields)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) SELECT {selected}"  # noqa: S608 -- the model's names
        f" FROM (SELECT pg_advisory_xact_lock(%s)) AS chain_lock RETURNING {quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, CHAIN_LOCK_KEY])
        instance.pk = cursor.fetchone()[0]
    instance._state.adding = False
    instance._state.db = using
    signals.post_save.send(sender=model, instance=instance, created=True, update_fields=None, raw=False, using=using)


def takes_lock_with_insert() -> bool:
    return connection.vendor == "postgresql"


def log_access(
    *, request, action: str, obj: models.Model | None = None, student_ids=None, reason: str = ""
) -> AccessLog:
    """Record that request.user read something sensitive (or was refused it), and chain the entry.

    Stores who, the roles they held at that moment, what (the object), whose file it belongs to (see
    `subject_student_id`: the student is shown who opened their file), the path and the client address.

    A record about several students (a team meeting, its protocol) belongs to no one personal file: pass
    `student_ids`, the students whose questions the reader saw, and one entry is written per student, so each of
    them sees the read among who opened their file; an empty `student_ids` writes one entry without a student.
    `reason` is what the reader said they needed it for, where a read requires one. Returns the first entry written.
    """
    user = request.user if request.user.is_authenticated else None
    subjects = [subject_student_id(obj)] if student_ids is None else sorted(set(student_ids)) or [None]
    content_type = ContentType.objects.get_for_model(obj) if obj is not None else None
    entries = []
    # On PostgreSQL the first entry's insert takes the chain's lock (one statement fewer per read); the lock is
    # held until the transaction ends, so the later appends need not take it again.
    lock_held = False
    with transaction.atomic(savepoint=False), acting_as(user):
        for student_id in subjects:
            entry = AccessLog(
                user=user,
                roles=",".join(sorted(user.role_names)) if user else "",
                action=action,
                content_type=content_type,
                object_id=obj.pk if obj is not None else None,
                student_id=student_id,
                path=request.path[:300],
                ip_address=client_address(request),
                reason=reason[:500],
            )
            if not lock_held and takes_lock_with_insert():
                _insert_taking_chain_lock(entry)
                lock_held = True
            else:
                entry.save(force_insert=True)
            chain_append(kind=AuditChainEntry.Kind.ACCESS, obj_or_payload=entry, lock_held=lock_held)
            entries.append(entry)
    return entries[0]


ANCHOR_LINE = "{when} audit chain head {seq}:{hash}\n"


def publish_chain_head() -> tuple[int, str] | None:
    """Publish the chain's head outside the database and return it as (seq, hash); None for an empty chain.

    Appends a printed line to `settings.AUDIT_ANCHOR_FILE` (verify_audit checks the chain against its newest line)
    and queues, through the outbox, an e-mail with the same line to every active auditor. Deleting the newest
    entries together with their rows, or every entry, is then found: the chain no longer holds the published head.
    """
    from inclusion_centre.accounts.models import User  # below audit; imported here to keep audit's import light
    from inclusion_centre.accounts.notifications import notify
    from inclusion_centre.accounts.roles import Role

    head = AuditChainEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
    if head is None:
        return None
    seq, head_hash = head
    line = ANCHOR_LINE.format(when=timezone.now().isoformat(timespec="seconds"), seq=seq, hash=head_hash)
    path = settings.AUDIT_ANCHOR_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as anchor_file:
        anchor_file.write(line)
        anchor_file.flush()
        os.fsync(anchor_file.fileno())
    for auditor in User.objects.filter(groups__name=Role.AUDITOR.value, is_active=True).distinct():
        notify(
            recipient=auditor,
            kind="audit_chain_head",
            subject=gettext_noop("Today's head of the audit chain"),
            body=gettext_noop(
                "Keep this line outside the system (print it or file this e-mail): %(anchor)s. If the chain no "
                "longer holds it, records were deleted or rewritten: manage.py verify_audit --anchor %(anchor)s"
            ),
            dedup_key=f"audit_chain_head:{seq}:{head_hash}:{auditor.pk}",
            context={"anchor": f"{seq}:{head_hash}"},
        )
    return seq, head_hash


def read_anchor(path) -> tuple[int, str] | None:
    """The newest head in an anchor file, or None when the file does not exist. Raises ValueError for a file
    that exists but holds no head (emptied or overwritten: a reason to doubt the chain, not to skip the check)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    found = re.findall(r"\b(\d+):([0-9a-f]{64})\b", text)
    if not found:
        raise ValueError(f"{path} holds no audit chain head.")
    seq, head_hash = found[-1]
    return int(seq), head_hash


# --- The register of disclosures (regulation §10.3) -------------------------------------------------------------

DISCLOSURE_TEXT_MAX = 1000
DISCLOSURE_RECORDERS = (Role.CENTRE_HEAD, Role.SPECIALIST)


def _check_disclosure(*, recipient: str, categories: list[str], ground: str, ground_text: str, disclosed_on) -> None:
    problems = {}
    if not recipient:
        problems["recipient"] = _("Name the organisation or person who received the data.")
    if not categories or any(code not in Disclosure.Category.values for code in categories):
        problems["categories"] = _("Choose what data was disclosed.")
    if ground not in Disclosure.Ground.values:
        problems["ground"] = _("Choose the legal ground.")
    elif ground == Disclosure.Ground.OTHER and not ground_text:
        problems["ground_text"] = _("Describe the legal ground.")
    if disclosed_on is None or disclosed_on > timezone.localdate():
        problems["disclosed_on"] = _("Enter the date of the disclosure: today or earlier.")
    if problems:
        raise ValidationError(problems, code="invalid_disclosure")


@transaction.atomic
def disclosure_record(
    *,
    actor,
    student,
    recipient: str,
    categories: list[str],
    ground: str,
    disclosed_on: datetime.date,
    ground_text: str = "",
    details: str = "",
) -> Disclosure:
    """Record a disclosure of `student`'s personal data. PermissionDenied unless the actor is centre staff
    (audit.selectors.can_record_disclosure); ValidationError on the fields."""
    if not any(actor.has_role(role) for role in DISCLOSURE_RECORDERS):
        raise PermissionDenied
    recipient, ground_text, details = recipient.strip(), ground_text.strip(), details.strip()
    _check_disclosure(
        recipient=recipient, categories=categories, ground=ground, ground_text=ground_text, disclosed_on=disclosed_on
    )
    with acting_as(actor):
        return Disclosure.objects.create(
            student=student,
            recipient=recipient[:300],
            categories=sorted(set(categories)),
            details=details[:DISCLOSURE_TEXT_MAX],
            ground=ground,
            ground_text=ground_text[:DISCLOSURE_TEXT_MAX],
            disclosed_on=disclosed_on,
            recorded_by=actor,
        )
