"""The tamper-evident chain: every audited event is one linked entry, and any edit, deletion or reordering of an
entry or of the row it covers is found by `verify_audit`, which names the first bad entry."""

import datetime
import importlib
import io
import itertools

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.canonical import source_label
from audit.chain import verify_chain
from audit.models import AccessLog, AuditChainEntry, StatusChange
from audit.services import chain_append, log_access, record_status_change
from students.models import Application

pytestmark = pytest.mark.django_db

KIND = AuditChainEntry.Kind


def _request(rf, user, address="192.0.2.10"):
    request = rf.get("/applications/00000000-0000-0000-0000-000000000000/", REMOTE_ADDR=address)
    request.user = user
    return request


@pytest.fixture
def events(rf, registered, centre_head, auditor):
    """A case with its moves chained, then three reads of it chained after them."""
    for user in (centre_head, auditor, centre_head):
        log_access(request=_request(rf, user), action=AccessLog.Action.VIEW_CASE, obj=registered)
    return list(AuditChainEntry.objects.order_by("seq"))


def _verify():
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def _broken() -> str:
    with pytest.raises(CommandError) as raised:
        call_command("verify_audit", stdout=io.StringIO())
    assert raised.value.returncode == 1
    return str(raised.value)


def test_every_status_change_and_access_is_one_linked_entry(events):
    assert [entry.seq for entry in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == "0" * 64
    assert all(later.prev_hash == earlier.entry_hash for earlier, later in itertools.pairwise(events))
    assert StatusChange.objects.count() == sum(1 for e in events if e.kind == KIND.STATUS_CHANGE)
    assert AccessLog.objects.count() == sum(1 for e in events if e.kind == KIND.ACCESS) == 3
    report = verify_chain()
    assert report.ok, report.problem
    assert report.checked == len(events)
    assert f"{len(events)} entries checked" in _verify()


def test_an_edited_access_log_entry_is_found_and_named(events):
    target = [e for e in events if e.kind == KIND.ACCESS][1]
    AccessLog.objects.filter(pk=target.source_id).update(ip_address="198.51.100.7")
    message = _broken()
    assert f"Entry {target.seq}:" in message
    assert f"access log entry {target.source_id}" in message
    assert "changed after it was chained" in message


def test_an_edited_status_change_is_found(events):
    target = next(e for e in events if e.kind == KIND.STATUS_CHANGE and '"to_status":"registered"' in e.content)
    StatusChange.objects.filter(pk=target.source_id).update(comment="backdated")
    assert f"Entry {target.seq}:" in _broken()


def test_an_edited_chain_entry_is_found(events):
    target = events[2]
    AuditChainEntry.objects.filter(seq=target.seq).update(created_at=target.created_at - datetime.timedelta(days=1))
    assert f"Entry {target.seq} was edited" in _broken()


def test_a_chain_entry_whose_hashes_were_recomputed_breaks_the_link_to_the_next(events):
    target = events[2]
    forged = AuditChainEntry.objects.get(seq=target.seq)
    forged.created_at -= datetime.timedelta(days=1)
    forged.entry_hash = forged.compute_hash(source_label(forged.source_type))
    forged.save()
    assert f"Entry {target.seq + 1} does not follow entry {target.seq}" in _broken()


def test_a_deleted_source_row_is_found(events):
    target = next(e for e in events if e.kind == KIND.ACCESS)
    AccessLog.objects.filter(pk=target.source_id).delete()
    message = _broken()
    assert f"Entry {target.seq}: its source record (access log entry {target.source_id}) was deleted" in message


def test_a_deleted_entry_in_the_middle_is_found(events):
    AuditChainEntry.objects.filter(seq=3).delete()
    assert "Entry 3 is missing: the chain jumps from entry 2 to entry 4" in _broken()


def test_a_deleted_last_entry_is_found_through_the_row_it_covered(events):
    last = events[-1]
    AuditChainEntry.objects.filter(seq=last.seq).delete()
    assert f"access log entry {last.source_id} has no entry in the chain" in _broken()


def test_reordered_entries_are_found(events):
    # Swap entries 2 and 3 (through a free number: the sequence is unique).
    AuditChainEntry.objects.filter(seq=2).update(seq=10_000)
    AuditChainEntry.objects.filter(seq=3).update(seq=2)
    AuditChainEntry.objects.filter(seq=10_000).update(seq=3)
    assert "Entry 2 does not follow entry 1" in _broken()


def test_reordered_source_rows_are_found(events):
    first, second = (e for e in events if e.kind == KIND.ACCESS and e.seq < events[-1].seq)
    a, b = AccessLog.objects.get(pk=first.source_id), AccessLog.objects.get(pk=second.source_id)
    AccessLog.objects.filter(pk=a.pk).update(created_at=b.created_at)
    AccessLog.objects.filter(pk=b.pk).update(created_at=a.created_at)
    assert f"Entry {first.seq}:" in _broken()


def test_a_payload_is_chained_and_its_edit_found(events):
    entry = chain_append(
        kind=KIND.DOCUMENT_REGISTRATION,
        obj_or_payload={"number": "ЖББМ-2026/0007", "date": datetime.date(2026, 9, 1), "sha256": "ab" * 32},
    )
    assert entry.seq == len(events) + 1
    assert entry.source_type is None
    assert entry.content == '{"date":"2026-09-01","number":"ЖББМ-2026/0007","sha256":"' + "ab" * 32 + '"}'
    assert verify_chain().ok
    AuditChainEntry.objects.filter(seq=entry.seq).update(content=entry.content.replace("0007", "0008"))
    assert f"Entry {entry.seq} was edited" in _broken()


def test_a_row_of_any_model_can_be_chained_and_its_edit_found(events, registered):
    entry = chain_append(kind=KIND.DOCUMENT_REGISTRATION, obj_or_payload=registered)
    assert f'"registration_number":"{registered.registration_number}"' in entry.content
    assert verify_chain().ok
    Application.objects.filter(pk=registered.pk).update(registration_number="ӨТ-2026/9999")
    assert f"Entry {entry.seq}: its source record (application {registered.pk})" in _broken()


def test_a_model_may_chain_only_its_frozen_columns(events, registered, monkeypatch):
    # What a registered document does: the number and hash are frozen, a later "superseded by" is not.
    monkeypatch.setattr(
        Application,
        "audit_chain_content",
        lambda self: {"registration_number": self.registration_number},
        raising=False,
    )
    entry = chain_append(kind=KIND.DOCUMENT_REGISTRATION, obj_or_payload=registered)
    assert entry.content == f'{{"registration_number":"{registered.registration_number}"}}'
    Application.objects.filter(pk=registered.pk).update(description="changed later, legitimately")
    assert verify_chain().ok
    Application.objects.filter(pk=registered.pk).update(registration_number="ӨТ-2026/9999")
    assert f"Entry {entry.seq}:" in _broken()


def test_truncating_the_tail_is_found_with_the_anchor_an_earlier_run_printed(events):
    chain_append(kind=KIND.EVENT, obj_or_payload={"note": "last"})
    report = verify_chain()
    anchor = f"{report.head_seq}:{report.head_hash}"
    assert anchor in _verify()
    # A payload entry has no row that would miss it: without the anchor, cutting it off is invisible.
    AuditChainEntry.objects.filter(seq=report.head_seq).delete()
    assert verify_chain().ok
    with pytest.raises(CommandError, match=f"Entry {report.head_seq} does not match the anchor"):
        call_command("verify_audit", anchor=(report.head_seq, report.head_hash), stdout=io.StringIO())


def test_the_command_exits_non_zero_from_the_shell(events, capsys):
    AuditChainEntry.objects.filter(seq=2).delete()
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "verify_audit"]).execute()
    assert exited.value.code == 1
    assert "Entry 2 is missing" in capsys.readouterr().err


