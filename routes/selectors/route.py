"""Reads for the route pages, already filtered to what the user may see."""

import datetime

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import StatusChange
from inclusion_centre.accounts.grants import granted, prefetch_grants, remember_grant
from inclusion_centre.accounts.models import User
from inclusion_centre.workdays import add_working_days
from students.models import AcademicTerm, Application, ApplicationUserObjectPermission, StudentUserObjectPermission

from .. import permissions
from ..models import (
    Agreement,
    ChangedNeedsReport,
    Conclusion,
    Route,
    RouteSection,
    RouteUserObjectPermission,
)
from .assessment import case_conclusions
from .common import _case_rows


def _route_readers():
    """The ids of the users granted `view_route` on the outer query's route (the lecturers ever asked about it), as
    one comma-separated text: the object grants, read with the route."""
    grants, permission, route = (
        RouteUserObjectPermission._meta.db_table,
        Permission._meta.db_table,
        Route._meta.db_table,
    )
    ids = "STRING_AGG(g.user_id::text, ',')"
    if connection.vendor != "postgresql":
        ids = "GROUP_CONCAT(g.user_id)"
    sql = (
        f"SELECT {ids} FROM {grants} g INNER JOIN {permission} p ON p.id = g.permission_id"  # noqa: S608
        f' WHERE g.content_object_id = "{route}"."id" AND p.codename = %s'
    )
    return RawSQL(sql, ["view_route"])  # noqa: S611 -- table names from the models, the codename a parameter


def _holds(model, codename: str, user: User, outer: str) -> Exists:
    """Whether `user` holds the object grant `codename` on the object the outer query's column `outer` names."""
    return Exists(model.objects.filter(content_object=OuterRef(outer), user=user.pk, permission__codename=codename))


def case_routes(application: Application) -> list:
    """Every version of the case's route, newest first, each with what the case page reads of its agreements:
    `pending_due` (the latest due date of a section still waiting) and `readers` (ids of the users granted
    `view_route`: the lecturers ever asked, who may open it), read in the same query."""
    pending = (
        Agreement.objects.filter(route=OuterRef("pk"), status=Agreement.Status.PENDING)
        .order_by("-due_on")
        .values("due_on")[:1]
    )

    def read() -> list:
        routes = list(
            Route.objects.filter(application=application)
            .select_related("application__student", "term")
            .annotate(pending_due=Subquery(pending), granted_readers=_route_readers())
            .order_by("-version")
        )
        for route in routes:
            route.readers = {int(pk) for pk in (route.granted_readers or "").split(",") if pk}
        return routes

    return _case_rows(application, "routes", read)


def case_changed_needs(application: Application) -> list:
    return _case_rows(
        application,
        "changed_needs",
        lambda: list(
            ChangedNeedsReport.objects.filter(application=application).select_related("reported_by", "review")
        ),
    )


def route_next_step(application: Application, *, applicant_side: bool = False):
    """What happens next with the route of a concluded case, in words for the case page (for the student's side
    when `applicant_side`). A report of changed needs not yet answered by a review comes first."""
    from students.selectors import NextStep

    R = Route.Status
    route = next((route for route in case_routes(application) if route.status != R.CANCELLED), None)
    if route is None:
        signed = max(
            (
                c.signed_at
                for c in case_conclusions(application)
                if c.status == Conclusion.Status.SIGNED and c.signed_at
            ),
            default=None,
        )
        due = (
            add_working_days(timezone.localdate(signed), settings.DEADLINE_WORKING_DAYS["draft_route"])
            if signed
            else None
        )
        return NextStep(_("A specialist drafts the individual educational route."), due)
    if route.status == R.DRAFT:
        return NextStep(_("Specialists are preparing the individual educational route."))
    if route.status == R.IN_AGREEMENT:
        return NextStep(_("The lecturers check the route for their courses."), route.pending_due)
    if route.status == R.IN_APPROVAL:
        return NextStep(_("The administration approves the route."), approval_due(route))
    if route.status == R.IN_FORCE:
        pending = [report for report in case_changed_needs(application) if report.review_id is None]
        if pending:
            reported = timezone.localtime(min(report.created_at for report in pending)).strftime("%d.%m.%Y")
            if applicant_side:
                text = _(
                    "You told the centre on %(date)s that your needs have changed. The centre reviews your route "
                    "and prepares a new version if needed; until then the current route stays in force."
                )
            else:
                text = _(
                    "The student reported changed needs on %(date)s. The centre reviews the route and prepares a "
                    "new version if needed."
                )
            return NextStep(text % {"date": reported})
        return NextStep(_("The route is in force. The centre reviews it on the review date."), route.first_review_on)
    if route.status == R.UNDER_REVIEW:
        return NextStep(_("The route is in force while the centre prepares a new version."))
    return NextStep(_("The route has ended."))


# What a concluded case's stage reads as, by the status of its route (students/stages.py).
_STAGE = {
    Route.Status.DRAFT: gettext_lazy("Route being drafted"),
    Route.Status.IN_AGREEMENT: gettext_lazy("Route with the lecturers"),
    Route.Status.IN_APPROVAL: gettext_lazy("Route awaiting approval"),
    Route.Status.IN_FORCE: gettext_lazy("Route in force"),
    Route.Status.UNDER_REVIEW: gettext_lazy("Route in force, under review"),
    Route.Status.COMPLETED: gettext_lazy("Route completed"),
}


