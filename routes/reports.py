"""Reads behind the centre head's dashboard and the reports: aggregate figures only, each table one or two queries.

Reports are shown to the centre (every figure) and to the administration (aggregates, with any group smaller than
settings.REPORT_MIN_GROUP_SIZE hidden, since a small group can identify a student).
"""

import datetime
import statistics
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audit.models import StatusChange
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from students.models import AcademicTerm, Application, Enrolment, Faculty, NeedCategory, Programme, Student
from students.permissions import visible_to_staff

from . import deadlines
from .models import (
    Adaptation,
    Agreement,
    Assessment,
    Conclusion,
    ConclusionItem,
    DeliveryAnswer,
    DeliverySurvey,
    Route,
)

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
    labels: int = 1  # the leading columns that name the row (kept when its figures are hidden)


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


def cases_and_routes_by_state() -> tuple[Table, Table]:
    """Cases by state and routes by state for the dashboard, counted in one query (UNION ALL)."""
    cases = (
        visible_to_staff(Application.objects).order_by().values("status").annotate(n=Count("pk"), kind=Value("cases"))
    )
    routes = Route.objects.order_by().values("status").annotate(n=Count("pk"), kind=Value("routes"))
    counts: dict[str, dict[str, int]] = {"cases": {}, "routes": {}}
    for row in cases.union(routes, all=True):
        counts[row["kind"]][row["status"]] = row["n"]

    def rows(kind: str, choices) -> list[list]:
        return [[label, counts[kind][value]] for value, label in choices if counts[kind].get(value, 0)]

    return (
        Table("cases", _("Cases by state"), [_("State"), _("Cases")], rows("cases", Application.Status.choices)),
        Table("routes", _("Routes by state"), [_("State"), _("Routes")], rows("routes", Route.Status.choices)),
    )


def routes_by_state(routes: QuerySet | None = None) -> Table:
    routes = Route.objects.all() if routes is None else routes
    return Table(
        "routes", _("Routes by state"), [_("State"), _("Routes")], _by_choice(routes, "status", Route.Status.choices)
    )


def _workload_counts() -> dict:
    return {
        "cases": Count(
            "assignments__application",
            filter=Q(assignments__ended_at__isnull=True) & ~Q(assignments__application__status="closed"),
            distinct=True,
        ),
        "open_assessments": Count(
            "assignments",
            filter=Q(assignments__ended_at__isnull=True, assignments__assessment__status=Assessment.Status.DRAFT),
            distinct=True,
        ),
    }


def dashboard_people() -> tuple[Table, list[User]]:
    """workload() and deadlines.heads_and_approvers() in one query: the specialists' table, and the active heads
    and approvers (each with `is_head` and `is_approver`) that overdue steps are owed by."""
    memberships = User.groups.through.objects
    specialist = Q(group__name=Role.SPECIALIST.value)
    people = list(
        User.objects.filter(
            is_active=True,
            pk__in=memberships.filter(specialist | deadlines.HEAD | deadlines.APPROVER).values("user_id"),
        )
        .annotate(
            is_specialist=Exists(memberships.filter(specialist, user=OuterRef("pk"))),
            is_head=Exists(memberships.filter(deadlines.HEAD, user=OuterRef("pk"))),
            is_approver=Exists(memberships.filter(deadlines.APPROVER, user=OuterRef("pk"))),
            **_workload_counts(),
        )
        .order_by("-cases", "full_name")
    )
    table = _workload_table([user for user in people if user.is_specialist])
    return table, [user for user in people if user.is_head or user.is_approver]


def workload() -> Table:
    """Per specialist: the cases they are assigned to, assessments still open, and route drafts they wrote."""
    rows = (
        User.objects.filter(groups__name=Role.SPECIALIST.value, is_active=True)
        .annotate(**_workload_counts())
        .order_by("-cases", "full_name")
    )
    return _workload_table(rows)


