"""Two members of the centre booking at the same moment on PostgreSQL: the last seat of a room, or the same
invigilator in two rooms, gives one success and one clear refusal, never two bookings."""

import pytest

from routes import services
from routes.models import ExamArrangement, Room
from tests.factories import StudentFactory, UserFactory

from .test_concurrency_route import _postgres_only, _race

postgres_only = _postgres_only  # the fixture, used by name below

EA = ExamArrangement.Status


def _two_confirmed(request):
    session = request.getfixturevalue("exam_session")
    specialist = request.getfixturevalue("specialist")
    services.arrangements_propose(actor=specialist, sessions=[session])
    first = session.arrangements.get()
    first = services.arrangement_confirm(
        item=first,
        actor=specialist,
        starts_at=first.starts_at,
        ends_at=first.ends_at,
        separate_room=True,
        computer=False,
        assistant="",
    )
    second = ExamArrangement.objects.create(
        session=session,
        section=first.section,
        student=StudentFactory(),
        status=EA.CONFIRMED,
        starts_at=first.starts_at,
        ends_at=first.ends_at,
    )
    return first, second, specialist


@pytest.mark.django_db(transaction=True)
def test_two_bookings_of_the_last_seat(postgres_only, migrated_data, request):
    first, second, specialist = _two_confirmed(request)
    room = Room.objects.create(name="Last seat", capacity=1)
    colleague = UserFactory(roles=["specialist"])
    outcomes = _race(
        lambda: services.arrangement_book(item=first, actor=specialist, room=room, invigilator=specialist),
        lambda: services.arrangement_book(item=second, actor=colleague, room=room, invigilator=colleague),
    )
    assert sorted(outcomes) == ["IllegalMove", "ok"]
    assert ExamArrangement.objects.filter(room=room, status=EA.BOOKED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_bookings_of_the_same_invigilator_in_two_rooms(postgres_only, migrated_data, request):
    first, second, specialist = _two_confirmed(request)
    one, two = Room.objects.create(name="One", capacity=5), Room.objects.create(name="Two", capacity=5)
    invigilator = UserFactory(roles=["specialist"])
    outcomes = _race(
        lambda: services.arrangement_book(item=first, actor=specialist, room=one, invigilator=invigilator),
        lambda: services.arrangement_book(item=second, actor=specialist, room=two, invigilator=invigilator),
    )
    assert sorted(outcomes) == ["IllegalMove", "ok"]
    assert ExamArrangement.objects.filter(invigilator=invigilator, status=EA.BOOKED).count() == 1
