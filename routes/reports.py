"""Reads behind the centre head's dashboard and the reports: aggregate figures only, each table one or two queries.

Reports are shown to the centre (every figure) and to the administration (aggregates, with any group smaller than
settings.REPORT_MIN_GROUP_SIZE hidden, since a small group can identify a student).
"""

import datetime
import statistics
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import StatusChange
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from students.models import AcademicTerm, Application, Enrolment, Faculty, NeedCategory, Programme, Student

from .models import Adaptation, Agreement, Assessment, Conclusion, ConclusionItem, Route

# A case counts once the centre registered it (drafts, rejected and withdrawn applications are not cases).
CASE_STATES = [
    Application.Status.REGISTERED,
    Application.Status.UNDER_ASSESSMENT,
    Application.Status.CONCLUDED,
    Application.Status.CLOSED,
]


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    chart: bool = True  # the first column labels a bar, the last holds its value


# --- Permissions --------------------------------------------------------------------------------------------


def can_see_dashboard(user: User) -> bool:
    return user.has_perm("routes.manage_route")


def can_see_reports(user: User) -> bool:
    return user.has_perm("routes.manage_route") or user.has_perm("routes.approve_route")


def sees_small_groups(user: User) -> bool:
    """Only the centre sees figures of groups below the threshold."""
    return user.has_perm("routes.manage_route")


# --- Dashboard ----------------------------------------------------------------------------------------------


def _by_choice(queryset: QuerySet, field_name: str, choices) -> list[list]:
    counts = dict(queryset.values_list(field_name).annotate(n=Count("pk")).values_list(field_name, "n"))
    return [[label, counts.get(value, 0)] for value, label in choices if counts.get(value, 0)]


def cases_by_state() -> Table:
    return Table(
        "cases",
        _("Cases by state"),
        [_("State"), _("Cases")],
        _by_choice(Application.objects.exclude(status=Application.Status.DRAFT), "status", Application.Status.choices),
    )


def routes_by_state(routes: QuerySet | None = None) -> Table:
    routes = Route.objects.all() if routes is None else routes
    return Table(
        "routes", _("Routes by state"), [_("State"), _("Routes")], _by_choice(routes, "status", Route.Status.choices)
    )


def workload() -> Table:
    """Per specialist: the cases they are assigned to, assessments still open, and route drafts they wrote."""
    open_assessments = Count(
        "assignments",
        filter=Q(assignments__ended_at__isnull=True, assignments__assessment__status=Assessment.Status.DRAFT),
        distinct=True,
    )
    rows = (
        User.objects.filter(groups__name=Role.SPECIALIST.value, is_active=True)
        .annotate(
            cases=Count(
                "assignments__application",
                filter=Q(assignments__ended_at__isnull=True) & ~Q(assignments__application__status="closed"),
                distinct=True,
            ),
            open_assessments=open_assessments,
        )
        .order_by("-cases", "full_name")
    )
    return Table(
        "workload",
        _("Workload per specialist"),
        [_("Specialist"), _("Open assessments"), _("Cases")],
        [[user.full_name, user.open_assessments, user.cases] for user in rows],
    )


def reviews_due(today: datetime.date) -> list[Route]:
    """Routes in force with a review date in this calendar month."""
    start = today.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    in_month = Q(first_review_on__gte=start, first_review_on__lt=end) | Q(
        second_review_on__gte=start, second_review_on__lt=end
    )
    return list(
        Route.objects.filter(in_month, status=Route.Status.IN_FORCE)
        .select_related("application__student__user")
        .order_by("first_review_on", "pk")
    )


def last_term(today: datetime.date) -> AcademicTerm | None:
    return AcademicTerm.objects.filter(starts_on__lte=today).order_by("-starts_on").first()


# (label, content type model, from statuses, to status): the time from entering the first state to the second.
_STEPS = [
    (_("Registration"), "application", {"submitted"}, "registered"),
    (_("Assessment and conclusion"), "application", {"registered"}, "concluded"),
    (_("Agreement by the lecturers"), "route", {"in_agreement"}, "in_approval"),
    (_("Approval"), "route", {"in_approval"}, "in_force"),
]


