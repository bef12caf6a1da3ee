"""A person's work list: every step that waits on them, with its due date, across all the kinds of work.

`work_of(user)` answers "what do I owe, by when" for the work list page, the home page and the menu count. Each
kind of work is read with one query that is already limited to what the user may act on (their assignments,
their route sections, their signatures, the powers of their roles), so the cost follows the number of kinds,
never the number of rows. Nothing is capped: the page paginates.

Who owes what (DOMAIN.md, the lifecycle):

- register, assign: the centre head (applications submitted; registered and waiting for specialists);
- assess: the specialist assigned (their draft assessments);
- sign_conclusion: the centre head (draft conclusions);
- draft_route: the route's authors, as the notices name them (routes.services.route._authors): the specialists
  assigned to a concluded case with no route yet or a route in draft (sent back for changes or returned by the
  administration included), and whoever drafted it, when they may still edit it (the centre head);
- agree: the lecturer asked (pending sections of routes with the lecturers);
- approve: the administration (routes waiting for approval);
- review: the specialists assigned (routes in force with a review date within REVIEW_NOTICE_DAYS);
- changed_needs: the specialists assigned (reports of changed needs not yet answered by a review);
- hold_meeting: the chair and the secretary (planned meetings); sign_protocol: the chair and the secretary, each
  for their own signature.
- answer_appeal: the reviewer an appeal is given to (open appeals, due in DEADLINE_WORKING_DAYS["answer_appeal"]).
- delivery_short: the centre head and the specialists assigned (end-of-term surveys answered "partly" or "no",
  until the route is reviewed).
- consultation: the centre head and the specialists (lecturers' consultation requests waiting for an answer that
  nobody else has taken).
- mse_lapsed: the centre head and the specialists assigned (routes in force whose student's MSE conclusion lapsed,
  until a review for that reason or a new date).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audit.models import StatusChange
from inclusion_centre import figure_cache
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from inclusion_centre.workdays import add_working_days
from students.models import Application

from ..models import (
    Agreement,
    Appeal,
    Assessment,
    Assignment,
    ChangedNeedsReport,
    Conclusion,
    Protocol,
    Route,
    RouteReview,
    TeamMeeting,
)
from .consultation import open_for_centre_worker
from .delivery import shortfall_tasks, shortfall_url
from .mse import mse_review_tasks

# The roles that owe steps of a case; other staff (auditor, system administrator) have no work list.
WORK_ROLES = frozenset({Role.SPECIALIST, Role.CENTRE_HEAD, Role.LECTURER, Role.ADMINISTRATION})

# A route in force appears in its specialists' lists this many days before its review date.
REVIEW_NOTICE_DAYS = 14

KINDS: dict[str, Promise] = {
    "register": _("Register the application"),
    "assign": _("Assign specialists to assess the needs"),
    "assess": _("Finish the assessment"),
    "sign_conclusion": _("Sign the conclusion"),
    "draft_route": _("Draft the route and send it for agreement"),
    "agree": _("Agree the route section"),
    "approve": _("Approve the route"),
    "review": _("Review the route"),
    "changed_needs": _("Answer the report of changed needs"),
    "hold_meeting": _("Hold the team meeting"),
    "sign_protocol": _("Sign the protocol of the team meeting"),
    "delivery_short": _("Follow up support that was not fully provided"),
    "consultation": _("Answer the lecturer's consultation request"),
    "answer_appeal": _("Answer the appeal"),
    "mse_lapsed": _("Review the route: the MSE conclusion lapsed"),
}


class State:
    TO_DO = "to_do"
    STARTED = "started"
    RETURNED = "returned"


STATES: dict[str, Promise] = {
    State.TO_DO: pgettext_lazy("state of a work item", "To do"),
    State.STARTED: pgettext_lazy("state of a work item", "Started"),
    State.RETURNED: pgettext_lazy("state of a work item", "Sent back to you"),
}


@dataclass
class WorkItem:
    kind: str
    subject: str  # whom or what it is about: a student's name, a meeting
    url: str
    due: datetime.date
    state: str = State.TO_DO
    note: str = ""  # why it came back, in the words of whoever sent it

    @property
    def label(self) -> Promise:
        return KINDS[self.kind]

    @property
    def state_label(self) -> Promise:
        return STATES[self.state]

    def is_overdue(self, today: datetime.date) -> bool:
        return self.due < today


def _days(name: str) -> int:
    return settings.DEADLINE_WORKING_DAYS[name]


def _due(moment: datetime.datetime, name: str) -> datetime.date:
    return add_working_days(timezone.localdate(moment), _days(name))


def _name(application: Application) -> str:
    return application.student.user.full_name


def _case_url(application: Application) -> str:
    return reverse("students:application_detail", args=[application.public_id])


def _active_assignments(user: User, **extra) -> Exists:
    """Whether the user is assigned (and still active) on the outer query's application."""
    return Exists(
        Assignment.objects.filter(application=OuterRef("pk"), specialist=user, ended_at__isnull=True, **extra)
    )


