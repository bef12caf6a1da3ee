"""Per-term activation: the course sections of a route in force follow the student's enrolments.

When the student information system's enrolments change (an import, or the daily run at the start of a term), each
route in force gains a section for every course the student now takes and somebody teaches, and retires the section
of a course the student no longer takes. The lecturer of a new course is sent a letter of accommodations to
acknowledge; the student asks for nothing again. A letter is withdrawn when its course is dropped or its route
stops being in force.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from audit.services import record_status_change
from audit.workflow import move
from inclusion_centre.accounts.grants import grant
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.notifications import notify
from inclusion_centre.history import acting_as

from ..models import AccommodationLetter, Adaptation, Route, RouteSection
from ..workflow import LETTER_ALLOWED
from .route import _conclusion_groups, _enrolled_courses, _lines, _terms_of

R = Route.Status
L = AccommodationLetter.Status
# Sections follow enrolments only while the route is in force (a draft reads them when it is made).
ACTIVE = (R.IN_FORCE, R.UNDER_REVIEW)
DROPPED = gettext_noop("The student is no longer enrolled on this course.")
ROUTE_ENDED = gettext_noop("The route is no longer in force.")


@dataclass
class Followed:
    """What following the enrolments changed: sections added (each with its letter) and sections retired."""

    added: list[RouteSection] = field(default_factory=list)
    retired: list[RouteSection] = field(default_factory=list)


def _lock(route: Route) -> Route:
    return Route.objects.select_for_update().select_related("application__student__user", "conclusion").get(pk=route.pk)


@transaction.atomic
def sections_follow_enrolments(*, route: Route, actor: User | None, today: datetime.date | None = None) -> Followed:
    """Add a section (and send its letter) for each course of the route's terms not ended by `today` that the
    student takes and the route lacks; retire the sections, not added by hand, of courses the student dropped.
    Safe to run again: a second run changes nothing."""
    locked = _lock(route)
    followed = Followed()
    if locked.status not in ACTIVE:
        return followed
    today = today or timezone.localdate()
    terms = [t for t in _terms_of(locked.academic_year, locked.term) if t.ends_on >= today]
    if not terms:
        return followed
    enrolled = {
        (course.pk, term.pk): (course, term, lecturer)
        for course, term, lecturer in _enrolled_courses(locked.application, terms)
    }
    current = {
        (s.course_id, s.term_id): s
        for s in RouteSection.objects.filter(route=locked, term__in=terms, removed_at__isnull=True)
    }
    missing = [enrolled[key] for key in enrolled if key not in current]
    if missing:
        followed.added = _add_sections(locked, missing, actor)
    for key, section in current.items():
        if key not in enrolled and not section.added_manually:
            _retire(section, actor)
            followed.retired.append(section)
    return followed


def _add_sections(locked: Route, missing: list, actor: User | None) -> list[RouteSection]:
    by_group, _support = _conclusion_groups(locked.conclusion)
    order = (locked.sections.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    added = []
    now = timezone.now()
    for offset, (course, term, lecturer) in enumerate(missing):
        with acting_as(actor):
            section = RouteSection.objects.create(
                route=locked,
                course=course,
                term=term,
                lecturer=lecturer,
                content_adaptation=_lines(by_group.get(Adaptation.Group.CONTENT, [])),
                assessment_forms=_lines(by_group.get(Adaptation.Group.ASSESSMENT, [])),
                order=order + offset,
            )
            letter = AccommodationLetter.objects.create(route=locked, section=section, lecturer=lecturer, sent_at=now)
        record_status_change(obj=letter, from_status="", to_status=L.SENT, actor=actor)
        grant(lecturer, "routes.view_route", locked)
        _tell_lecturer(letter)
        added.append(section)
    return added


def _tell_lecturer(letter: AccommodationLetter) -> None:
    notify(
        recipient=letter.lecturer,
        kind="accommodation_letter",
        subject=gettext_noop("A letter of accommodations to acknowledge"),
        body=gettext_noop(
            "A student of your course %(course)s (%(term)s) has an individual educational route in force. "
            "Please read what the course provides for them and acknowledge the letter."
        ),
        url=reverse("routes:letter", args=[letter.pk]),
        dedup_key=f"accommodation_letter:{letter.pk}",
        context={"course": str(letter.section.course), "term": str(letter.section.term)},
    )


def _retire(section: RouteSection, actor: User | None) -> None:
    section.removed_at = timezone.now()
    section.removal_reason = DROPPED
    with acting_as(actor):
        section.save(update_fields=["removed_at", "removal_reason"])
    for letter in AccommodationLetter.objects.filter(section=section).exclude(status=L.WITHDRAWN):
        _withdraw(letter, DROPPED, actor)


def _withdraw(letter: AccommodationLetter, reason: str, actor: User | None) -> None:
    def note(locked):
        locked.withdrawn_reason = reason

    move(instance=letter, to_status=L.WITHDRAWN, allowed=LETTER_ALLOWED, actor=actor, comment=reason, before_save=note)


def follow_enrolments(*, actor: User | None = None, student_ids=None) -> Followed:
    """Every route in force (of `student_ids`, when given) follows its student's enrolments; letters of routes no
    longer in force are withdrawn. One transaction per route, so one refusal does not undo the others."""
    routes = Route.objects.filter(status__in=ACTIVE).order_by("pk")
    if student_ids is not None:
        routes = routes.filter(application__student_id__in=student_ids)
    total = Followed()
    for route in routes.only("pk"):
        followed = sections_follow_enrolments(route=route, actor=actor)
        total.added += followed.added
        total.retired += followed.retired
    stale = AccommodationLetter.objects.exclude(status=L.WITHDRAWN).exclude(route__status__in=ACTIVE)
    for letter in stale.only("pk"):
        with transaction.atomic():
            _withdraw(letter, ROUTE_ENDED, actor)
    return total


@transaction.atomic
def letter_acknowledge(*, letter: AccommodationLetter, actor: User) -> AccommodationLetter:
    """The lecturer the letter is addressed to acknowledges it, once; IllegalMove when it is no longer waiting."""
    if letter.lecturer_id != actor.pk:
        raise PermissionDenied

    def stamp(locked):
        locked.acknowledged_at = timezone.now()

    return move(instance=letter, to_status=L.ACKNOWLEDGED, allowed=LETTER_ALLOWED, actor=actor, before_save=stamp)