def median_days(since: datetime.date, until: datetime.date) -> Table:
    """Median calendar days per step, for steps that ended in the window."""
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(until, datetime.time.max))
    models = {"application", "route"}
    ending = StatusChange.objects.filter(
        content_type__app_label__in=["students", "routes"],
        content_type__model__in=models,
        created_at__range=(start, end),
        to_status__in=[step[3] for step in _STEPS],
    )
    ends = list(ending.values("content_type__model", "object_id", "to_status", "created_at"))
    starts: dict[tuple, list[datetime.datetime]] = {}
    starting_states = set().union(*(step[2] for step in _STEPS))
    for change in StatusChange.objects.filter(
        content_type__app_label__in=["students", "routes"],
        content_type__model__in=models,
        # A subquery, not the ids themselves: a term's thousands of ids make a slow IN list.
        object_id__in=ending.values("object_id"),
        to_status__in=starting_states,
    ).values("content_type__model", "object_id", "to_status", "created_at"):
        starts.setdefault((change["content_type__model"], change["object_id"], change["to_status"]), []).append(
            change["created_at"]
        )
    rows = []
    for label, model, from_states, to_state in _STEPS:
        durations = []
        for end_event in ends:
            if end_event["content_type__model"] != model or end_event["to_status"] != to_state:
                continue
            began = [
                moment
                for state in from_states
                for moment in starts.get((model, end_event["object_id"], state), [])
                if moment <= end_event["created_at"]
            ]
            if began:
                durations.append((end_event["created_at"] - max(began)).total_seconds() / 86400)
        if durations:
            rows.append([label, round(statistics.median(durations), 1), len(durations)])
    return Table(
        "median_days",
        _("Median days per step"),
        [_("Step"), _("Times"), _("Median days")],
        [[label, count, median] for label, median, count in rows],
    )


# --- Reports ------------------------------------------------------------------------------------------------


@dataclass
class ReportFilters:
    term: AcademicTerm | None = None
    faculty: Faculty | None = None


def _students(filters: ReportFilters) -> QuerySet:
    """Students with special educational needs: a case the centre registered, within the filters."""
    cases = Application.objects.filter(student=OuterRef("pk"), status__in=CASE_STATES)
    students = Student.objects.filter(Exists(cases))
    if filters.faculty is not None:
        students = students.filter(programme__faculty=filters.faculty)
    if filters.term is not None:
        students = students.filter(Exists(Enrolment.objects.filter(student=OuterRef("pk"), term=filters.term)))
    return students


def _grouped(students: QuerySet, field_name: str) -> dict:
    return dict(students.values_list(field_name).annotate(n=Count("pk", distinct=True)).values_list(field_name, "n"))