def test_an_anchor_must_look_like_one():
    with pytest.raises(CommandError):
        call_command("verify_audit", "--anchor", "12-abc", stdout=io.StringIO())


def test_unknown_kinds_and_unsaved_rows_are_refused(registered):
    with pytest.raises(ValueError):
        chain_append(kind="whatever", obj_or_payload={})
    with pytest.raises(ValueError):
        chain_append(kind=KIND.EVENT, obj_or_payload=StatusChange())
    with pytest.raises(TypeError):
        chain_append(kind=KIND.EVENT, obj_or_payload={"who": registered.student})


def test_an_ipv6_address_verifies_after_the_round_trip_through_the_database(rf, registered, centre_head):
    log_access(request=_request(rf, centre_head, "2001:0db8:0000:0000:0000:0000:0000:0001"), action="view_case")
    log_access(request=_request(rf, AnonymousUser()), action="denied")
    assert verify_chain().ok


def test_each_read_costs_one_statement_beyond_the_row_and_its_history_on_postgresql(rf, centre_head, registered):
    log_access(request=_request(rf, centre_head), action="view_case", obj=registered)  # warm the caches
    with CaptureQueriesContext(connection) as queries:
        log_access(request=_request(rf, centre_head), action="view_case", obj=registered)
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    chain = [q["sql"] for q in queries.captured_queries if "audit_auditchainentry" in q["sql"]]
    assert statements.count("INSERT") == 3  # the row, its history row, the chain entry
    if connection.vendor == "postgresql":
        # The access-log row's INSERT takes the advisory lock; the chain's INSERT ... SELECT, a later statement
        # that therefore sees what the lock's previous holder committed, reads the head itself: nothing else,
        # however long the chain.
        sql = [q["sql"] for q in queries.captured_queries]
        assert "audit_accesslog" in sql[0] and "pg_advisory_xact_lock" in sql[0]
        assert chain == [sql[-1]]
        assert not any("pg_advisory_xact_lock" in text for text in sql[1:])
        assert len(chain) == 1
        assert len(statements) == 3
    else:
        assert len(chain) == 2  # read the head, insert
        assert len(statements) == 4


