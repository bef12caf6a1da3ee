"""Two people acting on one route at the same moment: exactly one wins, the other is told, nothing is doubled."""

import os
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from audit.models import StatusChange
from routes import services
from routes.models import Agreement, Route
from tests.factories import UserFactory

from .conftest import agreement_of, send

R = Route.Status


@pytest.fixture
def _postgres_only():
    if os.environ.get("CI") == "true":
        assert connection.vendor == "postgresql"
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises the whole database)")


def _race(*actions):
    """Run the actions in threads that start together; return what each ended with ("ok" or the error's class)."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            action()
            outcomes[index] = "ok"
        except ValidationError as error:
            outcomes[index] = type(error).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _moves_to(route, status, from_status=None):
    changes = StatusChange.objects.filter(content_type__model="route", object_id=route.pk, to_status=status)
    if from_status:
        changes = changes.filter(from_status=from_status)
    return changes.count()


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once(_postgres_only, migrated_data, request):
    route = request.getfixturevalue("in_approval")
    first = request.getfixturevalue("administration")
    second = UserFactory(roles=["administration"])
    outcomes = _race(
        lambda: services.route_approve(route=route, actor=first),
        lambda: services.route_approve(route=route, actor=second),
    )
    assert sorted(outcomes) == ["IllegalMove", "ok"]
    route.refresh_from_db()
    assert route.status == R.IN_FORCE
    assert route.registration_number.endswith("/0001")
    assert _moves_to(route, R.IN_FORCE) == 1


@pytest.mark.django_db(transaction=True)
def test_approve_against_return(_postgres_only, migrated_data, request):
    route = request.getfixturevalue("in_approval")
    approver = request.getfixturevalue("administration")
    returner = UserFactory(roles=["administration"])
    outcomes = _race(
        lambda: services.route_approve(route=route, actor=approver),
        lambda: services.route_return(route=route, actor=returner, reason="Кесте жоқ"),
    )
    assert sorted(outcomes) == ["IllegalMove", "ok"]
    route.refresh_from_db()
    if route.status == R.IN_FORCE:
        assert route.registration_number and _moves_to(route, R.DRAFT, from_status=R.IN_APPROVAL) == 0
    else:
        assert route.status == R.DRAFT and route.registration_number is None and _moves_to(route, R.IN_FORCE) == 0


@pytest.mark.django_db(transaction=True)
def test_a_lecturer_agreeing_while_the_specialist_takes_the_route_back(_postgres_only, migrated_data, request):
    route = request.getfixturevalue("route")
    specialist = request.getfixturevalue("specialist")
    lecturer = request.getfixturevalue("lecturer")
    sent = send(route, specialist)
    agreement = agreement_of(sent, lecturer)
    outcomes = _race(
        lambda: services.agreement_answer(agreement=agreement, actor=lecturer, decision="agreed", comment=""),
        lambda: services.route_withdraw_from_agreement(route=sent, actor=specialist, reason="Өзгерту керек"),
    )
    sent.refresh_from_db()
    agreement.refresh_from_db()
    assert sent.status == R.DRAFT  # taking back wins either way: before the answer, or after it
    if outcomes[0] == "ok":
        assert outcomes[1] == "ok" and agreement.status == Agreement.Status.AGREED
    else:
        # Taken back first: the unanswered question was set aside with it, and the late answer refused.
        assert outcomes == ["IllegalMove", "ok"] and agreement.status == Agreement.Status.WITHDRAWN


@pytest.mark.django_db(transaction=True)
def test_two_editors_of_one_draft(_postgres_only, migrated_data, request):
    route = request.getfixturevalue("route")
    specialist = request.getfixturevalue("specialist")
    head = request.getfixturevalue("centre_head")
    revision = route.revision
    outcomes = _race(
        lambda: services.route_update(route=route, actor=specialist, revision=revision, goals="Бірінші"),
        lambda: services.route_update(route=route, actor=head, revision=revision, goals="Екінші"),
    )
    assert sorted(outcomes) == ["IllegalMove", "ok"]
    route.refresh_from_db()
    assert route.goals in {"Бірінші", "Екінші"} and route.revision == revision + 1
