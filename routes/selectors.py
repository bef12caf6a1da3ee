"""Reads for the assessment and conclusion pages, filtered to what the user may see."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import StatusChange
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from inclusion_centre.workdays import add_working_days
from students.models import AcademicTerm, Application
from students.selectors import assessment_due

from . import permissions
from .models import Adaptation, Area, Assessment, Assignment, Conclusion, ConclusionItem, Recommendation


def _case_rows(application: Application, key: str, read) -> list:
    """What the case page reads of a case in several places (its section, the timeline, the next step), read once
    per request: kept on the application instance the page was given."""
    rows = application.__dict__.setdefault("_case_rows", {})
    if key not in rows:
        rows[key] = read()
    return rows[key]


def case_assignments(application: Application) -> list[Assignment]:
    return _case_rows(
        application,
        "assignments",
        # The case page shows each assignment's specialist and its assessment's status, never the recommendations.
        lambda: list(Assignment.objects.filter(application=application).select_related("specialist", "assessment")),
    )


def case_conclusions(application: Application) -> list[Conclusion]:
    return _case_rows(
        application,
        "conclusions",
        lambda: list(Conclusion.objects.filter(application=application).select_related("signed_by")),
    )


def _asked_lecturers():
    """The ids of the lecturers ever asked about the outer query's route, as one comma-separated text."""
    from .models import Agreement, Route

    agreement, route = Agreement._meta.db_table, Route._meta.db_table
    ids = "STRING_AGG(DISTINCT a.lecturer_id::text, ',')"
    if connection.vendor != "postgresql":
        ids = "GROUP_CONCAT(DISTINCT a.lecturer_id)"
    return RawSQL(f'SELECT {ids} FROM {agreement} a WHERE a.route_id = "{route}"."id"', [])  # noqa: S608, S611


def case_routes(application: Application) -> list:
    """Every version of the case's route, newest first, each with what the case page reads of its agreements:
    `pending_due` (the latest due date of a section still waiting) and `asked_lecturers` (ids of the lecturers
    ever asked, who may open it), read in the same query."""
    from .models import Agreement, Route

    pending = (
        Agreement.objects.filter(route=OuterRef("pk"), status=Agreement.Status.PENDING)
        .order_by("-due_on")
        .values("due_on")[:1]
    )

    def read() -> list:
        routes = list(
            Route.objects.filter(application=application)
            .select_related("application__student", "term")
            .annotate(pending_due=Subquery(pending), asked=_asked_lecturers())
            .order_by("-version")
        )
        for route in routes:
            route.asked_lecturers = {int(pk) for pk in (route.asked or "").split(",") if pk}
        return routes

    return _case_rows(application, "routes", read)


def case_changed_needs(application: Application) -> list:
    from .models import ChangedNeedsReport

    return _case_rows(
        application,
        "changed_needs",
        lambda: list(
            ChangedNeedsReport.objects.filter(application=application).select_related("reported_by", "review")
        ),
    )


def case_status_changes(application: Application) -> tuple[list[StatusChange], list[StatusChange]]:
    """The status changes of the case and of its routes (oldest first), in one query: (the case's, the routes')."""

    def read():
        from .models import Route

        # The content types' ids (cached per process), so that the index on (content type, object) serves both.
        types = ContentType.objects.get_for_models(Application, Route)
        case_type, route_type = types[Application].pk, types[Route].pk
        route_ids = [route.pk for route in case_routes(application)]
        own = Q(content_type_id=case_type, object_id=application.pk)
        routes = Q(content_type_id=route_type, object_id__in=route_ids)
        changes = list(StatusChange.objects.filter(own | routes if route_ids else own).select_related("actor"))
        return (
            [change for change in changes if change.content_type_id == case_type],
            [change for change in changes if change.content_type_id == route_type],
        )

    return _case_rows(application, "status_changes", read)


def timeline_events(application: Application) -> list[tuple]:
    """The assessment's and the conclusion's steps for the case timeline: (when, text, actor)."""
    events = []
    for assignment in case_assignments(application):
        area = assignment.get_area_display()
        events.append(
            (
                assignment.assigned_at,
                _("A specialist began assessing: %(area)s") % {"area": area},
                assignment.specialist,
            )
        )
        assessment = getattr(assignment, "assessment", None)
        if assessment is not None and assessment.finished_at:
            events.append((assessment.finished_at, _("The assessment was finished: %(area)s") % {"area": area}, None))
        if assignment.ended_at:
            events.append(
                (assignment.ended_at, _("A specialist stopped working on the case: %(area)s") % {"area": area}, None)
            )
    for conclusion in case_conclusions(application):
        if conclusion.status != Conclusion.Status.SIGNED:
            continue
        events.append(
            (
                conclusion.signed_at,
                _("The centre signed its conclusion %(number)s") % {"number": conclusion.registration_number},
                conclusion.signed_by,
            )
        )
    events.extend(_route_events(application))
    return events


