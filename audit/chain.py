"""The tamper-evident chain: what a chained record's content is, and the check behind `manage.py verify_audit`.

Each `AuditChainEntry` stores the canonical JSON of its source (a row, or a payload), the SHA-256 of that JSON, the
hash of the entry before it and its own hash over all of these. Editing a chained row changes its canonical JSON;
editing, deleting or reordering entries breaks the sequence or the links. What the chain cannot show by itself
is a rewrite of the whole tail by someone who recomputes every hash: keep the head that `verify_audit` prints
somewhere else (a printed report, an e-mail to the DPO) and pass it back with `--anchor` to rule that out.

Writes live in `audit.services.chain_append`, the canonical form in `audit.canonical`; this module only reads.
"""

import json
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from .canonical import (
    GENESIS_HASH,
    canonical_json,
    chains_whole_row,
    column_names,
    entry_hash,
    record_content,
    sha256_hex,
    source_label,
    values_content,
)
from .models import AuditChainEntry

# Sources every row of which must be chained: a row of these without an entry means its entry was deleted. Apps
# above audit add theirs with `require_chained` from AppConfig.ready() (documents: registrations and stored PDFs).
FULLY_CHAINED = ["audit.StatusChange", "audit.AccessLog"]


def require_chained(model_label: str) -> None:
    """Have verify_chain require an entry for every row of the model "app_label.ModelName"."""
    if model_label not in FULLY_CHAINED:
        FULLY_CHAINED.append(model_label)


# --- Verification -----------------------------------------------------------------------------------------------


@dataclass
class Problem:
    seq: int | None
    message: str


@dataclass
class ChainReport:
    checked: int
    head_seq: int
    head_hash: str
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _describe(model, pk) -> str:
    return f"{model._meta.verbose_name} {pk}" if model is not None else str(pk)


ENTRY_COLUMNS = (
    "seq",
    "kind",
    "source_type_id",
    "source_id",
    "content",
    "content_hash",
    "prev_hash",
    "entry_hash",
    "created_at",
)


def _current_contents(entries) -> dict[tuple[int, int], dict]:
    """The current content of the source rows of a batch of entries: one query per type of source, none per
    entry, and no model instances for models chained column by column."""
    wanted: dict[int, list[int]] = {}
    for entry in entries:
        if entry.source_type_id is not None:
            wanted.setdefault(entry.source_type_id, []).append(entry.source_id)
    found = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        rows = model._base_manager.filter(pk__in=ids)
        if chains_whole_row(model):
            pk_name = model._meta.pk.attname
            for values in rows.values(*column_names(model)):
                found[(type_id, values[pk_name])] = values_content(model, values)
        else:
            for row in rows:
                found[(type_id, row.pk)] = record_content(row)
    return found


def _check_entry(entry, expected_seq: int, prev_hash: str, contents) -> Problem | None:
    if entry.seq != expected_seq:
        return Problem(
            expected_seq,
            _("Entry %(seq)s is missing: the chain jumps from entry %(before)s to entry %(after)s.")
            % {"seq": expected_seq, "before": expected_seq - 1, "after": entry.seq},
        )
    if entry.prev_hash != prev_hash:
        return Problem(
            entry.seq,
            _(
                "Entry %(seq)s does not follow entry %(before)s: entries were removed, inserted or reordered, "
                "or entry %(before)s was edited."
            )
            % {"seq": entry.seq, "before": entry.seq - 1},
        )
    content_type = ContentType.objects.get_for_id(entry.source_type_id) if entry.source_type_id else None
    recomputed = entry_hash(
        seq=entry.seq,
        kind=entry.kind,
        source=source_label(content_type),
        source_id=entry.source_id,
        created_at=entry.created_at,
        content_hash=entry.content_hash,
        prev_hash=entry.prev_hash,
    )
    if sha256_hex(entry.content) != entry.content_hash or recomputed != entry.entry_hash:
        return Problem(entry.seq, _("Entry %(seq)s was edited: its hashes do not match it.") % {"seq": entry.seq})
    if content_type is None:
        return None
    current = contents.get((entry.source_type_id, entry.source_id))
    if current is None:
        return Problem(
            entry.seq,
            _("Entry %(seq)s: its source record (%(what)s) was deleted.")
            % {"seq": entry.seq, "what": _describe(content_type.model_class(), entry.source_id)},
        )
    # Only the columns that existed when the row was chained: a column added later is not part of the proof.
    stored = json.loads(entry.content)
    if set(stored) - set(current) or canonical_json({key: current[key] for key in stored}) != entry.content:
        return Problem(
            entry.seq,
            _("Entry %(seq)s: its source record (%(what)s) was changed after it was chained.")
            % {"seq": entry.seq, "what": _describe(content_type.model_class(), entry.source_id)},
        )
    return None