def case_stages(applications) -> dict[int, str]:
    """{application pk: stage} for the concluded cases among `applications` that have a route: the furthest
    stage the case has reached. A route in force being revised reads "under review" whatever the new version's
    state; otherwise the newest version that is not cancelled or superseded decides. One query."""
    concluded = [a.pk for a in applications if a.status == Application.Status.CONCLUDED]
    if not concluded:
        return {}
    newest: dict[int, tuple[int, str]] = {}
    rows = (
        Route.objects.filter(application__in=concluded)
        .exclude(status__in=[Route.Status.CANCELLED, Route.Status.SUPERSEDED])
        .values_list("application_id", "version", "status")
    )
    for application_id, version, status in rows:
        current = newest.get(application_id)
        if current is not None and current[1] == Route.Status.UNDER_REVIEW:
            continue
        if status == Route.Status.UNDER_REVIEW or current is None or version > current[0]:
            newest[application_id] = (version, status)
    return {pk: str(_STAGE[status]) for pk, (_version, status) in newest.items() if status in _STAGE}


def _route_queryset():
    return Route.objects.select_related(
        "application__student__user",
        "application__student__mse",
        "application__student__programme",
        "application__student__group",
        "application__consent",
        "conclusion",
        "term",
        "tutor",
        "drafted_by",
        "approved_by",
        "previous",
    ).prefetch_related("measures")