def _route_event_text(change, numbers: dict[int, str]) -> str:
    from .models import Route

    R = Route.Status
    if change.to_status == R.DRAFT:
        if not change.from_status:
            return _("A specialist began drafting the individual educational route")
        if change.from_status == R.IN_APPROVAL:
            return _("The administration returned the route to the specialists for changes")
        return _("The route went back to the specialists for changes")
    texts = {
        R.IN_AGREEMENT: _("The route was sent to the lecturers to agree their courses"),
        R.IN_APPROVAL: _("Every lecturer agreed the route; it went to the administration for approval"),
        R.IN_FORCE: _("The route %(number)s was approved and is in force")
        % {"number": numbers.get(change.object_id, "")},
        R.UNDER_REVIEW: _("The route is being revised"),
        R.SUPERSEDED: _("The route was replaced by a newer version"),
        R.COMPLETED: _("The route was completed"),
        R.CANCELLED: _("The route was cancelled"),
    }
    return texts[change.to_status]


def _route_events(application: Application) -> list[tuple]:
    numbers = {route.pk: route.registration_number for route in case_routes(application)}
    events = []
    if numbers:
        for change in case_status_changes(application)[1]:
            events.append((change.created_at, _route_event_text(change, numbers), change.actor))
    for report in case_changed_needs(application):
        events.append(
            (report.created_at, _("The centre was told that the student's needs changed"), report.reported_by)
        )
    return events


def route_next_step(application: Application):
    """What happens next with the route of a concluded case, in words for the case page."""
    from students.selectors import NextStep

    from .models import Route

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
        return NextStep(_("The route is in force. The centre reviews it on the review date."), route.first_review_on)
    if route.status == R.UNDER_REVIEW:
        return NextStep(_("The route is in force while the centre prepares a new version."))
    return NextStep(_("The route has ended."))


def case_section(user: User, application: Application) -> dict:
    """What the case page shows of the assessment and the conclusion to this user."""
    assignments = case_assignments(application)
    conclusions = case_conclusions(application)
    read_assessments = permissions.can_read_assessments(user, application)
    signed = [c for c in conclusions if c.status == Conclusion.Status.SIGNED]
    mine = [a for a in assignments if a.specialist_id == user.pk and a.is_active]
    return {
        "assignments": [a for a in assignments if a.is_active] if read_assessments else [],
        "past_assignments": [a for a in assignments if not a.is_active] if read_assessments else [],
        "my_assignments": mine,
        "can_assign": permissions.can_assign(user, application),
        "specialists": User.objects.filter(groups__name=Role.SPECIALIST.value, is_active=True).order_by("full_name")
        if permissions.can_assign(user, application)
        else [],
        "read_assessments": read_assessments,
        "conclusions": conclusions if read_assessments else signed,
        "draft_conclusion": next((c for c in conclusions if c.status == Conclusion.Status.DRAFT), None)
        if read_assessments
        else None,
        "can_draft_conclusion": permissions.can_draft_conclusion(user, application),
        "assessment_due": assessment_due(application)
        if application.status in {Application.Status.REGISTERED, Application.Status.UNDER_ASSESSMENT}
        else None,
        "areas": Area.choices,
        **_route_part(user, application),
    }


def _route_part(user: User, application: Application) -> dict:
    """The route block of the case page: the versions this user may open and what they may do."""
    from .forms import RouteStartForm
    from .selectors_meetings import meetings_on_case

    can_draft = permissions.can_draft_route(user, application)
    routes = routes_on_case(user, application)
    working = permissions.is_route_author(user, application)
    return {
        "routes": routes,
        "can_draft_route": can_draft and not routes,
        "route_start_form": RouteStartForm(years=academic_years()) if can_draft and not routes else None,
        "can_report_changed_needs": permissions.can_report_changed_needs(user, application),
        "can_close_case": permissions.can_close_case(user, application),
        "meetings": meetings_on_case(user, application),
        "changed_needs": case_changed_needs(application) if working else [],
    }


