"""The notices of a booked exam: the student, the course's lecturer and the invigilator each get one, with an .ics
attachment in their language; a new booking of the same exam (a changed room or invigilator) sends again with the
higher SEQUENCE, a cancellation sends a CANCEL. The text names the course, the time and the room, never a measure
or a reason."""

from django.utils import timezone
from django.utils.translation import gettext_noop

from inclusion_centre.accounts.notifications import notify

from .. import ics
from ..models import ExamArrangement


def _load(pk: int) -> ExamArrangement:
    return ExamArrangement.objects.select_related(
        "session__course", "room", "invigilator", "student__user", "section__lecturer"
    ).get(pk=pk)


def _recipients(item: ExamArrangement) -> list:
    people, seen = [], set()
    for person in (item.student.user, item.section.lecturer, item.invigilator):
        if person is not None and person.is_active and person.pk not in seen:
            seen.add(person.pk)
            people.append(person)
    return people


def _send(item: ExamArrangement, *, kind: str, subject: str, body: str, method: str) -> None:
    when = timezone.localtime(item.starts_at)
    context = {
        "course": str(item.session.course),
        "date": when.strftime("%d.%m.%Y"),
        "start": when.strftime("%H:%M"),
        "end": timezone.localtime(item.ends_at).strftime("%H:%M"),
        "room": item.room.name if item.room_id else "",
    }
    for person in _recipients(item):
        notify(
            recipient=person,
            kind=kind,
            subject=subject,
            body=body,
            context=context,
            url=item.get_absolute_url(),
            dedup_key=f"{kind}:{item.pk}:{item.sequence}:{person.pk}",
            calendar=ics.exam_ics(item, recipient=person, method=method),
        )


def tell_booked(pk: int) -> None:
    _send(
        _load(pk),
        kind="exam_booked",
        subject=gettext_noop("An exam arrangement is booked"),
        body=gettext_noop("%(course)s: %(date)s, %(start)s–%(end)s, room %(room)s. The calendar entry is attached."),
        method=ics.REQUEST,
    )


def tell_cancelled(pk: int) -> None:
    _send(
        _load(pk),
        kind="exam_cancelled",
        subject=gettext_noop("An exam arrangement is cancelled"),
        body=gettext_noop("%(course)s: the arrangement of %(date)s, %(start)s, is cancelled."),
        method=ics.CANCEL,
    )