def _columns(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def _cache_as_prefetched(instance, name: str, rows: list) -> None:
    """Put `rows` where `instance.<name>.all()` finds them, as prefetch_related(name) would."""
    queryset = getattr(instance, name).get_queryset()  # not evaluated
    queryset._result_cache = rows
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


def _load_sections_and_agreements(route) -> None:
    """The route's course sections (with course, term and lecturer) and their agreements (with the lecturer
    asked), in one query: the sections LEFT JOINed to their agreements. Fills `route.sections.all()` (by order)
    and `route.agreements.all()` (by section, newest first) as prefetch_related would; an agreement's section is
    the section object, with its course."""
    from students.models import AcademicTerm, Course

    parts = [
        (RouteSection, ""),
        (Course, "course__"),
        (AcademicTerm, "term__"),
        (User, "lecturer__"),
        (Agreement, "agreements__"),
        (User, "agreements__lecturer__"),
    ]
    spans, names, start = [], [], 0
    for model, prefix in parts:
        columns = _columns(model)
        spans.append((model, columns, start, start + len(columns)))
        names.extend(prefix + column for column in columns)
        start += len(columns)
    rows = RouteSection.objects.filter(route=route).order_by("order", "pk", "-agreements__pk").values_list(*names)
    db = rows.db
    sections: dict[int, RouteSection] = {}
    agreements = []
    for row in rows:
        section_model, section_columns, a, b = spans[0]
        section = sections.get(row[a])
        if section is None:
            section = section_model.from_db(db, section_columns, row[a:b])
            for (model, columns, a, b), field in zip(spans[1:4], ("course", "term", "lecturer"), strict=True):
                setattr(section, field, model.from_db(db, columns, row[a:b]))
            section.route = route
            sections[section.pk] = section
        agreement_model, agreement_columns, a, b = spans[4]
        if row[a] is None or row[a + agreement_columns.index("route_id")] != route.pk:
            continue
        agreement = agreement_model.from_db(db, agreement_columns, row[a:b])
        lecturer_model, lecturer_columns, c, d = spans[5]
        agreement.lecturer = lecturer_model.from_db(db, lecturer_columns, row[c:d])
        agreement.section = section
        agreement.route = route
        agreements.append(agreement)
    agreements.sort(key=lambda agreement: (agreement.section_id, -agreement.pk))
    _cache_as_prefetched(route, "sections", list(sections.values()))
    _cache_as_prefetched(route, "agreements", agreements)


def route_for(user: User, pk: int):
    """The route and how much of it the user sees (a permissions.RouteAccess value); Http404 when nothing.

    Whether the user represents the student, is assigned to the case or was asked about the route (three object
    grants) is read with the route (three EXISTS on the grant tables), so asking has_perm about them costs nothing."""
    route = (
        _route_queryset()
        .annotate(
            viewer_represents=_holds(StudentUserObjectPermission, "act_for_student", user, "application__student"),
            viewer_assigned=_holds(ApplicationUserObjectPermission, "assess_application", user, "application"),
            viewer_asked=_holds(RouteUserObjectPermission, "view_route", user, "pk"),
        )
        .filter(pk=pk)
        .first()
    )
    if route is None:
        raise Http404
    _load_sections_and_agreements(route)
    remember_grant(user, route.application.student, "act_for_student", route.viewer_represents)
    remember_grant(user, route.application, "assess_application", route.viewer_assigned)
    remember_grant(user, route, "view_route", route.viewer_asked)
    access = permissions.route_access(user, route)
    if access is None:
        raise Http404
    if route.status == Route.Status.IN_AGREEMENT:
        prefetch_grants(user, route.sections.all())  # who may answer which section, in one query
    return route, access


def visible_sections(route, user: User, access: str) -> list:
    """The course sections the user may read: a lecturer only their own courses, removed ones only for authors."""
    sections = list(route.sections.all())
    if access == permissions.RouteAccess.LECTURER:
        return [s for s in sections if s.is_active and s.lecturer_id == user.pk]
    if access == permissions.RouteAccess.WORKING:
        return sections
    return [s for s in sections if s.is_active]


def current_agreements(route) -> dict[int, object]:
    """The valid (not withdrawn) agreement of each section, from the prefetched rows."""
    current = {}
    for agreement in route.agreements.all():
        if agreement.status != Agreement.Status.WITHDRAWN:
            current.setdefault(agreement.section_id, agreement)
    return current


def route_timeline(route) -> list[StatusChange]:
    return list(
        StatusChange.objects.filter(
            content_type__app_label="routes", content_type__model="route", object_id=route.pk
        ).select_related("actor")
    )


def approval_due(route) -> datetime.date | None:
    if route.sent_for_approval_at is None:
        return None
    return add_working_days(
        timezone.localdate(route.sent_for_approval_at), settings.DEADLINE_WORKING_DAYS["approve_route"]
    )


def routes_on_case(user: User, application: Application) -> list[tuple]:
    """(route, access) for every version of the case's route this user may open, newest first."""

    routes = case_routes(application)
    visible = []
    for route in routes:
        route.application = application  # already loaded, with what the permission checks read
        remember_grant(user, route, "view_route", user.pk in route.readers)
        access = permissions.route_access(user, route)
        if access is not None:
            visible.append((route, access))
    return visible


def agreement_for(user: User, pk: int) -> tuple:
    """The agreement `user` answers, with its route and the user's access (route_for): Http404 unless the user is
    a lecturer asked about the route (their `routes.view_route` grant) and, while the agreement waits, holds
    `routes.agree_routesection` on its section (the grant the request wrote and the answer removes)."""
    asked_about = granted(user, "routes.view_route", Route.objects.all())
    route_id = Agreement.objects.filter(pk=pk, route__in=asked_about).values_list("route_id", flat=True).first()
    if route_id is None:
        raise Http404
    route, access = route_for(user, route_id)
    agreement = next(a for a in route.agreements.all() if a.pk == pk)
    waiting = agreement.status == Agreement.Status.PENDING
    if waiting and not user.has_perm("routes.agree_routesection", agreement.section):
        raise Http404  # another lecturer's section of the same route
    return route, access, agreement


def _lecturer_rows(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("section__course", "section__term", "route__application__student__user")


def agreements_awaiting(user: User) -> QuerySet:
    """The sections waiting for the user's answer (their `routes.agree_routesection` grants), soonest due first."""
    asked = granted(user, "routes.agree_routesection", RouteSection.objects.all())
    awaiting = Agreement.objects.filter(
        section__in=asked, status=Agreement.Status.PENDING, route__status=Route.Status.IN_AGREEMENT
    )
    return _lecturer_rows(awaiting).order_by("due_on", "pk")


def agreements_answered(user: User) -> QuerySet:
    """The user's own answers (the agreements naming them) on the routes they were asked about (their
    `routes.view_route` grants), newest first."""
    asked_about = granted(user, "routes.view_route", Route.objects.all())
    answered = Agreement.objects.filter(route__in=asked_about, lecturer=user, status__in=Agreement.ANSWERS)
    return _lecturer_rows(answered).order_by("-decided_at", "-pk")


def approval_queue(user: User) -> QuerySet:
    """Routes every lecturer agreed, waiting for the administration, oldest first."""
    if not user.has_perm("routes.approve_route"):
        raise Http404
    # The sections counted by a subquery, not an aggregate over a join: the page's count and its 25 rows need no
    # GROUP BY over every route waiting (5.4 of the query's 6.3 ms on the benchmark's data).
    sections = (
        RouteSection.objects.filter(route=OuterRef("pk"), removed_at__isnull=True)
        .order_by()
        .values("route")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Route.objects.filter(status=Route.Status.IN_APPROVAL)
        .select_related("application__student__user", "application__student__programme", "term")
        .annotate(section_count=Coalesce(Subquery(sections), 0))
        .order_by("sent_for_approval_at", "pk")
    )


def courses_without_lecturer(route) -> list:
    """Courses the student takes in the route's period that nobody teaches in the data: no section was made."""
    from students.models import Enrolment, TeachingAssignment

    terms = [route.term] if route.term_id else list(AcademicTerm.objects.filter(academic_year=route.academic_year))
    taught = TeachingAssignment.objects.filter(course=OuterRef("course"), term=OuterRef("term"))
    return [
        e.course
        for e in Enrolment.objects.filter(student=route.application.student, term__in=terms)
        .exclude(Exists(taught))
        .select_related("course")
    ]


def academic_years() -> list[str]:
    return list(AcademicTerm.objects.order_by("-academic_year").values_list("academic_year", flat=True).distinct())
