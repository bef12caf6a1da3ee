"""Registration numbers: per document type and year, unique and gap-free even when people register at once."""

import datetime
import os
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from documents.models import DocumentType, RegistrationCounter
from documents.services import next_registration_number
from inclusion_centre.history import acting_as
from tests.factories import UserFactory


class _RegistrationFailed(Exception):
    """Stands for anything that makes a registration roll back after it took its number."""


def _register(document_type=DocumentType.ROUTE, year=2026):
    with transaction.atomic():
        return next_registration_number(document_type=document_type, year=year)


@pytest.mark.django_db
def test_each_document_type_and_year_has_its_own_sequence():
    assert _register(DocumentType.ROUTE, 2026) == (1, "ЖББМ-2026/0001")
    assert _register(DocumentType.ROUTE, 2026) == (2, "ЖББМ-2026/0002")
    assert _register(DocumentType.APPLICATION, 2026) == (1, "ӨТ-2026/0001")
    assert _register(DocumentType.ROUTE, 2027) == (1, "ЖББМ-2027/0001")
    assert _register(DocumentType.CONCLUSION, 2026) == (1, "ҚОР-2026/0001")
    assert _register(DocumentType.PROTOCOL, 2026) == (1, "ХТ-2026/0001")
    assert _register(DocumentType.ROUTE, 2026) == (3, "ЖББМ-2026/0003")
    assert {(c.document_type, c.year, c.last_number) for c in RegistrationCounter.objects.all()} == {
        ("route", 2026, 3),
        ("route", 2027, 1),
        ("application", 2026, 1),
        ("conclusion", 2026, 1),
        ("protocol", 2026, 1),
    }


@pytest.mark.django_db
def test_the_number_is_zero_padded_to_four_digits():
    numbers = [_register() for _ in range(7)]
    assert numbers[-1] == (7, "ЖББМ-2026/0007")


@pytest.mark.django_db
def test_the_setting_overrides_the_format_and_types_it_leaves_out_keep_the_default(settings):
    settings.DOCUMENT_NUMBER_FORMATS = {"route": "IER/{year}-{number:03d}"}
    assert _register(DocumentType.ROUTE, 2026) == (1, "IER/2026-001")
    assert _register(DocumentType.APPLICATION, 2026) == (1, "ӨТ-2026/0001")


@pytest.mark.django_db
def test_the_year_defaults_to_the_current_year_in_the_centres_time_zone(settings, monkeypatch):
    settings.TIME_ZONE = "Asia/Almaty"
    # New Year's night in Almaty is still 31 December in UTC.
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 12, 31, 20, 0, tzinfo=datetime.UTC))
    with transaction.atomic():
        assert next_registration_number(document_type=DocumentType.PROTOCOL) == (1, "ХТ-2027/0001")


@pytest.mark.django_db
def test_an_unknown_document_type_is_refused():
    with pytest.raises(ValueError, match="Unknown document type"), transaction.atomic():
        next_registration_number(document_type="invoice", year=2026)
    assert not RegistrationCounter.objects.exists()


# Tests that need to be outside any transaction cannot run inside pytest-django's per-test transaction.
# `migrated_data` puts back the rows data migrations made (the role groups), which the flush after them removes.
def test_outside_a_transaction_it_refuses_to_give_a_number(migrated_data):
    assert not transaction.get_connection().in_atomic_block
    with pytest.raises(RuntimeError, match=r"inside the registering transaction\.atomic\(\)"):
        next_registration_number(document_type=DocumentType.ROUTE, year=2026)
    assert not RegistrationCounter.objects.exists()


@pytest.mark.django_db
def test_a_rolled_back_registration_gives_its_number_back():
    assert _register() == (1, "ЖББМ-2026/0001")
    with pytest.raises(_RegistrationFailed), transaction.atomic():
        assert next_registration_number(document_type=DocumentType.ROUTE, year=2026)[0] == 2
        raise _RegistrationFailed
    assert _register() == (2, "ЖББМ-2026/0002")
    assert RegistrationCounter.objects.get(document_type="route", year=2026).last_number == 2


@pytest.mark.django_db
def test_every_number_taken_is_in_the_history_with_who_took_it():
    head, specialist = UserFactory(full_name="Орталық басшысы"), UserFactory(full_name="Маман")
    with acting_as(head):
        _register()
    with acting_as(specialist):
        _register()
    counter = RegistrationCounter.objects.get(document_type="route", year=2026)
    # The zero row is created without history (bulk_create); each number taken is one "changed" row.
    assert [(h.last_number, h.history_type, h.history_user) for h in counter.history.all()] == [
        (2, "~", specialist),
        (1, "~", head),
    ]


THREADS = 20


def test_parallel_registrations_get_unique_gap_free_numbers(migrated_data):
    if os.environ.get("CI") == "true":
        assert connection.vendor == "postgresql", "CI=true: the concurrency test must run on PostgreSQL"
    elif connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks and concurrent inserts are what this test exercises")

    barrier = threading.Barrier(THREADS)
    committed: list[tuple[int, str]] = []
    rolled_back: list[int] = []
    errors: list[BaseException] = []

    def register(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            try:
                with transaction.atomic():
                    number, formatted = next_registration_number(document_type=DocumentType.ROUTE, year=2026)
                    time.sleep(0.005)  # hold the lock while the "document" is saved, so the others queue up
                    if index % 4 == 0:
                        raise _RegistrationFailed
            except _RegistrationFailed:
                rolled_back.append(number)
            else:
                committed.append((number, formatted))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection; the test database cannot be dropped while open

    threads = [threading.Thread(target=register, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []

    n_committed = THREADS - len(range(0, THREADS, 4))
    assert len(rolled_back) == THREADS - n_committed
    assert sorted(number for number, _ in committed) == list(range(1, n_committed + 1))
    assert all(formatted == f"ЖББМ-2026/{number:04d}" for number, formatted in committed)
    counter = RegistrationCounter.objects.get(document_type="route", year=2026)
    assert counter.last_number == n_committed
    assert counter.history.count() == n_committed