# --- One reader per kind: each answers [] when the user's roles give them no such work ----------------------


def _register(user: User, today: datetime.date) -> list[WorkItem]:
    if not user.has_perm("students.register_application"):
        return []
    rows = Application.objects.filter(status=Application.Status.SUBMITTED).select_related("student__user")
    return [
        WorkItem("register", _name(a), _case_url(a), _due(a.submitted_at or a.created_at, "register_application"))
        for a in rows
    ]


def _assign(user: User, today: datetime.date) -> list[WorkItem]:
    if not user.has_perm("routes.add_assignment"):
        return []
    rows = Application.objects.filter(status=Application.Status.REGISTERED).select_related("student__user")
    return [
        WorkItem("assign", _name(a), _case_url(a), _due(a.registered_at or a.created_at, "assess_application"))
        for a in rows
    ]


def _assess(user: User, today: datetime.date) -> list[WorkItem]:
    if not user.has_role(Role.SPECIALIST):
        return []
    rows = Assessment.objects.filter(
        status=Assessment.Status.DRAFT,
        assignment__specialist=user,
        assignment__ended_at__isnull=True,
        assignment__application__status=Application.Status.UNDER_ASSESSMENT,
    ).select_related("assignment__application__student__user")
    items = []
    for assessment in rows:
        application = assessment.assignment.application
        items.append(
            WorkItem(
                "assess",
                f"{_name(application)} — {assessment.assignment.get_area_display()}",
                reverse("routes:assessment", args=[assessment.assignment_id]),
                _due(application.registered_at or assessment.assignment.assigned_at, "assess_application"),
                State.STARTED if assessment.findings.strip() else State.TO_DO,
            )
        )
    return items


def _sign_conclusion(user: User, today: datetime.date) -> list[WorkItem]:
    if not user.has_perm("routes.sign_conclusion"):
        return []
    rows = Conclusion.objects.filter(status=Conclusion.Status.DRAFT).select_related("application__student__user")
    return [
        WorkItem(
            "sign_conclusion",
            _name(c.application),
            reverse("routes:conclusion", args=[c.pk]),
            _due(c.created_at, "sign_conclusion"),
        )
        for c in rows
    ]


def _last_move_to_draft(field: str) -> Subquery:
    """The outer route's latest move back to draft: its time or its comment (the reason)."""
    return Subquery(
        StatusChange.objects.filter(
            content_type__app_label="routes",
            content_type__model="route",
            object_id=OuterRef("pk"),
            to_status=Route.Status.DRAFT,
        )
        .order_by("-created_at", "-pk")
        .values(field)[:1]
    )


def _draft_routes(user: User, today: datetime.date) -> list[WorkItem]:
    """Routes in draft the user writes (sent back ones first in meaning: their state says so), and concluded cases
    of theirs with no route yet (none that is not cancelled)."""
    specialist, head = user.has_role(Role.SPECIALIST), user.has_perm("routes.manage_route")
    if not (specialist or head):
        return []
    mine = Q(drafted_by=user) if head else Q()
    if specialist:
        assigned = Assignment.objects.filter(
            application=OuterRef("application"), specialist=user, ended_at__isnull=True
        )
        mine = (mine | Q(Exists(assigned))) if head else Q(Exists(assigned))
    signed = (
        Conclusion.objects.filter(application=OuterRef("application"), signed_at__isnull=False)
        .order_by("-signed_at")
        .values("signed_at")[:1]
    )
    routes = (
        Route.objects.filter(mine, status=Route.Status.DRAFT)
        .select_related("application__student__user")
        .annotate(back_at=_last_move_to_draft("created_at"), back_why=_last_move_to_draft("comment"))
        .annotate(signed_at=Subquery(signed))
    )
    items = []
    for route in routes:
        returned = route.back_at is not None
        start = route.back_at or route.signed_at or route.created_at
        items.append(
            WorkItem(
                "draft_route",
                _name(route.application),
                reverse("routes:route", args=[route.pk]),
                _due(start, "draft_route"),
                State.RETURNED if returned else State.STARTED,
                route.back_why if returned else "",
            )
        )
    return items + (_cases_without_route(user) if specialist else [])