def report_tables(filters: ReportFilters) -> list[Table]:
    students = _students(filters)
    total = students.count()
    tables = [
        Table(
            "total",
            _("Students with special educational needs"),
            [_("Students"), _("Count")],
            [[_("All"), total]],
            chart=False,
        )
    ]

    by_category = (
        NeedCategory.objects.annotate(
            n=Count(
                "application__student",
                filter=Q(application__status__in=CASE_STATES, application__student__in=students),
                distinct=True,
            )
        )
        .filter(n__gt=0)
        .order_by("-n", "order")
    )
    tables.append(
        Table(
            "category",
            _("By category of need"),
            [_("Category of need"), _("Students")],
            [[c.name, c.n] for c in by_category],
        )
    )

    faculties = {f.pk: f for f in Faculty.objects.filter(pk__in=students.values("programme__faculty"))}
    tables.append(
        Table(
            "faculty",
            _("By faculty"),
            [_("Faculty"), _("Students")],
            [[faculties[pk].name, n] for pk, n in _grouped(students, "programme__faculty").items()],
        )
    )

    programmes = {p.pk: p for p in Programme.objects.filter(pk__in=students.values("programme"))}
    tables.append(
        Table(
            "programme",
            _("By programme"),
            [_("Programme"), _("Students")],
            [[str(programmes[pk]), n] for pk, n in _grouped(students, "programme").items()],
        )
    )

    tables.append(
        Table(
            "year",
            _("By year of study"),
            [_("Year of study"), _("Students")],
            [[year, n] for year, n in sorted(_grouped(students, "year_of_study").items())],
        )
    )

    latest_level = (
        Conclusion.objects.filter(application__student=OuterRef("pk"), status=Conclusion.Status.SIGNED)
        .order_by("-signed_at")
        .values("support_level")[:1]
    )
    levels = _grouped(students.annotate(level=Subquery(latest_level)), "level")
    tables.append(
        Table(
            "support_level",
            _("By level of support"),
            [_("Level of support"), _("Students")],
            [[label, levels[value]] for value, label in Conclusion.SupportLevel.choices if levels.get(value)],
        )
    )

    latest_group = (
        Application.objects.filter(student=OuterRef("pk"), status__in=CASE_STATES)
        .order_by("-registered_at")
        .values("disability_group")[:1]
    )
    groups = _grouped(students.annotate(disability=Subquery(latest_group)), "disability")
    tables.append(
        Table(
            "disability",
            _("By disability group"),
            [_("Disability group"), _("Students")],
            [[label, groups[value]] for value, label in Application.DisabilityGroup.choices if groups.get(value)],
        )
    )

    routes = Route.objects.filter(application__student__in=students)
    if filters.term is not None:
        routes = routes.filter(Q(term=filters.term) | Q(term__isnull=True, academic_year=filters.term.academic_year))
    tables.append(routes_by_state(routes))

    answered = (
        Agreement.objects.filter(route__in=routes, decided_at__isnull=False)
        .values_list("lecturer__full_name", "requested_at", "decided_at")
        .order_by("lecturer__full_name")
    )
    days: dict[str, list[float]] = {}
    for name, requested, decided in answered:
        days.setdefault(name, []).append((decided - requested).total_seconds() / 86400)
    tables.append(
        Table(
            "agreements",
            _("Agreements by lecturer"),
            [_("Lecturer"), _("Median days to answer"), _("Sections agreed or commented")],
            [[name, round(statistics.median(values), 1), len(values)] for name, values in days.items()],
        )
    )

    items = (
        ConclusionItem.objects.filter(
            conclusion__status=Conclusion.Status.SIGNED,
            conclusion__application__student__in=students,
            adaptation__isnull=False,
        )
        .values("adaptation")
        .annotate(n=Count("conclusion__application__student", distinct=True))
        .order_by("-n")[:15]
    )
    adaptations = {a.pk: a for a in Adaptation.objects.filter(pk__in=[i["adaptation"] for i in items])}
    tables.append(
        Table(
            "adaptations",
            _("Adaptations most recommended"),
            [_("Adaptation"), _("Students")],
            [[adaptations[i["adaptation"]].name, i["n"]] for i in items],
        )
    )
    for table in tables:
        if table.key in {"faculty", "programme", "agreements"}:
            table.rows.sort(key=lambda row: -row[-1])
    return tables


def suppress_small_groups(tables: list[Table]) -> list[Table]:
    """Replace every count below the threshold (but above zero) by a note that the group is too small to show."""
    threshold = settings.REPORT_MIN_GROUP_SIZE
    hidden = str(_("fewer than %(n)s") % {"n": threshold})
    for table in tables:
        for row in table.rows:
            count = row[-1]
            if isinstance(count, int) and 0 < count < threshold:
                row[-1] = hidden
                # The other figures of a hidden row (a median of one lecturer's few answers) would show it too.
                for index in range(1, len(row) - 1):
                    row[index] = "—"
    return tables


def chart_rows(table: Table) -> list[tuple[str, float, float]]:
    """(label, value, width in %) for the bars; hidden or non-numeric values get no bar."""
    values = [row[-1] for row in table.rows if isinstance(row[-1], int | float)]
    top = max(values, default=0) or 1
    return [
        (str(row[0]), row[-1], round(100 * row[-1] / top, 1)) for row in table.rows if isinstance(row[-1], int | float)
    ]