def test_record_status_change_is_chained_inside_the_callers_transaction(registered, centre_head):
    before = AuditChainEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        record_status_change(obj=registered, from_status="registered", to_status="closed", actor=centre_head)
        raise RuntimeError
    assert AuditChainEntry.objects.count() == before
    assert verify_chain().ok


def test_rows_written_before_the_chain_existed_are_chained_by_the_migration(registered, centre_head):
    # Pretend the chain is new: the rows are there, their entries are not.
    AuditChainEntry.objects.all().delete()
    AccessLog.objects.create(user=centre_head, action="view_case", path="/", ip_address="192.0.2.1")
    assert not verify_chain().ok
    migration = importlib.import_module("audit.migrations.0003_roles_and_chain_backfill")
    migration.backfill(apps, None)
    # Registered documents and their PDFs joined the chain later, with a migration of their own (issue 20).
    importlib.import_module("documents.migrations.0006_chain_registered_documents").chain_existing(apps, None)
    report = verify_chain()
    assert report.ok, report.problem
    documents = apps.get_model("documents", "RegisteredDocument").objects.count()
    documents += apps.get_model("documents", "RegisteredFile").objects.count()
    assert report.checked == StatusChange.objects.count() + AccessLog.objects.count() + documents


@pytest.mark.parametrize(
    ("remote", "forwarded", "recorded"),
    [
        ("10.0.0.2", "203.0.113.9", "203.0.113.9"),  # through the proxy
        ("10.0.0.2", "198.51.100.1, 203.0.113.9, 10.0.0.7", "203.0.113.9"),  # a forged hop on the left is ignored
        ("203.0.113.50", "198.51.100.1", "203.0.113.50"),  # not from the proxy: the header is not believed
        ("10.0.0.2", "", "10.0.0.2"),  # from the proxy without the header
        ("10.0.0.2", "not-an-address, 203.0.113.9", "203.0.113.9"),
        ("10.0.0.2", "203.0.113.9, garbage", "10.0.0.2"),  # a malformed hop: nothing left of it is believed
    ],
)
def test_the_client_address_is_taken_from_the_proxy_only_when_it_is_trusted(
    rf, settings, centre_head, remote, forwarded, recorded
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    request.user = centre_head
    assert log_access(request=request, action="view_case").ip_address == recorded


def test_a_read_about_several_students_takes_the_lock_once_and_chains_every_entry(rf, centre_head):
    from tests.factories import StudentFactory

    students = [StudentFactory(), StudentFactory(), StudentFactory()]
    with CaptureQueriesContext(connection) as queries:
        first = log_access(request=_request(rf, centre_head), action="view_case", student_ids=[s.pk for s in students])
    entries = list(AccessLog.objects.filter(student__in=students).order_by("pk"))
    assert [entry.student_id for entry in entries] == sorted(s.pk for s in students)
    assert first == entries[0]
    assert entries[0].history.count() == 1  # the history row is written as by save()
    locks = [q["sql"] for q in queries.captured_queries if "pg_advisory_xact_lock" in q["sql"]]
    if connection.vendor == "postgresql":
        assert len(locks) == 1 and "audit_accesslog" in locks[0]
    report = verify_chain()
    assert report.ok, report.problem