def _cases_without_route(user: User) -> list[WorkItem]:
    live = Route.objects.filter(application=OuterRef("pk")).exclude(status=Route.Status.CANCELLED)
    signed = (
        Conclusion.objects.filter(application=OuterRef("pk"), signed_at__isnull=False)
        .order_by("-signed_at")
        .values("signed_at")[:1]
    )
    rows = (
        Application.objects.filter(_active_assignments(user), status=Application.Status.CONCLUDED)
        .exclude(Exists(live))
        .annotate(last_signed=Subquery(signed))
        .select_related("student__user")
    )
    return [
        WorkItem("draft_route", _name(a), _case_url(a), _due(a.last_signed or a.created_at, "draft_route"))
        for a in rows
    ]


def _agree(user: User, today: datetime.date) -> list[WorkItem]:
    if not user.has_role(Role.LECTURER):
        return []
    rows = Agreement.objects.filter(
        lecturer=user,
        status=Agreement.Status.PENDING,
        route__status=Route.Status.IN_AGREEMENT,
        route__application__consent__withdrawn_at__isnull=True,
    ).select_related("section__course", "route__application__student__user")
    return [
        WorkItem(
            "agree",
            f"{_name(a.route.application)} — {a.section.course}",
            reverse("routes:route", args=[a.route_id]),
            a.due_on,
        )
        for a in rows
    ]


def _approve(user: User, today: datetime.date) -> list[WorkItem]:
    if not user.has_perm("routes.approve_route"):
        return []
    rows = Route.objects.filter(status=Route.Status.IN_APPROVAL).select_related("application__student__user")
    return [
        WorkItem(
            "approve",
            _name(r.application),
            reverse("routes:route", args=[r.pk]),
            _due(r.sent_for_approval_at or r.updated_at, "approve_route"),
        )
        for r in rows
    ]


def _review(user: User, today: datetime.date) -> list[WorkItem]:
    if not user.has_role(Role.SPECIALIST):
        return []
    horizon = today + datetime.timedelta(days=REVIEW_NOTICE_DAYS)
    assigned = Exists(
        Assignment.objects.filter(application=OuterRef("application"), specialist=user, ended_at__isnull=True)
    )
    rows = (
        Route.objects.filter(assigned, status=Route.Status.IN_FORCE)
        .filter(Q(first_review_on__lte=horizon) | Q(second_review_on__lte=horizon))
        .annotate(answered=Subquery(_review_count()))
        .select_related("application__student__user")
    )
    items = []
    for route in rows:
        dates = [day for day in (route.first_review_on, route.second_review_on) if day is not None]
        answered = route.answered or 0
        if answered < len(dates) and dates[answered] <= horizon:
            subject = route.registration_number or _name(route.application)
            items.append(WorkItem("review", subject, reverse("routes:route", args=[route.pk]), dates[answered]))
    return items


def _review_count():
    return (
        RouteReview.objects.filter(route=OuterRef("pk")).order_by().values("route").annotate(n=Count("pk")).values("n")
    )


def _changed_needs(user: User, today: datetime.date) -> list[WorkItem]:
    if not user.has_role(Role.SPECIALIST):
        return []
    assigned = Exists(
        Assignment.objects.filter(application=OuterRef("application"), specialist=user, ended_at__isnull=True)
    )
    rows = ChangedNeedsReport.objects.filter(assigned, review__isnull=True).select_related("application__student__user")
    return [
        WorkItem(
            "changed_needs",
            _name(report.application),
            _case_url(report.application),
            _due(report.created_at, "answer_changed_needs"),
        )
        for report in rows
    ]


def _meetings(user: User, today: datetime.date) -> list[WorkItem]:
    """Planned meetings the user chairs or keeps the minutes of, and protocols waiting for their signature."""
    if not (user.has_role(Role.SPECIALIST) or user.has_role(Role.CENTRE_HEAD)):
        return []  # only centre staff chair a meeting or keep its minutes (routes.services.meeting)
    items = []
    for meeting in TeamMeeting.objects.filter(Q(chair=user) | Q(secretary=user), status=TeamMeeting.Status.PLANNED):
        items.append(
            WorkItem(
                "hold_meeting",
                _meeting_name(meeting),
                reverse("routes:meeting", args=[meeting.pk]),
                timezone.localdate(meeting.starts_at),
            )
        )
    drafts = Protocol.objects.filter(
        Q(meeting__chair=user, chair_signed_at__isnull=True)
        | Q(meeting__secretary=user, secretary_signed_at__isnull=True),
        status=Protocol.Status.DRAFT,
    ).select_related("meeting")
    for protocol in drafts:
        items.append(
            WorkItem(
                "sign_protocol",
                _meeting_name(protocol.meeting),
                reverse("routes:meeting_protocol", args=[protocol.meeting_id]),
                _due(protocol.created_at, "sign_protocol"),
            )
        )
    return items


