"""End-of-term delivery surveys: was the support the route promised actually provided?

When a term ends, every route in force over it opens one survey for the student (every support measure of the
route and every course of the term) and one for each lecturer of a course of the term (their own courses). Each
answers yes, partly or no, with a comment where it was not fully provided. An answer of "partly" or "no" marks the
survey as falling short: the centre gets a task (its work list, until the route is reviewed) and the route's page
and review show the answers. A survey left unanswered past its due date closes as expired.

Opening is safe to run again (one survey per person, route and term; the daily beat task and
`manage.py open_delivery_surveys` both call it).
"""

import datetime
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audit.services import record_status_change
from audit.workflow import IllegalMove, move
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.notifications import notify
from inclusion_centre.history import acting_as
from students.models import AcademicTerm

from ..models import DeliveryAnswer, DeliverySurvey, Route, RouteSection
from ..workflow import SURVEY_ALLOWED

S = DeliverySurvey.Status
ACTIVE = (Route.Status.IN_FORCE, Route.Status.UNDER_REVIEW)
# Days a survey stays open for its answer.
SURVEY_DAYS = 14
# Terms that ended up to this many days ago get surveys: a first run does not ask about long-past terms.
OPEN_WINDOW_DAYS = 45
COMMENT_MAX_LENGTH = 1000


def _terms_ended(as_of: datetime.date) -> list[AcademicTerm]:
    start = as_of - datetime.timedelta(days=OPEN_WINDOW_DAYS)
    return list(AcademicTerm.objects.filter(ends_on__lt=as_of, ends_on__gte=start).order_by("ends_on"))


def _routes_over(term: AcademicTerm):
    """Routes in force that covered `term` and were in force before it ended."""
    return (
        Route.objects.filter(status__in=ACTIVE, approved_at__date__lte=term.ends_on)
        .filter(Q(term=term) | Q(term__isnull=True, academic_year=term.academic_year))
        .order_by("pk")
    )


def open_delivery_surveys(*, as_of: datetime.date | None = None, actor: User | None = None) -> list[DeliverySurvey]:
    """Open the surveys of every term that ended before `as_of` (today by default) for every route in force over
    it, and expire the open surveys past their due date. One transaction per route. Returns the surveys opened."""
    as_of = as_of or timezone.localdate()
    opened = []
    for term in _terms_ended(as_of):
        for route in _routes_over(term).only("pk"):
            opened += surveys_open(route=route, term=term, actor=actor, as_of=as_of)
    expire_delivery_surveys(as_of=as_of, actor=actor)
    return opened


def _sections_of(route: Route, term: AcademicTerm) -> list[RouteSection]:
    """The route's sections of `term` that were still there when it ended."""
    return list(
        RouteSection.objects.filter(route=route, term=term)
        .filter(Q(removed_at__isnull=True) | Q(removed_at__date__gt=term.ends_on))
        .select_related("course", "lecturer")
        .order_by("order", "pk")
    )


@transaction.atomic
def surveys_open(
    *, route: Route, term: AcademicTerm, actor: User | None, as_of: datetime.date | None = None
) -> list[DeliverySurvey]:
    """Open the surveys of `route` for `term` that are not open yet: the student's and each lecturer's."""
    locked = Route.objects.select_for_update().select_related("application__student__user").get(pk=route.pk)
    if locked.status not in ACTIVE:
        return []
    as_of = as_of or timezone.localdate()
    measures = list(locked.measures.order_by("order", "pk"))
    sections = _sections_of(locked, term)
    asked = set(DeliverySurvey.objects.filter(route=locked, term=term).values_list("respondent_id", flat=True))
    wanted: list[tuple[User, str, list, list]] = []
    student = locked.application.student.user
    if measures or sections:
        wanted.append((student, DeliverySurvey.Role.STUDENT, measures, sections))
    by_lecturer: dict[int, list[RouteSection]] = defaultdict(list)
    for section in sections:
        by_lecturer[section.lecturer_id].append(section)
    for own in by_lecturer.values():
        wanted.append((own[0].lecturer, DeliverySurvey.Role.LECTURER, [], own))
    opened = []
    for person, role, asked_measures, asked_sections in wanted:
        if person.pk in asked or not person.is_active:
            continue
        opened.append(_open_one(locked, term, person, role, asked_measures, asked_sections, actor, as_of))
    return opened