def _workload_table(rows) -> Table:
    return Table(
        "workload",
        _("Workload per specialist"),
        [_("Specialist"), _("Open assessments"), _("Cases")],
        [[user.full_name, user.open_assessments, user.cases] for user in rows],
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
    # PostgreSQL computes the medians; other databases (SQLite, for `make run`) get the same figures from Python.
    rows = _median_days_sql(start, end) if connection.vendor == "postgresql" else _median_days_python(start, end)
    return Table(
        "median_days",
        _("Median days per step"),
        [_("Step"), _("Times"), _("Median days")],
        [[label, count, median] for label, median, count in rows],
    )


def _step_conditions() -> tuple[list[str], list[str], list, list]:
    """The SQL of each step of _STEPS: which ending change is that step (a CASE branch) and which earlier change
    began it, with their parameters."""
    ends, starts, params_ends, params_starts = [], [], [], []
    for index, (_label, model, from_states, to_state) in enumerate(_STEPS):
        ends.append(f"WHEN ct.model = %s AND e.to_status = %s THEN {index}")
        params_ends += [model, to_state]
        placeholders = ", ".join(["%s"] * len(from_states))
        starts.append(f"(ct.model = %s AND e.to_status = %s AND s.to_status IN ({placeholders}))")
        params_starts += [model, to_state, *sorted(from_states)]
    return ends, starts, params_ends, params_starts


def _median_days_sql(start: datetime.datetime, end: datetime.datetime) -> list[list]:
    """PostgreSQL: each ending change joined to the latest starting change of its object before it, and the
    median (percentile_cont) and count per step computed by the database, in one query."""
    # The content types are joined, not looked up: a process's first request would pay a query for each.
    labels = {"application": Application._meta.app_label, "route": Route._meta.app_label}
    ends, starts, params_ends, params_starts = _step_conditions()
    table = StatusChange._meta.db_table
    content_types = ContentType._meta.db_table
    # The table name is the model's; every value is a parameter.
    sql = f"""
        SELECT step, percentile_cont(0.5) WITHIN GROUP (ORDER BY days), COUNT(*)
        FROM (
            SELECT CASE {" ".join(ends)} END AS step,
                   EXTRACT(EPOCH FROM e.created_at - began.at) / 86400 AS days
            FROM {table} e
            INNER JOIN {content_types} ct ON ct.id = e.content_type_id
            CROSS JOIN LATERAL (
                SELECT MAX(s.created_at) AS at FROM {table} s
                WHERE s.content_type_id = e.content_type_id AND s.object_id = e.object_id
                  AND s.created_at <= e.created_at AND ({" OR ".join(starts)})
            ) began
            WHERE e.created_at BETWEEN %s AND %s AND e.to_status = ANY(%s)
              AND ((ct.app_label = %s AND ct.model = 'application') OR (ct.app_label = %s AND ct.model = 'route'))
              AND began.at IS NOT NULL
        ) durations
        WHERE step IS NOT NULL
        GROUP BY step
    """  # noqa: S608
    params = [
        *params_ends,
        *params_starts,
        start,
        end,
        sorted({step[3] for step in _STEPS}),
        labels["application"],
        labels["route"],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {step: (float(median), count) for step, median, count in cursor.fetchall()}
    return [
        [label, round(found[index][0], 1), found[index][1]]
        for index, (label, *_rest) in enumerate(_STEPS)
        if index in found
    ]


def _median_days_python(start: datetime.datetime, end: datetime.datetime) -> list[list]:
    """Other databases (SQLite, for `make run`): the same figures computed in Python from the changes."""
    models = {"application", "route"}
    ending = StatusChange.objects.filter(
        content_type__app_label__in=["students", "routes"],
        content_type__model__in=models,
        created_at__range=(start, end),
        to_status__in=[step[3] for step in _STEPS],
    )
    starts: dict[tuple, list[datetime.datetime]] = {}
    starting_states = set().union(*(step[2] for step in _STEPS))
    # The ending changes and the starting changes of the same objects, in one query.
    ends = []
    for change in StatusChange.objects.filter(
        Q(created_at__range=(start, end), to_status__in=[step[3] for step in _STEPS])
        # A subquery, not the ids themselves: a term's thousands of ids make a slow IN list.
        | Q(object_id__in=ending.values("object_id"), to_status__in=starting_states),
        content_type__app_label__in=["students", "routes"],
        content_type__model__in=models,
    ).values("content_type__model", "object_id", "to_status", "created_at"):
        if start <= change["created_at"] <= end and change["to_status"] in {step[3] for step in _STEPS}:
            ends.append(change)
        if change["to_status"] in starting_states:
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
    return rows


class Median(Aggregate):
    """PostgreSQL's median: percentile_cont(0.5), interpolating between the two middle values as statistics.median
    does."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


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


def case_students() -> QuerySet:
    """Every student with a case the centre registered."""
    return _students(ReportFilters())


def report_tables(filters: ReportFilters) -> list[Table]:
    students = _students(filters)
    people = _student_rows(students)
    tables = [
        Table(
            "total",
            _("Students with special educational needs"),
            [_("Students"), _("Count")],
            [[_("All"), len(people)]],
            chart=False,
        ),
        _category_table(students),
        *_counted_tables(people),
    ]
    routes = Route.objects.filter(application__student__in=students)
    if filters.term is not None:
        routes = routes.filter(Q(term=filters.term) | Q(term__isnull=True, academic_year=filters.term.academic_year))
    tables.append(routes_by_state(routes))
    tables.append(
        Table(
            "agreements",
            _("Agreements by lecturer"),
            [_("Lecturer"), _("Median days to answer"), _("Sections agreed or commented")],
            _answer_medians(Agreement.objects.filter(route__in=routes, decided_at__isnull=False)),
        )
    )
    tables.append(_adaptations_table(students))
    tables.extend(delivery_tables(students, filters.term))
    for table in tables:
        if table.key in {"faculty", "programme", "agreements"}:
            table.rows.sort(key=lambda row: (-row[-1], str(row[0])))
    return tables


def _student_rows(students: QuerySet) -> list[tuple]:
    """One row per student (faculty, programme, year, latest level of support, latest disability group), counted
    in Python: one read of the students instead of one per table."""
    latest_level = (
        Conclusion.objects.filter(application__student=OuterRef("pk"), status=Conclusion.Status.SIGNED)
        .order_by("-signed_at")
        .values("support_level")[:1]
    )
    latest_group = (
        Application.objects.filter(student=OuterRef("pk"), status__in=CASE_STATES)
        .order_by("-registered_at")
        .values("disability_group")[:1]
    )
    return list(
        students.annotate(level=Subquery(latest_level), disability=Subquery(latest_group))
        .order_by()
        .values_list("programme__faculty", "programme", "year_of_study", "level", "disability")
    )


def _category_table(students: QuerySet) -> Table:
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
    return Table(
        "category",
        _("By category of need"),
        [_("Category of need"), _("Students")],
        [[c.name, c.n] for c in by_category],
    )


def _counted_tables(people: list[tuple]) -> list[Table]:
    """The tables counted from the students' rows: by faculty, programme, year, level of support, disability."""
    by_faculty = Counter(row[0] for row in people if row[0] is not None)
    by_programme = Counter(row[1] for row in people if row[1] is not None)
    by_year = Counter(row[2] for row in people)
    levels = Counter(row[3] for row in people)
    groups = Counter(row[4] for row in people)
    faculties = {f.pk: f for f in Faculty.objects.filter(pk__in=list(by_faculty))} if by_faculty else {}
    programmes = {p.pk: p for p in Programme.objects.filter(pk__in=list(by_programme))} if by_programme else {}
    students = _("Students")
    return [
        Table(
            "faculty",
            _("By faculty"),
            [_("Faculty"), students],
            [[faculties[pk].name, n] for pk, n in by_faculty.items()],
        ),
        Table(
            "programme",
            _("By programme"),
            [_("Programme"), students],
            [[str(programmes[pk]), n] for pk, n in by_programme.items()],
        ),
        Table(
            "year",
            _("By year of study"),
            [_("Year of study"), students],
            [[year, n] for year, n in sorted(by_year.items())],
        ),
        Table(
            "support_level",
            _("By level of support"),
            [_("Level of support"), students],
            [[label, levels[value]] for value, label in Conclusion.SupportLevel.choices if levels.get(value)],
        ),
        Table(
            "disability",
            _("By disability group"),
            [_("Disability group"), students],
            [[label, groups[value]] for value, label in Application.DisabilityGroup.choices if groups.get(value)],
        ),
    ]


def _answer_medians(answered: QuerySet) -> list[list]:
    """[lecturer, median days to answer, answers] per lecturer, by name."""
    if connection.vendor != "postgresql":
        return _answer_medians_python(answered)
    # The median per lecturer computed by the database (percentile_cont), not from every answer in Python.
    days_to_answer = ExpressionWrapper(
        Func(F("decided_at") - F("requested_at"), template="EXTRACT(EPOCH FROM %(expressions)s)") / 86400,
        output_field=FloatField(),
    )
    return [
        [name, round(median, 1), count]
        for name, median, count in answered.values("lecturer__full_name")
        .annotate(median=Median(days_to_answer), n=Count("pk"))
        .values_list("lecturer__full_name", "median", "n")
        .order_by("lecturer__full_name")
    ]


def _answer_medians_python(answered: QuerySet) -> list[list]:
    """Other databases (SQLite, for `make run`): the same figures computed in Python from every answer."""
    days: dict[str, list[float]] = {}
    for name, requested, decided in answered.values_list("lecturer__full_name", "requested_at", "decided_at").order_by(
        "lecturer__full_name"
    ):
        days.setdefault(name, []).append((decided - requested).total_seconds() / 86400)
    return [[name, round(statistics.median(values), 1), len(values)] for name, values in days.items()]


def _adaptations_table(students: QuerySet) -> Table:
    """The 15 adaptations recommended to the most students (signed conclusions)."""
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
    return Table(
        "adaptations",
        _("Adaptations most recommended"),
        [_("Adaptation"), _("Students")],
        [[adaptations[i["adaptation"]].name, i["n"]] for i in items],
    )


# --- Support promised against support delivered (the end-of-term surveys) ------------------------------------


def _answered(students: QuerySet, term: AcademicTerm | None) -> QuerySet:
    surveys = DeliverySurvey.objects.filter(
        status=DeliverySurvey.Status.ANSWERED, route__application__student__in=students
    )
    return surveys if term is None else surveys.filter(term=term)


def _names(model, pks) -> dict:
    """{pk: localised name} of the terms or faculties a table names, in one query."""
    pks = {pk for pk in pks if pk is not None}
    return {row.pk: row.name if hasattr(row, "name_kk") else str(row) for row in model.objects.filter(pk__in=pks)}


def delivery_tables(students: QuerySet, term: AcademicTerm | None = None) -> list[Table]:
    """Per term, faculty and kind of support: what the routes promised (questions answered) against what was
    provided, partly provided and not provided; then per term and faculty the routes asked and those where delivery
    fell short. Answered surveys only, two queries plus the names."""
    surveys = _answered(students, term)
    faculty = "survey__route__application__student__programme__faculty"
    answers = (
        DeliveryAnswer.objects.filter(survey__in=surveys)
        .values("survey__term", faculty, "measure__who")
        .annotate(
            yes=Count("pk", filter=Q(answer=DeliveryAnswer.Answer.YES)),
            partly=Count("pk", filter=Q(answer=DeliveryAnswer.Answer.PARTLY)),
            no=Count("pk", filter=Q(answer=DeliveryAnswer.Answer.NO)),
            n=Count("pk"),
        )
        .order_by()
    )
    answers = list(answers)
    routes = list(
        surveys.values("term", "route__application__student__programme__faculty")
        .annotate(
            asked=Count("route", distinct=True),
            short=Count("route", distinct=True, filter=Q(fell_short=True)),
        )
        .order_by()
    )
    terms = _names(AcademicTerm, [row["survey__term"] for row in answers] + [row["term"] for row in routes])
    starts = dict(AcademicTerm.objects.filter(pk__in=list(terms)).values_list("pk", "starts_on")) if terms else {}
    faculties = _names(
        Faculty,
        [row[faculty] for row in answers] + [row["route__application__student__programme__faculty"] for row in routes],
    )
    unknown = "—"

    def place(term_pk, faculty_pk) -> tuple:
        return terms.get(term_pk, unknown), faculties.get(faculty_pk, unknown)

    courses = str(_("Adaptations in the courses"))
    delivered = [
        [
            *place(row["survey__term"], row[faculty]),
            row["measure__who"] or courses,
            row["yes"],
            row["partly"],
            row["no"],
            row["n"],
        ]
        for row in sorted(
            answers, key=lambda r: (_newest(starts, r["survey__term"]), str(r[faculty]), r["measure__who"] or "")
        )
    ]
    fell_short = [
        [*place(row["term"], row["route__application__student__programme__faculty"]), row["asked"], row["short"]]
        for row in sorted(routes, key=lambda r: _newest(starts, r["term"]))
    ]
    return [
        Table(
            "delivery",
            _("Support promised and delivered"),
            [
                _("Term"),
                _("Faculty"),
                pgettext_lazy("delivery figures", "Support"),
                pgettext_lazy("delivery figures", "Provided"),
                pgettext_lazy("delivery figures", "Partly provided"),
                pgettext_lazy("delivery figures", "Not provided"),
                pgettext_lazy("delivery figures", "Answers"),
            ],
            delivered,
            chart=False,
            labels=3,
        ),
        Table(
            "delivery_short",
            _("Routes where delivery fell short"),
            [_("Term"), _("Faculty"), _("Routes asked"), _("Routes that fell short")],
            fell_short,
            chart=False,
            labels=2,
        ),
    ]


def _newest(starts: dict, term_pk) -> float:
    """Sort key: the newest term first."""
    started = starts.get(term_pk)
    return -started.toordinal() if started else 0


def last_surveyed_term() -> AcademicTerm | None:
    """The latest term whose delivery surveys have answers (surveys open when a term ends)."""
    answered = DeliverySurvey.objects.filter(term=OuterRef("pk"), status=DeliverySurvey.Status.ANSWERED)
    return AcademicTerm.objects.filter(Exists(answered)).order_by("-ends_on").first()


SHORT_ROUTES_SHOWN = 20


def routes_short_of(term: AcademicTerm) -> tuple[list[Route], int]:
    """The routes where delivery fell short in `term` (a student's or a lecturer's answer of "partly" or "no"),
    the first SHORT_ROUTES_SHOWN by number with the student loaded, and how many there are: two queries."""
    short = DeliverySurvey.objects.filter(
        route=OuterRef("pk"), term=term, status=DeliverySurvey.Status.ANSWERED, fell_short=True
    )
    routes = Route.objects.filter(Exists(short))
    shown = list(
        routes.select_related("application__student__user").order_by("registration_number", "pk")[:SHORT_ROUTES_SHOWN]
    )
    return shown, routes.count() if len(shown) == SHORT_ROUTES_SHOWN else len(shown)


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
                for index in range(table.labels, len(row) - 1):
                    row[index] = "—"
    return tables


def chart_rows(table: Table) -> list[tuple[str, float, float]]:
    """(label, value, width in %) for the bars; hidden or non-numeric values get no bar."""
    values = [row[-1] for row in table.rows if isinstance(row[-1], int | float)]
    top = max(values, default=0) or 1
    return [
        (str(row[0]), row[-1], round(100 * row[-1] / top, 1)) for row in table.rows if isinstance(row[-1], int | float)
    ]