def _meeting_name(meeting: TeamMeeting) -> str:
    """The meeting by its date and time: two meetings of one day must not read alike."""
    start = timezone.localtime(meeting.starts_at)
    return _("Team meeting on %(date)s at %(time)s") % {
        "date": start.strftime("%d.%m.%Y"),
        "time": start.strftime("%H:%M"),
    }


_READERS = (
    _register,
    _assign,
    _assess,
    _sign_conclusion,
    _draft_routes,
    _agree,
    _approve,
    _review,
    _changed_needs,
    _meetings,
)


def _delivery_short(user: User, today: datetime.date) -> list[WorkItem]:
    """End-of-term surveys answered "partly" or "no", until the route is reviewed (selectors/delivery.py)."""
    return [
        WorkItem(
            "delivery_short",
            f"{_name(survey.route.application)} — {survey.term}",
            shortfall_url(survey),
            due,
        )
        for survey, due in shortfall_tasks(user)
    ]


def _consultations(user: User, today: datetime.date) -> list[WorkItem]:
    if not (user.has_role(Role.SPECIALIST) or user.has_role(Role.CENTRE_HEAD)):
        return []
    return [
        WorkItem(
            "consultation",
            f"{item.lecturer.full_name} — {item.course}",
            reverse("routes:consultation", args=[item.pk]),
            item.due_on,
            State.STARTED if item.taken_by_id else State.TO_DO,
        )
        for item in open_for_centre_worker(user)
    ]


def _appeals(user: User, today: datetime.date) -> list[WorkItem]:
    """Open appeals given to the user to review (only the centre head and the administration review)."""
    if not (user.has_role(Role.CENTRE_HEAD) or user.has_role(Role.ADMINISTRATION)):
        return []
    rows = Appeal.objects.filter(reviewer=user, status__in=Appeal.OPEN).select_related("application__student__user")
    return [
        WorkItem(
            "answer_appeal",
            f"{_name(appeal.application)} — {appeal.get_subject_display()}",
            reverse("routes:appeal", args=[appeal.pk]),
            appeal.due_on,
            State.STARTED if appeal.status == Appeal.Status.UNDER_REVIEW else State.TO_DO,
        )
        for appeal in rows
    ]


def _mse_lapsed(user: User, today: datetime.date) -> list[WorkItem]:
    """Routes in force whose student's MSE conclusion lapsed, until a review for that reason (selectors/mse.py)."""
    return [
        WorkItem(
            "mse_lapsed",
            route.registration_number or _name(route.application),
            reverse("routes:route_review", args=[route.pk]),
            _due(route.mse_lapsed_at, "review_after_mse_lapse"),
        )
        for route in mse_review_tasks(user)
    ]


_READERS += (_delivery_short, _consultations, _appeals, _mse_lapsed)


def has_work_list(user: User) -> bool:
    return bool(set(user.roles) & WORK_ROLES)


def work_of(user: User, *, today: datetime.date | None = None) -> list[WorkItem]:
    """Everything waiting on `user`, earliest due first (then by kind and subject); [] for a user with no staff
    role. One query per kind the user's roles can owe."""
    if not user.is_authenticated or not user.is_active or not has_work_list(user):
        return []
    today = today or timezone.localdate()
    items = [item for read in _READERS for item in read(user, today)]
    return sorted(items, key=lambda item: (item.due, list(KINDS).index(item.kind), item.subject))


def work_counts(items: list[WorkItem], today: datetime.date | None = None) -> tuple[int, int]:
    """(all, overdue) of a work list."""
    today = today or timezone.localdate()
    return len(items), sum(1 for item in items if item.is_overdue(today))


def cached_counts(user: User) -> tuple[int, int]:
    """(all, overdue) of the user's work list, for the menu: counted once per change of the data (the figure cache's
    data version, replaced by every committed change to a case, a route, a meeting, a grant or a role) and per day,
    so a page costs no query for it while nothing changed."""
    today = timezone.localdate()
    key = f"work:counts:{user.pk}:{today:%Y-%m-%d}:{figure_cache.data_version()}"
    counts = cache.get(key)
    if counts is None:
        counts = work_counts(work_of(user, today=today), today)
        cache.set(key, counts, settings.FIGURES_CACHE_SECONDS)
    return tuple(counts)