def _open_one(route, term, person, role, measures, sections, actor, as_of) -> DeliverySurvey:
    with acting_as(actor):
        survey = DeliverySurvey.objects.create(
            route=route,
            term=term,
            respondent=person,
            role=role,
            opened_at=timezone.now(),
            due_on=as_of + datetime.timedelta(days=SURVEY_DAYS),
        )
        questions = [DeliveryAnswer(survey=survey, measure=m) for m in measures]
        questions += [DeliveryAnswer(survey=survey, section=s) for s in sections]
        for order, question in enumerate(questions):
            question.order = order
            question.save()  # one by one: bulk_create writes no history
    record_status_change(obj=survey, from_status="", to_status=S.OPEN, actor=actor)
    notify(
        recipient=person,
        kind="delivery_survey",
        subject=gettext_noop("Was your support provided this term?"),
        body=gettext_noop(
            "The term %(term)s has ended. Please tell the centre whether the support of the individual educational "
            "route was provided: yes, partly or no. Answer by %(date)s."
        ),
        url=reverse("routes:delivery_survey", args=[survey.pk]),
        dedup_key=f"delivery_survey:{survey.pk}",
        context={"term": str(term), "date": survey.due_on.strftime("%d.%m.%Y")},
    )
    return survey


def expire_delivery_surveys(*, as_of: datetime.date | None = None, actor: User | None = None) -> int:
    """Close as expired every open survey whose due date is before `as_of`; returns how many."""
    as_of = as_of or timezone.localdate()
    count = 0
    for survey in DeliverySurvey.objects.filter(status=S.OPEN, due_on__lt=as_of).only("pk"):
        try:
            move(instance=survey, to_status=S.EXPIRED, allowed=SURVEY_ALLOWED, actor=actor)
        except IllegalMove:
            continue  # answered meanwhile
        count += 1
    return count


def _check(questions: list[DeliveryAnswer], given: dict[int, tuple[str, str]]) -> dict[int, tuple[str, str]]:
    """The answers cleaned, or ValidationError naming each question's problem (keys `q<pk>_answer` and
    `q<pk>_comment`, the form's fields)."""
    problems, clean = {}, {}
    for question in questions:
        answer, comment = given.get(question.pk, ("", ""))
        comment = (comment or "").strip()
        key = f"q{question.pk}"
        if answer not in DeliveryAnswer.Answer.values:
            problems[f"{key}_answer"] = _("Choose yes, partly or no.")
        elif answer in DeliveryAnswer.SHORT and not comment:
            problems[f"{key}_comment"] = _("Say what was missing, so the centre can put it right.")
        if len(comment) > COMMENT_MAX_LENGTH:
            problems[f"{key}_comment"] = _("Write at most %(max)d characters.") % {"max": COMMENT_MAX_LENGTH}
        clean[question.pk] = (answer, comment)
    if problems:
        raise ValidationError(problems, code="invalid_answers")
    return clean


@transaction.atomic
def survey_answer(*, survey: DeliverySurvey, actor: User, answers: dict[int, tuple[str, str]]) -> DeliverySurvey:
    """The respondent answers every question of their open survey at once: `answers` maps each question's pk to
    (answer, comment). PermissionDenied for anyone else; IllegalMove when the survey is no longer open;
    ValidationError (nothing saved) when a question is unanswered or a shortfall has no comment."""
    locked = DeliverySurvey.objects.select_for_update().get(pk=survey.pk)
    if locked.respondent_id != actor.pk:
        raise PermissionDenied
    if locked.status != S.OPEN:
        raise IllegalMove(
            _("This survey is closed: it is “%(current)s”.") % {"current": locked.get_status_display()},
            code="illegal_move",
        )
    questions = list(locked.answers.order_by("order", "pk"))
    clean = _check(questions, answers)
    with acting_as(actor):
        for question in questions:
            question.answer, question.comment = clean[question.pk]
            question.save(update_fields=["answer", "comment"])
    short = any(answer in DeliveryAnswer.SHORT for answer, _comment in clean.values())

    def stamp(row):
        row.answered_at = timezone.now()
        row.fell_short = short

    return move(instance=locked, to_status=S.ANSWERED, allowed=SURVEY_ALLOWED, actor=actor, before_save=stamp)
