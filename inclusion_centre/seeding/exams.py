"""Demo data of the exam arrangements: three rooms, the exams of the courses of the routes in force (entered by the
exam office, a week from today, one a day), and their arrangements in every state — proposed, confirmed, booked
(one of them booked again, its notices sent with SEQUENCE 2), held, cancelled — through the services. Runs once:
skipped when any exam session exists."""

import datetime

from django.utils import timezone

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from inclusion_centre.history import acting_as
from routes import services
from routes.models import ExamArrangement, ExamSession, Room, Route, RouteSection
from students.models import AcademicTerm

ROOMS = [
    ("Бас ғимарат, 105", 4, {"accessible": True, "quiet": True}),
    ("Бас ғимарат, 212", 2, {"computer": True, "accessible": True}),
    ("Кітапхана, оқу залы 3", 6, {"quiet": True}),
]
EA = ExamArrangement.Status


def _rooms(actor: User) -> list[Room]:
    rooms = []
    with acting_as(actor):
        for name, capacity, features in ROOMS:
            room, _created = Room.objects.get_or_create(name=name, defaults={"capacity": capacity, **features})
            rooms.append(room)
    return rooms


def _first_day(term: AcademicTerm) -> datetime.date:
    """A week from today, kept inside the term (its last fortnight when the term is nearly over or over)."""
    day = timezone.localdate() + datetime.timedelta(days=7)
    latest = term.ends_on - datetime.timedelta(days=10)
    return max(term.starts_on, min(day, latest))


def _sessions(office: User) -> list[ExamSession]:
    sections = (
        RouteSection.objects.filter(route__status=Route.Status.IN_FORCE, removed_at__isnull=True)
        .select_related("course", "term")
        .order_by("route_id", "order", "pk")
    )
    pairs = list(dict.fromkeys((s.course, s.term) for s in sections))[:6]
    sessions = []
    for index, (course, term) in enumerate(pairs):
        day = _first_day(term) + datetime.timedelta(days=index)
        row = services.SessionRow(
            course=course,
            starts_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0))),
            duration=90,
            form=ExamSession.Form.COMPUTER if index == 1 else ExamSession.Form.WRITTEN,
            location="Бас ғимарат, 301",
        )
        sessions.append(services.exam_session_add(actor=office, row=row))
    return sessions


def seed_exams(users: dict[Role, User]) -> None:
    if ExamSession.objects.exists():
        return
    office, specialist, head = users[Role.EXAM_OFFICE], users[Role.SPECIALIST], users[Role.CENTRE_HEAD]
    rooms = _rooms(office)
    sessions = _sessions(office)
    services.arrangements_propose(actor=specialist, sessions=sessions)
    items = list(ExamArrangement.objects.filter(session__in=sessions).order_by("starts_at", "pk"))
    # The first stays proposed; the others are confirmed, and from the third on booked, then held or cancelled.
    for index, item in enumerate(items[1:], start=1):
        item = services.arrangement_confirm(
            item=item,
            actor=specialist,
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            separate_room=item.separate_room,
            computer=item.computer or index == 3,
            assistant=item.assistant,
            note="Бірінші қабат" if index == 2 else "",
        )
        if index < 3:
            continue
        room = rooms[1] if item.computer else rooms[0]
        item = services.arrangement_book(item=item, actor=specialist, room=room, invigilator=specialist)
        if index == 3:  # booked again with another invigilator: the notices go out with SEQUENCE 2
            item = services.arrangement_book(item=item, actor=head, room=room, invigilator=head)
        elif index == 4:
            services.arrangement_hold(item=item, actor=specialist)
        elif index == 5:
            services.arrangement_cancel(item=item, actor=head, reason="Емтихан басқа күнге ауыстырылды.")