def assessment_for(user: User, pk: int) -> Assessment:
    assessment = (
        Assessment.objects.select_related("assignment__application__student__user", "assignment__specialist")
        .prefetch_related(Prefetch("recommendations", queryset=Recommendation.objects.select_related("adaptation")))
        .filter(assignment__pk=pk)
        .first()
    )
    if assessment is None:
        raise Http404
    application = assessment.assignment.application
    if not permissions.can_read_assessments(user, application):
        raise Http404
    return assessment


def conclusion_for(user: User, pk: int) -> tuple[Conclusion, bool]:
    """The conclusion and whether the user sees the working version (drafts, sources); 404 otherwise.

    The student and their representatives read signed conclusions; the centre head and the assigned
    specialists read every version and where each recommendation came from.
    """
    conclusion = (
        Conclusion.objects.select_related("application__student__user", "signed_by", "drafted_by")
        .prefetch_related(
            "specialists",
            Prefetch(
                "items",
                queryset=ConclusionItem.objects.select_related("adaptation").prefetch_related(
                    Prefetch(
                        "sources",
                        queryset=Recommendation.objects.select_related("assessment__assignment__specialist"),
                    )
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if conclusion is None:
        raise Http404
    if not permissions.can_view_conclusion(user, conclusion):
        raise Http404
    return conclusion, permissions.can_read_assessments(user, conclusion.application)


def adaptations_by_group(include: set[int] | None = None) -> list[tuple[str, list[Adaptation]]]:
    """The catalogue in its groups: entries in use, plus retired ones already chosen (they stay readable)."""
    include = include or set()
    groups: dict[str, list[Adaptation]] = {}
    for adaptation in Adaptation.objects.all():
        if adaptation.is_active or adaptation.pk in include:
            groups.setdefault(adaptation.get_group_display(), []).append(adaptation)
    return list(groups.items())


def assignments_of(user: User) -> QuerySet:
    """A specialist's active assignments, for their home page."""
    return (
        Assignment.objects.filter(specialist=user, ended_at__isnull=True)
        .select_related("application__student__user", "assessment")
        .order_by("assigned_at")
    )


# --- Routes -------------------------------------------------------------------------------------------------


def _route_queryset():
    from .models import Route

    return Route.objects.select_related(
        "application__student__user",
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

    from .models import Agreement, RouteSection

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

    Whether the user represents the student or is assigned to the case is read with the route (two EXISTS)
    rather than by prefetching every representation and assignment of the case."""
    from students import permissions as application_permissions
    from students.models import Representation

    route = (
        _route_queryset()
        .annotate(
            viewer_represents=Exists(
                Representation.objects.filter(student=OuterRef("application__student"), representative=user.pk)
            ),
            viewer_assigned=Exists(
                Assignment.objects.filter(application=OuterRef("application"), specialist=user.pk, ended_at=None)
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if route is None:
        raise Http404
    _load_sections_and_agreements(route)
    application_permissions.remember_representation(route.application, user, route.viewer_represents)
    permissions.remember_assignment(route.application, user, route.viewer_assigned)
    lecturers = {a.lecturer_id for a in route.agreements.all()}
    access = permissions.route_access(user, route, agreement_lecturers=lecturers)
    if access is None:
        raise Http404
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
    from .models import Agreement

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
        access = permissions.route_access(user, route, agreement_lecturers=route.asked_lecturers)
        if access is not None:
            visible.append((route, access))
    return visible


def agreements_awaiting(user: User) -> QuerySet:
    """A lecturer's sections waiting for their answer, soonest due first."""
    from .models import Agreement, Route

    return (
        Agreement.objects.filter(
            lecturer=user, status=Agreement.Status.PENDING, route__status=Route.Status.IN_AGREEMENT
        )
        .select_related("section__course", "section__term", "route__application__student__user")
        .order_by("due_on", "pk")
    )


def agreements_answered(user: User) -> QuerySet:
    from .models import Agreement

    return (
        Agreement.objects.filter(lecturer=user, status__in=Agreement.ANSWERS)
        .select_related("section__course", "section__term", "route__application__student__user")
        .order_by("-decided_at", "-pk")
    )


def approval_queue(user: User) -> QuerySet:
    """Routes every lecturer agreed, waiting for the administration, oldest first."""
    from .models import Route, RouteSection

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


def conclusion_sign_due(conclusion) -> datetime.date | None:
    """When the centre head is due to sign a draft conclusion (None once it is signed)."""
    if conclusion.status != Conclusion.Status.DRAFT:
        return None
    return add_working_days(
        timezone.localdate(conclusion.created_at), settings.DEADLINE_WORKING_DAYS["sign_conclusion"]
    )