def _unchained_row() -> Problem | None:
    for label in FULLY_CHAINED:
        model = apps.get_model(label)
        content_type = ContentType.objects.get_for_model(model)
        chained = AuditChainEntry.objects.filter(source_type=content_type, source_id=OuterRef("pk"))
        pk = model._base_manager.filter(~Exists(chained)).order_by("pk").values_list("pk", flat=True).first()
        if pk is not None:
            return Problem(
                None,
                _(
                    "%(what)s has no entry in the chain: its entry was deleted, or the row was written around "
                    "the audit services."
                )
                % {"what": _describe(model, pk)},
            )
    return None


def verify_chain(*, anchor: tuple[int, str] | None = None, batch_size: int = 2000) -> ChainReport:
    """Walk the whole chain from the first entry, recomputing every hash from the current rows.

    Returns a report naming the first problem found (or none). Reads in batches of `batch_size` entries with one
    query per batch and one per type of source in it, so memory and query count do not grow with the chain.
    `anchor` is (seq, entry hash) as an earlier run printed it: the chain must still contain exactly that entry.
    """
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    last_seq = 0
    while True:
        batch = list(
            AuditChainEntry.objects.filter(seq__gt=last_seq)
            .order_by("seq")
            .values_list(*ENTRY_COLUMNS, named=True)[:batch_size]
        )
        if not batch:
            break
        contents = _current_contents(batch)
        for entry in batch:
            problem = _check_entry(entry, expected_seq, prev_hash, contents)
            if problem is not None:
                return ChainReport(checked, expected_seq - 1, prev_hash, problem)
            prev_hash, expected_seq, checked = entry.entry_hash, expected_seq + 1, checked + 1
        last_seq = batch[-1].seq
    report = ChainReport(checked, expected_seq - 1, prev_hash)
    report.problem = _unchained_row()
    if report.problem is None and anchor is not None:
        seq, entry_hash = anchor
        if report.head_seq < seq:
            report.problem = Problem(
                seq,
                _(
                    "Entry %(seq)s does not match the anchor: the chain ends at entry %(head)s, so entries were "
                    "deleted from its end."
                )
                % {"head": report.head_seq, "seq": seq},
            )
        elif not AuditChainEntry.objects.filter(seq=seq, entry_hash=entry_hash).exists():
            report.problem = Problem(
                seq,
                _("Entry %(seq)s does not match the anchor: the chain was cut short or rewritten after it.")
                % {"seq": seq},
            )
    return report


def confirmed_by_chain(rows) -> set[int]:
    """The primary keys of `rows` (saved rows of one model) whose chain entry exists, is consistent in itself, is
    followed by the entry after it (or is the head), and still matches the row as it is now.

    For pages that vouch for one record (the public verification page) without walking the whole chain: a row
    edited in the database, or an entry edited to match it, is not confirmed. Rewriting the whole tail after the
    entry is what `verify_audit` with the anchor finds. Three queries whatever the number of rows.
    """
    rows = list(rows)
    if not rows:
        return set()
    content_type = ContentType.objects.get_for_model(type(rows[0]))
    entries = {
        entry.source_id: entry
        for entry in AuditChainEntry.objects.filter(
            source_type=content_type, source_id__in=[r.pk for r in rows]
        ).values_list(*ENTRY_COLUMNS, named=True)
    }
    following = dict(
        AuditChainEntry.objects.filter(seq__in=[e.seq + 1 for e in entries.values()]).values_list("seq", "prev_hash")
    )
    head = AuditChainEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    confirmed = set()
    for row in rows:
        entry = entries.get(row.pk)
        if (
            entry is None
            or following.get(entry.seq + 1, entry.entry_hash if entry.seq == head else None) != entry.entry_hash
        ):
            continue
        contents = {(entry.source_type_id, entry.source_id): record_content(row)}
        if _check_entry(entry, entry.seq, entry.prev_hash, contents) is None:
            confirmed.add(row.pk)
    return confirmed
