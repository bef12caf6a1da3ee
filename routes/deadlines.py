"""Every step that waits on a person, with who owes it and by when: the source of due dates, digests and the
dashboard's overdue list.

Each kind of step is read with one query (plus one for the role members a step is owed by), so the cost does not
grow with the number of open steps. Due dates are working days from the step's start (settings.DEADLINE_WORKING_DAYS,
inclusion_centre.workdays); a review is due on the date the route names.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from inclusion_centre.workdays import add_working_days, latest_start_not_overdue
from students.models import Application

from .models import Agreement, Assessment, Assignment, Conclusion, Protocol, Route, RouteReview


@dataclass
class Step:
    kind: str
    label: Promise  # what is to be done, e.g. "Register the application"
    subject: str  # which case, for the people who may see it (a registration number or a student's name)
    url: str
    due: datetime.date
    owners: list[User] = field(default_factory=list)

    def is_overdue(self, today: datetime.date) -> bool:
        return self.due < today


KINDS = {
    "register": _("Register the application"),
    "assess": _("Finish the assessment"),
    "sign_conclusion": _("Sign the conclusion"),
    "draft_route": _("Draft the route and send it for agreement"),
    "agree": _("Agree the route section"),
    "approve": _("Approve the route"),
    "review": _("Review the route"),
    "sign_protocol": _("Sign the protocol of the team meeting"),
}


def _days(name: str) -> int:
    return settings.DEADLINE_WORKING_DAYS[name]


def _local(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def _case(application: Application) -> str:
    return application.registration_number or application.student.user.full_name


def open_steps() -> list[Step]:
    """Every step now waiting on someone, soonest due first."""
    return _steps()


def overdue_steps(today: datetime.date, *, limit: int) -> list[Step]:
    """The `limit` longest overdue steps, most overdue first.

    The same steps as `[s for s in open_steps() if s.is_overdue(today)][:limit]`, but each kind is filtered and cut
    to `limit` rows in the database: the dashboard stays as fast with thousands of open steps as with ten."""
    return _steps(overdue_on=today, limit=limit)[:limit]


def dashboard_steps(today: datetime.date, *, limit: int, people: list[User]) -> tuple[list[Step], list[Route]]:
    """The dashboard's overdue_steps() and the routes in force with a review date this month (soonest first), read
    together: `people` are the active users the steps may be owed by, each with `is_head` and `is_approver`."""
    month: list[Route] = []
    steps = _steps(overdue_on=today, limit=limit, people=people, month_reviews=(today, month))
    return steps[:limit], month


def reviews_in_month(today: datetime.date) -> Q:
    """Routes with a review date in this calendar month."""
    start = today.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    return Q(first_review_on__gte=start, first_review_on__lt=end) | Q(
        second_review_on__gte=start, second_review_on__lt=end
    )


def _together(*querysets) -> list:
    """The rows of several querysets of one model (with the same columns): one query (UNION ALL) where the database
    allows each part its own ORDER BY and LIMIT (PostgreSQL), one query each otherwise (SQLite)."""
    if len(querysets) > 1 and connection.features.supports_slicing_ordering_in_compound:
        return list(querysets[0].union(*querysets[1:], all=True))
    return [row for queryset in querysets for row in queryset]


def _started_before(today: datetime.date, name: str) -> datetime.datetime:
    """Steps of this kind that started before this moment are overdue `today` (see latest_start_not_overdue)."""
    day = latest_start_not_overdue(today, _days(name))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class _Reading:
    """One reading of the open steps: the filter, the people steps are owed by, and what was found so far."""

    overdue_on: datetime.date | None
    limit: int | None
    heads: list[User]
    approvers: list[User]
    month_reviews: tuple[datetime.date, list[Route]] | None
    late: dict[str, datetime.datetime] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    # Steps owed by the specialists assigned to a case wait for one query after the others: {application id: steps}.
    owed_by_specialists: dict[int, list[Step]] = field(default_factory=dict)

    def cut(self, queryset, overdue: Q, *order):
        """Only the rows overdue on `overdue_on`, the `limit` most overdue first; every row without it."""
        if self.overdue_on is None:
            return queryset
        return queryset.filter(overdue).order_by(*order)[: self.limit]

    def owed_by_specialists_of(self, application_id: int, step: Step) -> None:
        self.steps.append(step)
        self.owed_by_specialists.setdefault(application_id, []).append(step)


_LATE_KINDS = (
    "register_application",
    "assess_application",
    "sign_conclusion",
    "draft_route",
    "approve_route",
    "sign_protocol",
)


def _steps(
    *,
    overdue_on: datetime.date | None = None,
    limit: int | None = None,
    people: list[User] | None = None,
    month_reviews: tuple[datetime.date, list[Route]] | None = None,
) -> list[Step]:
    """Open steps; with `overdue_on`, only those overdue on that day, each kind cut to its `limit` most overdue.

    `people`: the heads and approvers already read (see dashboard_steps); `month_reviews`: (today, a list to fill
    with the routes in force with a review date in today's month), read with the other routes."""
    # The centre heads and the approvers, in one query.
    if people is None:
        people = list(heads_and_approvers().order_by("full_name"))
    reading = _Reading(
        overdue_on=overdue_on,
        limit=limit,
        heads=sorted((user for user in people if user.is_head), key=lambda user: user.full_name),
        approvers=sorted((user for user in people if user.is_approver), key=lambda user: user.full_name),
        month_reviews=month_reviews,
    )
    if overdue_on:  # when each kind of step started, at the latest, to be overdue on `overdue_on`
        reading.late = {name: _started_before(overdue_on, name) for name in _LATE_KINDS}
    for read in _READERS:
        read(reading)
    _owe_to_specialists(reading)
    if month_reviews is not None:
        month_reviews[1].sort(
            key=lambda route: (route.first_review_on is None, route.first_review_on or datetime.date.min, route.pk)
        )
    steps = reading.steps
    if overdue_on is not None:
        steps = [step for step in steps if step.is_overdue(overdue_on)]
    return sorted(steps, key=lambda step: (step.due, step.kind, step.subject))


def _late(reading: _Reading, name: str, started: str) -> Q | None:
    """Steps of kind `name` whose `started` field is before this kind's latest start are overdue (None: every step
    is read)."""
    moment = reading.late.get(name)
    return None if moment is None else Q(**{f"{started}__lt": moment})


def _application_steps(reading: _Reading) -> None:
    """Applications waiting to be registered, and concluded cases whose route is not yet with the lecturers (drafted
    by the specialists assigned to them), read together."""
    # Subqueries rather than aggregates over joins: no GROUP BY over every column of the selected rows.
    last_signed = (
        Conclusion.objects.filter(application=OuterRef("pk"), signed_at__isnull=False)
        .order_by("-signed_at")
        .values("signed_at")[:1]
    )
    applications = Application.objects.select_related("student__user").annotate(last_signed=Subquery(last_signed))
    unsent = Route.objects.filter(application=OuterRef("pk")).exclude(status=Route.Status.DRAFT)
    for application in _together(
        reading.cut(
            applications.filter(status=Application.Status.SUBMITTED).annotate(part=Value("register")),
            _late(reading, "register_application", "submitted_at"),
            "submitted_at",
            "pk",
        ),
        reading.cut(
            applications.filter(status=Application.Status.CONCLUDED)
            .exclude(Exists(unsent))
            .annotate(part=Value("draft_route")),
            _late(reading, "draft_route", "last_signed"),
            "last_signed",
            "pk",
        ),
    ):
        url = reverse("students:application_detail", args=[application.public_id])
        if application.part == "register":
            due = add_working_days(_local(application.submitted_at), _days("register_application"))
            reading.steps.append(Step("register", KINDS["register"], _case(application), url, due, reading.heads))
        elif application.last_signed is not None:
            due = add_working_days(_local(application.last_signed), _days("draft_route"))
            step = Step("draft_route", KINDS["draft_route"], _case(application), url, due)
            reading.owed_by_specialists_of(application.pk, step)


def _assessment_steps(reading: _Reading) -> None:
    for assessment in reading.cut(
        Assessment.objects.filter(
            status=Assessment.Status.DRAFT,
            assignment__ended_at__isnull=True,
            assignment__application__status=Application.Status.UNDER_ASSESSMENT,
        ).select_related("assignment__specialist", "assignment__application__student__user"),
        _late(reading, "assess_application", "assignment__application__registered_at"),
        "assignment__application__registered_at",
        "pk",
    ):
        application = assessment.assignment.application
        reading.steps.append(
            Step(
                "assess",
                KINDS["assess"],
                _case(application),
                reverse("routes:assessment", args=[assessment.assignment_id]),
                add_working_days(_local(application.registered_at), _days("assess_application")),
                [assessment.assignment.specialist],
            )
        )


def _conclusion_steps(reading: _Reading) -> None:
    for conclusion in reading.cut(
        Conclusion.objects.filter(status=Conclusion.Status.DRAFT).select_related("application__student__user"),
        _late(reading, "sign_conclusion", "created_at"),
        "created_at",
        "pk",
    ):
        reading.steps.append(
            Step(
                "sign_conclusion",
                KINDS["sign_conclusion"],
                _case(conclusion.application),
                reverse("routes:conclusion", args=[conclusion.pk]),
                add_working_days(_local(conclusion.created_at), _days("sign_conclusion")),
                reading.heads,
            )
        )


def _agreement_steps(reading: _Reading) -> None:
    # A case whose consent was withdrawn is not processed any further: its lecturers are not reminded.
    for agreement in reading.cut(
        Agreement.objects.filter(
            status=Agreement.Status.PENDING,
            route__status=Route.Status.IN_AGREEMENT,
            route__application__consent__withdrawn_at__isnull=True,
        ).select_related("lecturer", "section__course", "route__application__student__user"),
        Q(due_on__lt=reading.overdue_on),
        "due_on",
        "pk",
    ):
        reading.steps.append(
            Step(
                "agree",
                KINDS["agree"],
                f"{agreement.route.application.student.user.full_name}, {agreement.section.course}",
                reverse("routes:route", args=[agreement.route_id]),
                agreement.due_on,
                [agreement.lecturer],
            )
        )


def _route_parts(reading: _Reading) -> list:
    """Routes waiting for approval, routes due for review (and the routes with a review date this month)."""
    reviews = RouteReview.objects.filter(route=OuterRef("pk")).order_by().values("route").annotate(n=Count("pk"))
    routes = Route.objects.select_related("application__student__user").annotate(
        answered=Coalesce(Subquery(reviews.values("n")), 0), started=Coalesce("sent_for_approval_at", "updated_at")
    )
    # The review due is the first date while no review is recorded, then the second (see _next_review).
    next_review = Case(When(answered=0, then=F("first_review_on")), default=F("second_review_on"))
    overdue_on = reading.overdue_on
    parts = [
        reading.cut(
            routes.filter(status=Route.Status.IN_APPROVAL).annotate(part=Value("approve")),
            _late(reading, "approve_route", "started"),
            "started",
            "pk",
        ),
        reading.cut(
            routes.filter(status=Route.Status.IN_FORCE)
            .exclude(first_review_on__isnull=True)
            .annotate(part=Value("review")),
            Q(answered=0, first_review_on__lt=overdue_on) | Q(answered=1, second_review_on__lt=overdue_on),
            next_review,
            "pk",
        ),
    ]
    if reading.month_reviews is not None:
        month = reviews_in_month(reading.month_reviews[0])
        parts.append(routes.filter(month, status=Route.Status.IN_FORCE).annotate(part=Value("month")))
    return parts


def _route_steps(reading: _Reading) -> None:
    """The route parts, read together."""
    for route in _together(*_route_parts(reading)):
        url = reverse("routes:route", args=[route.pk])
        if route.part == "month":
            reading.month_reviews[1].append(route)
        elif route.part == "approve":
            due = add_working_days(_local(route.sent_for_approval_at or route.updated_at), _days("approve_route"))
            name = route.application.student.user.full_name
            reading.steps.append(Step("approve", KINDS["approve"], name, url, due, reading.approvers))
        elif (due := _next_review(route, route.answered)) is not None:
            subject = route.registration_number or _case(route.application)
            reading.owed_by_specialists_of(route.application_id, Step("review", KINDS["review"], subject, url, due))


def _protocol_steps(reading: _Reading) -> None:
    """A protocol is signed by the chair and the secretary; each owes their own signature. The subject names the
    meeting, not the students discussed: the dashboard and the digests reach people outside the meeting."""
    for protocol in reading.cut(
        Protocol.objects.filter(status=Protocol.Status.DRAFT).select_related("meeting__chair", "meeting__secretary"),
        _late(reading, "sign_protocol", "created_at"),
        "created_at",
        "pk",
    ):
        meeting = protocol.meeting
        owners = [
            user
            for user, signed in (
                (meeting.chair, protocol.chair_signed_at),
                (meeting.secretary, protocol.secretary_signed_at),
            )
            if signed is None and user.is_active
        ]
        reading.steps.append(
            Step(
                "sign_protocol",
                KINDS["sign_protocol"],
                str(meeting),
                reverse("routes:protocol", args=[protocol.pk]),
                add_working_days(_local(protocol.created_at), _days("sign_protocol")),
                owners or reading.heads,
            )
        )


def _owe_to_specialists(reading: _Reading) -> None:
    """The specialists assigned to each case owe its steps (the centre heads when nobody is assigned), one query."""
    if not reading.owed_by_specialists:
        return
    specialists: dict[int, list[User]] = {}
    for assignment in (
        Assignment.objects.filter(application_id__in=list(reading.owed_by_specialists), ended_at__isnull=True)
        .select_related("specialist")
        .order_by("assigned_at", "pk")
    ):
        specialists.setdefault(assignment.application_id, []).append(assignment.specialist)
    for application_id, owed in reading.owed_by_specialists.items():
        for step in owed:
            step.owners = specialists.get(application_id) or reading.heads


# Each kind of step (or kinds read together), in the order they are read.
_READERS = (
    _application_steps,
    _assessment_steps,
    _conclusion_steps,
    _agreement_steps,
    _route_steps,
    _protocol_steps,
)


def heads_and_approvers():
    """Active centre heads and approvers (users whose role may approve routes), each with `is_head` and
    `is_approver`."""
    memberships = User.groups.through.objects
    return User.objects.filter(is_active=True, pk__in=memberships.filter(HEAD | APPROVER).values("user_id")).annotate(
        is_head=Exists(memberships.filter(HEAD, user=OuterRef("pk"))),
        is_approver=Exists(memberships.filter(APPROVER, user=OuterRef("pk"))),
    )


HEAD = Q(group__name=Role.CENTRE_HEAD.value)
APPROVER = Q(group__permissions__codename="approve_route", group__permissions__content_type__app_label="routes")


def _next_review(route: Route, answered: int) -> datetime.date | None:
    """The review date still to be answered: each recorded review answers the next date in order."""
    dates = [day for day in (route.first_review_on, route.second_review_on) if day is not None]
    return dates[answered] if answered < len(dates) else None


def steps_by_owner(steps: list[Step]) -> dict[int, tuple[User, list[Step]]]:
    owed: dict[int, tuple[User, list[Step]]] = {}
    for step in steps:
        for owner in step.owners:
            owed.setdefault(owner.pk, (owner, []))[1].append(step)
    return owed
