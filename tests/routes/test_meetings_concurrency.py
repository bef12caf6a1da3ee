"""Two people acting on one meeting or protocol at the same moment: the right number win, nothing is doubled."""

import os

import pytest
from django.db import connection

from audit.models import StatusChange
from documents.models import RegistrationCounter
from routes import services
from routes.models import Protocol, TeamMeeting

from .conftest import protocol_data
from .test_concurrency_route import _race

P = Protocol.Status


@pytest.fixture
def _postgres_only():
    if os.environ.get("CI") == "true":
        assert connection.vendor == "postgresql"
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises the whole database)")


def _moves(obj, status):
    return StatusChange.objects.filter(
        content_type__model=obj._meta.model_name, object_id=obj.pk, to_status=status
    ).count()


@pytest.mark.django_db(transaction=True)
def test_the_chair_and_the_secretary_sign_at_once(_postgres_only, migrated_data, request):
    """Both signatures count; the protocol is registered once, with one number."""
    protocol = request.getfixturevalue("held")
    chair = request.getfixturevalue("centre_head")
    secretary = request.getfixturevalue("secretary")
    outcomes = _race(
        lambda: services.protocol_sign(protocol=protocol, actor=chair),
        lambda: services.protocol_sign(protocol=protocol, actor=secretary),
    )
    assert outcomes == ["ok", "ok"]
    protocol.refresh_from_db()
    assert protocol.status == P.SIGNED and protocol.registration_number.endswith("/0001")
    assert protocol.chair_signed_by == chair and protocol.secretary_signed_by == secretary
    assert _moves(protocol, P.SIGNED) == 1
    assert _moves(protocol.meeting, TeamMeeting.Status.SIGNED) == 1
    assert RegistrationCounter.objects.get(document_type="protocol").last_number == 1


@pytest.mark.django_db(transaction=True)
def test_one_signer_pressing_twice(_postgres_only, migrated_data, request):
    protocol = request.getfixturevalue("held")
    secretary = request.getfixturevalue("secretary")
    outcomes = _race(
        lambda: services.protocol_sign(protocol=protocol, actor=secretary),
        lambda: services.protocol_sign(protocol=protocol, actor=secretary),
    )
    assert sorted(outcomes) == ["IllegalMove", "ok"]
    protocol.refresh_from_db()
    assert protocol.status == P.DRAFT and protocol.secretary_signed_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_secretaries_saving_the_same_draft(_postgres_only, migrated_data, request):
    """Two tabs (or two people at the secretary's desk) save the protocol opened at the same revision."""
    protocol = request.getfixturevalue("held")
    secretary = request.getfixturevalue("secretary")
    revision = protocol.revision
    first = protocol_data(protocol, decision="Бірінші нұсқа")
    second = protocol_data(protocol, decision="Екінші нұсқа")
    outcomes = _race(
        lambda: services.protocol_save(
            protocol=protocol, actor=secretary, revision=revision, attendance=first[0], records=first[1]
        ),
        lambda: services.protocol_save(
            protocol=protocol, actor=secretary, revision=revision, attendance=second[0], records=second[1]
        ),
    )
    assert sorted(outcomes) == ["IllegalMove", "ok"]
    protocol.refresh_from_db()
    assert protocol.revision == revision + 1
    assert protocol.records.get().decision in {"Бірінші нұсқа", "Екінші нұсқа"}


@pytest.mark.django_db(transaction=True)
def test_signing_while_the_secretary_saves(_postgres_only, migrated_data, request):
    """The chair signs the text they read, or the save takes the signature back: never a signed changed text."""
    protocol = request.getfixturevalue("held")
    chair = request.getfixturevalue("centre_head")
    secretary = request.getfixturevalue("secretary")
    changed = protocol_data(protocol, decision="Өзгертілген шешім")
    outcomes = _race(
        lambda: services.protocol_sign(protocol=protocol, actor=chair),
        lambda: services.protocol_save(
            protocol=protocol, actor=secretary, revision=protocol.revision, attendance=changed[0], records=changed[1]
        ),
    )
    assert outcomes == ["ok", "ok"]
    protocol.refresh_from_db()
    assert protocol.records.get().decision == "Өзгертілген шешім"
    if protocol.chair_signed_at is not None:
        # The save came first: the chair's signature is on the saved text (the revision the save left).
        signed_row = protocol.history.filter(chair_signed_at__isnull=False).earliest("history_date")
        assert signed_row.revision == protocol.revision
    else:
        # The signature came first and the save took it back.
        assert protocol.history.filter(chair_signed_at__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_two_corrections_at_once(_postgres_only, migrated_data, request):
    protocol = request.getfixturevalue("signed")
    chair = request.getfixturevalue("centre_head")
    secretary = request.getfixturevalue("secretary")
    outcomes = _race(
        lambda: services.protocol_correct(meeting=protocol.meeting, actor=chair, reason="Бірінші"),
        lambda: services.protocol_correct(meeting=protocol.meeting, actor=secretary, reason="Екінші"),
    )
    assert sorted(outcomes) == ["IllegalMove", "ok"]
    assert Protocol.objects.filter(meeting=protocol.meeting, status=P.DRAFT).count() == 1
