"""Writes of the individual educational route: drafting, agreement per course, approval, reviews and revisions.

Every service locks the route row first (`_lock_route`), so two people acting on one route at once are serialised:
the second re-reads the state the first left and is refused with IllegalMove when its move no longer applies.
Forms carry the route's `revision`; a save based on an older revision is refused instead of overwriting.
"""

import datetime
import hashlib
import json

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audit.services import record_status_change
from audit.workflow import IllegalMove, move
from documents.models import DocumentType
from documents.services import next_registration_number, register_document
from inclusion_centre.accounts.grants import grant, revoke
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.notifications import notify
from inclusion_centre.accounts.roles import Role
from inclusion_centre.history import acting_as
from inclusion_centre.workdays import add_working_days
from students.models import AcademicTerm, Application, Course, Enrolment, TeachingAssignment
from students.selectors import applicant_side
from students.workflow import ALLOWED as APPLICATION_MOVES

from .. import permissions
from ..models import (
    Adaptation,
    Agreement,
    ChangedNeedsReport,
    Conclusion,
    Route,
    RouteReview,
    RouteSection,
    SupportMeasure,
)
from ..workflow import AGREEMENT_ALLOWED, ALLOWED
from .common import copy_rows, required_reason

R = Route.Status
A = Agreement.Status


# --- Helpers ------------------------------------------------------------------------------------------------


def _route_url(route: Route) -> str:
    return reverse("routes:route", args=[route.pk])


def _lock_route(route: Route) -> Route:
    return Route.objects.select_for_update().select_related("application__student__user").get(pk=route.pk)


def _lock_for_author(route: Route, actor: User) -> Route:
    """The route's row locked (as _lock_route); PermissionDenied unless the actor is one of its authors."""
    locked = _lock_route(route)
    if not permissions.is_route_author(actor, locked.application):
        raise PermissionDenied
    return locked


def _stale(locked: Route, revision: int | None) -> None:
    if revision is not None and revision != locked.revision:
        raise IllegalMove(
            _("Someone else changed this route after you opened it. Reload the page and make your change again."),
            code="stale",
        )


def _editable(actor: User, locked: Route, revision: int | None = None) -> None:
    if not permissions.is_route_author(actor, locked.application):
        raise PermissionDenied
    if locked.status != R.DRAFT:
        raise IllegalMove(
            _("Only a draft route can be changed; this one is “%(state)s”.") % {"state": locked.get_status_display()},
            code="illegal_move",
        )
    _stale(locked, revision)


def _touch(locked: Route, actor: User) -> None:
    """Count a change of the draft: forms opened before it are now stale."""
    locked.revision += 1
    with acting_as(actor):
        locked.save(update_fields=["revision", "updated_at"])


def _refuse_without_consent(application: Application) -> None:
    consent = getattr(application, "consent", None)
    if consent is None or not consent.is_active:
        raise ValidationError(
            _("Consent to the processing of personal data was withdrawn: no new work on this case may start."),
            code="no_consent",
        )


def _authors(route: Route) -> list[User]:
    """Who drafts and amends the route: the specialists assigned to the case, and whoever drafted it."""
    people = {route.drafted_by_id: route.drafted_by}
    for assignment in route.application.assignments.filter(ended_at__isnull=True).select_related("specialist"):
        people[assignment.specialist_id] = assignment.specialist
    return [user for user in people.values() if user.is_active]


def _centre_heads() -> list[User]:
    return list(User.objects.filter(groups__name=Role.CENTRE_HEAD.value, is_active=True))


def _tell(recipients, *, route: Route, kind: str, subject: str, body: str, context: dict, key: str) -> None:
    for recipient in {user.pk: user for user in recipients}.values():
        notify(
            recipient=recipient,
            kind=kind,
            subject=subject,
            body=body,
            url=_route_url(route),
            dedup_key=f"{kind}:{route.pk}:{key}:{recipient.pk}",
            context=context,
        )


def _lines(items) -> str:
    return "\n".join(f"• {item}" for item in items)


def content_digest(payload) -> str:
    """SHA-256 of a JSON-able payload, stable across runs: what a lecturer agreed to, compared on resending."""
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def _general_digest(route: Route) -> str:
    """What every lecturer reads besides their own section: the general part of the route."""
    measures = [(m.who, m.what, m.frequency, m.until) for m in route.measures.all()]
    general = [route.goals, route.support_level, route.tutor_id, route.timetable, route.methods, measures]
    if route.has_exam_measures:  # digests of routes without exam measures stay as they were
        general.append([route.exam_extra_time, route.exam_rest_breaks, *route.exam_flags])
    return content_digest(general)[:32]


def section_fingerprint(section: RouteSection, general: str) -> str:
    """What a lecturer agrees to in a section: its own content and the general part's digest (`general`)."""
    own = content_digest(
        [
            section.course_id,
            section.term_id,
            section.lecturer_id,
            section.content_adaptation,
            section.methods,
            section.assessment_forms,
        ]
    )[:32]
    return own + general


def _terms_of(academic_year: str, term: AcademicTerm | None) -> list[AcademicTerm]:
    if term is not None:
        return [term]
    return list(AcademicTerm.objects.filter(academic_year=academic_year).order_by("starts_on"))


# --- Drafting -----------------------------------------------------------------------------------------------


@transaction.atomic
def route_draft(*, application: Application, actor: User, academic_year: str, term: AcademicTerm | None) -> Route:
    """Draft the first route of a concluded case, prefilled from its latest signed conclusion.

    One section per course the student is enrolled in for the period, with the lecturer who teaches it then;
    courses nobody teaches in the data are left out (the editor lists them). Raises PermissionDenied for someone
    who may not draft, ValidationError when the period has no terms or a route is already being prepared.
    """
    locked = Application.objects.select_for_update().select_related("student").get(pk=application.pk)
    if not permissions.can_draft_route(actor, locked):
        raise PermissionDenied
    _refuse_without_consent(locked)
    conclusion = (
        Conclusion.objects.filter(application=locked, status=Conclusion.Status.SIGNED).order_by("-version").first()
    )
    if conclusion is None:
        raise ValidationError(_("A route is drafted from a signed conclusion; none is signed yet."))
    if term is not None and term.academic_year != academic_year:
        raise ValidationError({"term": _("Choose a term of the academic year %(year)s.") % {"year": academic_year}})
    terms = _terms_of(academic_year, term)
    if not terms:
        raise ValidationError({"academic_year": _("No terms of this academic year are known.")})
    if Route.objects.filter(application=locked).exists():
        raise ValidationError(
            _("This case already has a route. A new version is made by reviewing the route in force."),
            code="exists",
        )
    return _create_version(
        application=locked,
        conclusion=conclusion,
        actor=actor,
        academic_year=academic_year,
        term=term,
        terms=terms,
        previous=None,
    )


def _create_version(
    *,
    application: Application,
    conclusion: Conclusion,
    actor: User,
    academic_year: str,
    term: AcademicTerm | None,
    terms: list[AcademicTerm],
    previous: Route | None,
    reason: str = "",
) -> Route:
    """A new draft version: the first one prefilled from the conclusion, a later one copied from `previous`."""
    by_group, support = _conclusion_groups(conclusion)
    ends_on = max(t.ends_on for t in terms)
    if previous is not None:
        copied = (
            "support_level",
            "goals",
            "tutor_id",
            "timetable",
            "methods",
            "first_review_on",
            "second_review_on",
            *EXAM_FIELDS,
        )
        fields = {name: getattr(previous, name) for name in copied}
    else:
        fields = {
            "support_level": conclusion.support_level,
            "goals": "",
            "tutor_id": None,
            "timetable": _lines(by_group.get(Adaptation.Group.TIMETABLE, [])),
            "methods": _lines(_general_methods(by_group)),
            "first_review_on": min(t.ends_on for t in terms),
            "second_review_on": ends_on if len(terms) > 1 else None,
        }
    route = _new_route_row(
        actor,
        application=application,
        conclusion=conclusion,
        previous=previous,
        version=(previous.version + 1) if previous else 1,
        academic_year=academic_year,
        term=term,
        revision_reason=reason,
        drafted_by=actor,
        **fields,
    )
    with acting_as(actor):
        if previous is not None:
            copy_rows(previous.measures.all(), MEASURE_FIELDS, route=route)
            copy_rows(previous.sections.filter(removed_at__isnull=True), SECTION_FIELDS, route=route)
        else:
            _first_rows(route, application, terms, by_group, support, ends_on)
    record_status_change(obj=route, from_status="", to_status=R.DRAFT, actor=actor, comment=reason)
    return route


# What a new version of a route copies of the previous version's measures and sections.
MEASURE_FIELDS = ("who", "what", "frequency", "until", "order")
SECTION_FIELDS = (
    "course_id",
    "term_id",
    "lecturer_id",
    "content_adaptation",
    "methods",
    "assessment_forms",
    "added_manually",
    "order",
)


def _conclusion_groups(conclusion: Conclusion) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """The conclusion's recommendations by catalogue group ("other" for free text), and the support ones as
    (specialist who recommended it, text)."""
    items = list(conclusion.items.select_related("adaptation").prefetch_related("sources__assessment__assignment"))
    by_group: dict[str, list[str]] = {}
    support = []
    for item in items:
        group = item.adaptation.group if item.adaptation_id else "other"
        if group == Adaptation.Group.SUPPORT:
            sources = list(item.sources.all())
            who = sources[0].assessment.assignment.specialist.full_name if sources else ""
            support.append((who, str(item)))
        else:
            by_group.setdefault(group, []).append(str(item))
    return by_group, support


def _general_methods(by_group: dict[str, list[str]]) -> list[str]:
    groups = (Adaptation.Group.METHODS, Adaptation.Group.FORMATS, Adaptation.Group.PHYSICAL, "other")
    return [text for group in groups for text in by_group.get(group, [])]


def _new_route_row(actor: User, **fields) -> Route:
    """The route row; a second open version of the same case is refused (a unique constraint)."""
    try:
        with transaction.atomic(), acting_as(actor):
            return Route.objects.create(**fields)
    except IntegrityError as exc:
        raise ValidationError(
            _("Another version of this route is already being prepared."), code="open_version"
        ) from exc


def _first_rows(route: Route, application: Application, terms, by_group: dict, support: list, ends_on) -> None:
    """The first version's support measures (from the conclusion) and one section per course taught."""
    for order, (who, what) in enumerate(support, start=1):
        SupportMeasure.objects.create(route=route, who=who, what=what, until=ends_on, order=order)
    content = _lines(by_group.get(Adaptation.Group.CONTENT, []))
    assessment = _lines(by_group.get(Adaptation.Group.ASSESSMENT, []))
    for order, (course, section_term, lecturer) in enumerate(_enrolled_courses(application, terms), start=1):
        RouteSection.objects.create(
            route=route,
            course=course,
            term=section_term,
            lecturer=lecturer,
            content_adaptation=content,
            assessment_forms=assessment,
            order=order,
        )


def _enrolled_courses(application: Application, terms: list[AcademicTerm]) -> list[tuple[Course, AcademicTerm, User]]:
    """(course, term, lecturer) for each course the student takes in the terms and somebody teaches then."""
    enrolments = (
        Enrolment.objects.filter(student=application.student, term__in=terms)
        .select_related("course", "term")
        .order_by("term__starts_on", "course__code")
    )
    teaching: dict[tuple[int, int], User] = {}
    for assignment in (
        TeachingAssignment.objects.filter(term__in=terms, lecturer__is_active=True)
        .select_related("lecturer")
        .order_by("lecturer__full_name")
    ):
        teaching.setdefault((assignment.course_id, assignment.term_id), assignment.lecturer)
    return [
        (e.course, e.term, teaching[(e.course_id, e.term_id)])
        for e in enrolments
        if (e.course_id, e.term_id) in teaching
    ]


EXAM_FIELDS = (
    "exam_extra_time",
    "exam_separate_room",
    "exam_reader",
    "exam_scribe",
    "exam_assistive_technology",
    "exam_oral",
    "exam_rest_breaks",
)


def _check_exam_measures(fields: dict) -> None:
    problems = {}
    extra = fields.get("exam_extra_time")
    if extra is not None and not 0 <= extra <= 100:
        problems["exam_extra_time"] = _("Enter a percentage from 0 to 100.")
    breaks = fields.get("exam_rest_breaks")
    if breaks is not None and not 0 <= breaks <= 60:
        problems["exam_rest_breaks"] = _("Enter from 0 to 60 minutes.")
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def route_update(*, route: Route, actor: User, revision: int, **fields) -> Route:
    """Save the general part of a draft: goals, support level, tutor, timetable, methods, review dates."""
    allowed = {
        "goals",
        "support_level",
        "tutor",
        "timetable",
        "methods",
        "first_review_on",
        "second_review_on",
        "revision_reason",
        *EXAM_FIELDS,
    }
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"route_update() got unexpected fields {sorted(unknown)}")
    locked = _lock_route(route)
    _editable(actor, locked, revision)
    tutor = fields.get("tutor")
    if tutor is not None and not tutor.is_active:
        raise ValidationError({"tutor": _("Choose an active member of staff as the tutor.")})
    first, second = fields.get("first_review_on"), fields.get("second_review_on")
    if first and second and second <= first:
        raise ValidationError({"second_review_on": _("The second review comes after the first.")})
    _check_exam_measures(fields)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.revision += 1
    with acting_as(actor):
        locked.save()
    return locked


@transaction.atomic
def section_update(
    *,
    section: RouteSection,
    actor: User,
    revision: int,
    content_adaptation: str,
    methods: str,
    assessment_forms: str,
) -> RouteSection:
    locked = _lock_route(section.route)
    _editable(actor, locked, revision)
    section = _active_section(locked, section, _("This section was removed from the route."))
    return _save_section(
        locked,
        section,
        actor,
        content_adaptation=content_adaptation,
        methods=methods,
        assessment_forms=assessment_forms,
    )


def _active_section(locked: Route, section: RouteSection, refused: str) -> RouteSection:
    """The section re-read under the route's lock; IllegalMove with `refused` when it was removed meanwhile."""
    section = RouteSection.objects.get(pk=section.pk, route=locked)
    if not section.is_active:
        raise IllegalMove(refused, code="illegal_move")
    return section


def _save_section(locked: Route, section: RouteSection, actor: User, **fields) -> RouteSection:
    for name, value in fields.items():
        setattr(section, name, value)
    with acting_as(actor):
        section.save()
    _touch(locked, actor)
    return section


@transaction.atomic
def section_add(
    *, route: Route, actor: User, revision: int, course: Course, term: AcademicTerm, lecturer: User
) -> RouteSection:
    """Add a section for a course the enrolment data lacks; its lecturer must hold the lecturer role."""
    locked = _lock_route(route)
    _editable(actor, locked, revision)
    problems = {}
    if term not in _terms_of(locked.academic_year, locked.term):
        problems["term"] = _("Choose a term inside the period of the route.")
    if not lecturer.is_active or not lecturer.has_role(Role.LECTURER):
        problems["lecturer"] = _("Choose a lecturer.")
    if problems:
        raise ValidationError(problems)
    order = (locked.sections.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    try:
        with transaction.atomic(), acting_as(actor):
            section = RouteSection.objects.create(
                route=locked, course=course, term=term, lecturer=lecturer, added_manually=True, order=order
            )
    except IntegrityError as exc:
        raise ValidationError({"course": _("The route already has a section for this course in this term.")}) from exc
    _touch(locked, actor)
    return section


@transaction.atomic
def section_remove(*, section: RouteSection, actor: User, revision: int, reason: str) -> RouteSection:
    locked = _lock_route(section.route)
    _editable(actor, locked, revision)
    required_reason(reason, _("Say why the section is removed."))
    section = _active_section(locked, section, _("This section was already removed."))
    return _save_section(locked, section, actor, removed_at=timezone.now(), removal_reason=reason.strip())


@transaction.atomic
def measure_add(
    *, route: Route, actor: User, who: str, what: str, frequency: str, until: datetime.date | None
) -> SupportMeasure:
    """Add a row of support. Rows are added and removed whole, so no revision check: nothing is overwritten."""
    locked = _lock_route(route)
    _editable(actor, locked)
    problems = {}
    if not who.strip():
        problems["who"] = _("Say who provides the support.")
    if not what.strip():
        problems["what"] = _("Say what support is given.")
    if problems:
        raise ValidationError(problems)
    order = (locked.measures.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    with acting_as(actor):
        measure = SupportMeasure.objects.create(
            route=locked, who=who.strip(), what=what.strip(), frequency=frequency.strip(), until=until, order=order
        )
    return measure


@transaction.atomic
def measure_remove(*, measure: SupportMeasure, actor: User) -> None:
    locked = _lock_route(measure.route)
    _editable(actor, locked)
    with acting_as(actor):
        SupportMeasure.objects.get(pk=measure.pk, route=locked).delete()


# --- Agreement ----------------------------------------------------------------------------------------------


def _check_complete(locked: Route) -> None:
    problems = []
    if not locked.goals.strip():
        problems.append(ValidationError(_("Write the goals of the route."), code="no_goals"))
    if not locked.support_level:
        problems.append(ValidationError(_("Choose the level of support."), code="no_level"))
    if locked.first_review_on is None:
        problems.append(ValidationError(_("Set the date of the first review."), code="no_review"))
    sections = [s for s in locked.sections.all() if s.is_active]
    if not sections:
        problems.append(ValidationError(_("Add at least one course section."), code="no_sections"))
    for section in sections:
        if not (section.content_adaptation.strip() or section.methods.strip() or section.assessment_forms.strip()):
            problems.append(
                ValidationError(
                    _("Say what is adapted in the course “%(course)s”.") % {"course": section.course},
                    code="empty_section",
                )
            )
    if locked.version > 1 and not locked.revision_reason.strip():
        problems.append(ValidationError(_("Say why this new version is needed."), code="no_reason"))
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def route_send_for_agreement(*, route: Route, actor: User, revision: int | None = None) -> Route:
    """Ask every lecturer to agree their section of this version; answers still valid are kept.

    An answer is kept when neither its section nor the general part changed since the lecturer gave it; every
    other section gets a new pending agreement, and the timeline says which were asked again and why.
    """
    locked = _lock_route(route)
    _editable(actor, locked, revision)
    _refuse_without_consent(locked.application)
    _check_complete(locked)

    now = timezone.now()
    due = add_working_days(timezone.localdate(now), settings.DEADLINE_WORKING_DAYS["agree_route"])
    round_number = locked.agreement_round + 1
    asked, notes = _ask_lecturers(locked, actor, round_number=round_number, now=now, due=due)

    def stamp(obj):
        obj.agreement_round = round_number
        obj.sent_for_agreement_at = now
        obj.revision += 1

    moved = move(
        instance=locked,
        to_status=R.IN_AGREEMENT,
        allowed=ALLOWED,
        actor=actor,
        comment="\n".join(notes),
        before_save=stamp,
    )
    _tell_asked(moved, asked, due=due, round_number=round_number)
    # Every valid answer given and none asked for: nothing is left to agree. A kept answer never given (the route
    # was taken back while it waited) still waits.
    if not asked and not Agreement.objects.filter(route=locked, status=A.PENDING).exists():
        moved = _to_approval(moved, actor)
    return moved


def _ask_lecturers(
    locked: Route, actor: User, *, round_number: int, now: datetime.datetime, due: datetime.date
) -> tuple[list[RouteSection], list[str]]:
    """A new pending agreement for each section whose answer no longer stands (the old one withdrawn); the
    sections asked, and a note per section for the timeline."""
    general = _general_digest(locked)
    valid = {a.section_id: a for a in Agreement.objects.filter(route=locked).exclude(status=A.WITHDRAWN)}
    set_aside = _set_aside_sections(locked, exclude=valid)
    asked, kept, notes = [], [], []
    with acting_as(actor):
        for section in locked.sections.select_related("course", "lecturer"):
            previous = valid.get(section.pk)
            if not section.is_active:
                if previous is not None:
                    _withdraw(previous, _("the section was removed from the route"), actor)
                continue
            fingerprint = section_fingerprint(section, general)
            if previous is not None and previous.fingerprint == fingerprint and previous.status != A.CHANGES_REQUESTED:
                kept.append(section)
                continue
            if previous is not None:
                why = _why_asked_again(previous, fingerprint)
                _withdraw(previous, why, actor)
                notes.append(_("%(course)s: asked again, %(why)s") % {"course": section.course, "why": why})
            elif section.pk in set_aside:
                why = _("the question was set aside when the route went back to draft")
                notes.append(_("%(course)s: asked again, %(why)s") % {"course": section.course, "why": why})
            Agreement.objects.create(
                section=section,
                route=locked,
                lecturer=section.lecturer,
                round=round_number,
                fingerprint=fingerprint,
                requested_at=now,
                due_on=due,
            )
            grant(section.lecturer, "routes.view_route", locked)
            grant(section.lecturer, "routes.agree_routesection", section)
            asked.append(section)
    notes += [_kept_note(section, valid[section.pk]) for section in kept]
    return asked, notes


def _set_aside_sections(route: Route, *, exclude: dict) -> set[int]:
    """The sections whose latest question was withdrawn unanswered (the route went back to draft while it
    waited, _set_aside_pending): asked again on resending, and the timeline says why."""
    rows = (
        Agreement.objects.filter(route=route, status=A.WITHDRAWN).order_by("pk").values_list("section_id", "decided_at")
    )
    latest = dict(rows)  # the newest withdrawn agreement of each section wins
    return {section_id for section_id, decided_at in latest.items() if decided_at is None and section_id not in exclude}


def _kept_note(section: RouteSection, agreement: Agreement) -> str:
    """A section not asked again: its lecturer's answer stands, or, never given, is still awaited."""
    if agreement.status == A.PENDING:
        return _("%(course)s: not asked again, the lecturer's answer is still awaited") % {"course": section.course}
    return _("%(course)s: the earlier answer still stands") % {"course": section.course}


def _why_asked_again(previous: Agreement, fingerprint: str) -> str:
    if previous.status == A.CHANGES_REQUESTED:
        return _("changes were requested")
    if previous.fingerprint[:32] != fingerprint[:32]:
        return _("the section changed")
    return _("the general part of the route changed")


def _tell_asked(route: Route, asked: list[RouteSection], *, due: datetime.date, round_number: int) -> None:
    """Each lecturer asked is told once, naming all their sections."""
    by_lecturer: dict[int, list[RouteSection]] = {}
    for section in asked:
        by_lecturer.setdefault(section.lecturer_id, []).append(section)
    for sections_of in by_lecturer.values():
        _tell(
            [sections_of[0].lecturer],
            route=route,
            kind="route_agreement_requested",
            subject=gettext_noop("A route section is waiting for your agreement"),
            body=gettext_noop(
                "An individual educational route has a section for your course %(courses)s. "
                "Please agree it or ask for changes by %(due)s."
            ),
            context={"courses": ", ".join(str(s.course) for s in sections_of), "due": due.strftime("%d.%m.%Y")},
            key=f"round{round_number}",
        )


def _withdraw(agreement: Agreement, why: str, actor: User) -> None:
    """The agreement no longer counts (its section or the route changed, or the route ended)."""
    reason = str(why)[:300]
    move(
        instance=agreement,
        to_status=A.WITHDRAWN,
        allowed=AGREEMENT_ALLOWED,
        actor=actor,
        comment=reason,
        before_save=lambda obj: setattr(obj, "withdrawn_reason", reason),
    )
    _answered(agreement)


def _answered(agreement: Agreement) -> None:
    """The lecturer is no longer asked about the section (they keep reading the route)."""
    revoke(agreement.lecturer, "routes.agree_routesection", agreement.section)


@transaction.atomic
def route_withdraw_from_agreement(*, route: Route, actor: User, reason: str) -> Route:
    """The author takes the route back to draft to change it; lecturers' answers are re-checked on resending."""
    locked = _lock_for_author(route, actor)
    required_reason(reason, _("Say why the route is taken back."))
    if locked.status != R.IN_AGREEMENT:
        raise IllegalMove(
            _("Only a route with the lecturers can be taken back; this one is “%(state)s”.")
            % {"state": locked.get_status_display()},
            code="illegal_move",
        )
    moved = move(instance=locked, to_status=R.DRAFT, allowed=ALLOWED, actor=actor, comment=reason.strip())
    _set_aside_pending(moved, actor)
    return moved


def _set_aside_pending(route: Route, actor: User, *, course: str = "") -> None:
    """The route went back to draft: the sections still waiting for an answer are no longer asked (their
    agreements withdrawn, the lecturers' right to answer taken back, so no list or page shows a question nobody
    can answer), and each lecturer is told, once, that they will be asked again when the route is sent back.
    `course`: the course whose lecturer asked for changes, when that is why."""
    pending = list(
        Agreement.objects.select_for_update()
        .filter(route=route, status=A.PENDING)
        .select_related("lecturer", "section__course")
    )
    why = (
        _("%(course)s: changes were requested before you answered") % {"course": course}
        if course
        else _("the route was taken back to draft before you answered")
    )
    by_lecturer: dict[int, list[Agreement]] = {}
    for agreement in pending:
        _withdraw(agreement, why, actor)
        by_lecturer.setdefault(agreement.lecturer_id, []).append(agreement)
    for agreements in by_lecturer.values():
        _tell(
            [agreements[0].lecturer],
            route=route,
            kind="route_agreement_paused",
            subject=gettext_noop("A route you were asked to agree went back for changes"),
            body=gettext_noop(
                "The route with your course %(courses)s went back to the specialists for changes. You need not "
                "answer now: you will be asked again when the changed route is sent for agreement."
            ),
            context={"courses": ", ".join(str(a.section.course) for a in agreements)},
            key=f"round{route.agreement_round}",
        )


def _check_answer(locked: Agreement, locked_route: Route, actor: User, decision: str, comment: str) -> None:
    """Refuse an answer that is not the actor's to give, incomplete, or no longer awaited.

    Who answers is read from the object grants the request wrote: a lecturer asked about the route
    (`routes.view_route`) answers the section they hold `routes.agree_routesection` on while it waits; a lecturer
    who already answered is told it waits no more."""
    if not actor.has_perm("routes.view_route", locked_route):
        raise PermissionDenied
    # An agreement is new processing of the student's data by a lecturer: not after consent is withdrawn.
    _refuse_without_consent(locked_route.application)
    if decision not in {A.AGREED, A.AGREED_WITH_REMARKS, A.CHANGES_REQUESTED}:
        raise ValidationError({"decision": _("Choose your answer.")}, code="no_decision")
    if decision != A.AGREED and not comment.strip():
        raise ValidationError({"comment": _("Write what should change: the specialist will read it.")})
    if locked.status != A.PENDING or locked_route.status != R.IN_AGREEMENT:
        raise IllegalMove(
            _("This section is not waiting for your answer any more: the route is “%(state)s”.")
            % {"state": locked_route.get_status_display()},
            code="illegal_move",
        )
    if not actor.has_perm("routes.agree_routesection", locked.section):
        raise PermissionDenied  # another lecturer's section


@transaction.atomic
def agreement_answer(*, agreement: Agreement, actor: User, decision: str, comment: str) -> Agreement:
    """A lecturer agrees their section, agrees with remarks, or asks for changes (a comment is then required).

    Changes send the route back to draft; the last agreement sends it to the administration. The route row is
    locked before the agreement, in the same order as every other route service, so an answer and a change of
    the route never interleave.
    """
    locked_route = _lock_route(agreement.route)
    locked = Agreement.objects.select_for_update().select_related("section__course").get(pk=agreement.pk)
    _check_answer(locked, locked_route, actor, decision, comment)
    section = locked.section

    def answer(obj: Agreement) -> None:
        obj.comment, obj.decided_at = comment.strip(), timezone.now()

    # The lecturer's words stay on the agreement (cleared by retention), not on the chained status change.
    locked = move(instance=locked, to_status=decision, allowed=AGREEMENT_ALLOWED, actor=actor, before_save=answer)
    locked.section = section  # already loaded, with its course
    _answered(locked)
    course = section.course
    if decision == A.CHANGES_REQUESTED:
        moved = move(
            instance=locked_route,
            to_status=R.DRAFT,
            allowed=ALLOWED,
            actor=actor,
            comment=_("%(course)s: %(comment)s") % {"course": course, "comment": locked.comment},
        )
        _tell(
            _authors(moved),
            route=moved,
            kind="route_changes_requested",
            subject=gettext_noop("A lecturer asked for changes to a route"),
            body=gettext_noop("The lecturer of %(course)s asked for changes: %(comment)s"),
            context={"course": str(course), "comment": locked.comment},
            key=f"agreement{locked.pk}",
        )
        _set_aside_pending(moved, actor, course=str(course))
        return locked
    still_open = (
        Agreement.objects.filter(route=locked_route, section__removed_at__isnull=True)
        .exclude(status__in=[A.WITHDRAWN, A.AGREED, A.AGREED_WITH_REMARKS])
        .exists()
    )
    if not still_open:
        _to_approval(locked_route, actor)
    return locked


def _to_approval(locked: Route, actor: User) -> Route:
    now = timezone.now()

    def stamp(obj):
        obj.sent_for_approval_at = now

    moved = move(
        instance=locked,
        to_status=R.IN_APPROVAL,
        allowed=ALLOWED,
        actor=actor,
        comment=_("Every lecturer agreed."),
        before_save=stamp,
    )
    approvers = User.objects.filter(
        Q(groups__permissions__codename="approve_route", groups__permissions__content_type__app_label="routes")
        | Q(user_permissions__codename="approve_route"),
        is_active=True,
    ).distinct()
    _tell(
        [*approvers, *_authors(moved)],
        route=moved,
        kind="route_in_approval",
        subject=gettext_noop("A route is waiting for approval"),
        body=gettext_noop("Every lecturer agreed the individual educational route. It now waits for approval."),
        context={},
        key=f"round{moved.agreement_round}",
    )
    return moved


# --- Approval -----------------------------------------------------------------------------------------------


@transaction.atomic
def route_approve(*, route: Route, actor: User) -> Route:
    """Approve: the route is registered with a number and comes into force; the version it revises is superseded."""
    if not actor.has_perm("routes.approve_route"):
        raise PermissionDenied
    locked = _lock_route(route)
    _refuse_without_consent(locked.application)
    if settings.ROUTE_APPROVAL_NEEDS_PROTOCOL and locked.status == R.IN_APPROVAL:
        _refuse_without_team_decision(locked)

    def register(obj):
        _sequence, obj.registration_number = next_registration_number(document_type=DocumentType.ROUTE)
        obj.approved_by = actor
        obj.approved_at = timezone.now()

    moved = move(instance=locked, to_status=R.IN_FORCE, allowed=ALLOWED, actor=actor, before_save=register)
    register_document(
        source=moved,
        document_type=DocumentType.ROUTE,
        student=moved.application.student,
        number=moved.registration_number,
        registered_on=timezone.localdate(moved.approved_at),
        actor=actor,
    )
    if moved.previous_id:
        previous = Route.objects.select_for_update().get(pk=moved.previous_id)
        if previous.status in {R.IN_FORCE, R.UNDER_REVIEW}:
            move(
                instance=previous,
                to_status=R.SUPERSEDED,
                allowed=ALLOWED,
                actor=actor,
                comment=_("Replaced by version %(version)s, %(number)s")
                % {"version": moved.version, "number": moved.registration_number},
            )
    _tell_approved(moved)
    return moved


def _refuse_without_team_decision(route: Route) -> None:
    """With ROUTE_APPROVAL_NEEDS_PROTOCOL, approval waits for the interdisciplinary team: the latest decision of a
    signed protocol on this route's support measures must approve them (regulation §10 d)."""
    from ..selectors.meeting import team_decision_on

    decision = team_decision_on(route)
    if decision.approves:
        return
    if decision.latest is not None:
        message = _(
            "The interdisciplinary team decided to change this route's support measures (protocol %(number)s). "
            "Return the route to the specialists; it can be approved once the team approves its measures."
        ) % {"number": decision.latest.protocol.registration_number}
    else:
        message = _(
            "The interdisciplinary team has not yet approved this route's support measures. The route can be "
            "approved once a signed protocol of the team's meeting approves them."
        )
    raise IllegalMove(message, code="no_team_decision")


def _tell_approved(moved: Route) -> None:
    """The student side, the authors and the lecturers of the sections learn that the route is in force."""
    lecturers = [s.lecturer for s in moved.sections.filter(removed_at__isnull=True).select_related("lecturer")]
    context = {"number": moved.registration_number}
    _tell(
        applicant_side(moved.application),
        route=moved,
        kind="route_approved_student",
        subject=gettext_noop("Your individual educational route is approved"),
        body=gettext_noop(
            "Your individual educational route %(number)s is approved and in force. You can read it, course by "
            "course, on your case page."
        ),
        context=context,
        key="approved",
    )
    _tell(
        [*_authors(moved), *lecturers],
        route=moved,
        kind="route_approved",
        subject=gettext_noop("A route is approved"),
        body=gettext_noop("The individual educational route %(number)s is approved and in force."),
        context=context,
        key="approved",
    )


@transaction.atomic
def route_return(*, route: Route, actor: User, reason: str) -> Route:
    if not actor.has_perm("routes.approve_route"):
        raise PermissionDenied
    required_reason(reason, _("Give the reason: the specialists will read it."))
    locked = _lock_route(route)
    if locked.status != R.IN_APPROVAL:
        raise IllegalMove(
            _("This route is not waiting for approval: it is “%(state)s”.") % {"state": locked.get_status_display()},
            code="illegal_move",
        )
    moved = move(instance=locked, to_status=R.DRAFT, allowed=ALLOWED, actor=actor, comment=reason.strip())
    _tell(
        _authors(moved),
        route=moved,
        kind="route_returned",
        subject=gettext_noop("A route was returned by the administration"),
        body=gettext_noop("The administration returned the route. The reason: %(reason)s"),
        context={"reason": reason.strip()},
        key=f"returned{moved.agreement_round}",
    )
    return moved


def _cancel_registered_document(route: Route, actor: User, reason: str) -> None:
    """A cancelled route's registered PDF says so on the verification page."""
    from django.contrib.contenttypes.models import ContentType

    from documents.models import RegisteredDocument
    from documents.services import document_change_status

    documents = RegisteredDocument.objects.filter(
        content_type=ContentType.objects.get_for_model(Route),
        object_id=route.pk,
        status=RegisteredDocument.Status.IN_FORCE,
    )
    for document in documents:
        document_change_status(
            document=document, to_status=RegisteredDocument.Status.CANCELLED, actor=actor, reason=reason
        )


# --- Life of the route --------------------------------------------------------------------------------------


@transaction.atomic
def route_cancel(*, route: Route, actor: User, reason: str) -> Route:
    """Cancel a route that is not final; a cancelled revision leaves the version it revised in force."""
    locked = _lock_for_author(route, actor)
    required_reason(reason, _("Give the reason for cancelling."))
    moved = move(
        instance=locked,
        to_status=R.CANCELLED,
        allowed=ALLOWED,
        actor=actor,
        comment=reason.strip(),
        before_save=lambda obj: setattr(obj, "closed_reason", reason.strip()),
    )
    with acting_as(actor):
        for agreement in Agreement.objects.filter(route=moved, status=A.PENDING):
            _withdraw(agreement, _("the route was cancelled"), actor)
    if moved.registration_number:
        _cancel_registered_document(moved, actor, reason.strip())
    if moved.previous_id:
        previous = Route.objects.get(pk=moved.previous_id)
        if previous.status == R.UNDER_REVIEW:
            move(
                instance=previous,
                to_status=R.IN_FORCE,
                allowed=ALLOWED,
                actor=actor,
                comment=_("The revision was cancelled; this version stays in force."),
            )
    return moved


@transaction.atomic
def route_review(*, route: Route, actor: User, reason: str, outcome: str, comment: str) -> RouteReview:
    """Record a review of the route in force: continue, revise (a new draft version) or complete.

    Answers the student's open reports of changed needs. For `revise` the new draft is `review.route.next_version`.
    """
    locked = _lock_for_author(route, actor)
    if locked.status != R.IN_FORCE:
        raise IllegalMove(
            _("Only a route in force is reviewed; this one is “%(state)s”.") % {"state": locked.get_status_display()},
            code="illegal_move",
        )
    if outcome != RouteReview.Outcome.CONTINUE and not comment.strip():
        raise ValidationError({"comment": _("Say what the review found.")}, code="no_comment")
    with acting_as(actor):
        review = RouteReview.objects.create(
            route=locked, reason=reason, outcome=outcome, comment=comment.strip(), reviewed_by=actor
        )
        for report in ChangedNeedsReport.objects.filter(application=locked.application, review__isnull=True):
            report.review = review
            report.save(update_fields=["review"])
    if outcome == RouteReview.Outcome.REVISE:
        moved = move(instance=locked, to_status=R.UNDER_REVIEW, allowed=ALLOWED, actor=actor, comment=comment.strip())
        conclusion = (
            Conclusion.objects.filter(application=moved.application, status=Conclusion.Status.SIGNED)
            .order_by("-version")
            .first()
        )
        _create_version(
            application=moved.application,
            conclusion=conclusion,
            actor=actor,
            academic_year=moved.academic_year,
            term=moved.term,
            terms=_terms_of(moved.academic_year, moved.term),
            previous=moved,
            reason=comment.strip(),
        )
    elif outcome == RouteReview.Outcome.COMPLETE:
        move(
            instance=locked,
            to_status=R.COMPLETED,
            allowed=ALLOWED,
            actor=actor,
            comment=comment.strip(),
            before_save=lambda obj: setattr(obj, "closed_reason", comment.strip()),
        )
    return review


@transaction.atomic
def changed_needs_report(*, application: Application, actor: User, text: str) -> ChangedNeedsReport:
    """The student tells the centre their needs changed (§9): the specialists and the centre head are told."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if not permissions.can_report_changed_needs(actor, locked):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": _("Tell us what has changed.")}, code="empty")
    with acting_as(actor):
        report = ChangedNeedsReport.objects.create(application=locked, text=text.strip(), reported_by=actor)
    recipients = {u.pk: u for u in _centre_heads()}
    for assignment in locked.assignments.filter(ended_at__isnull=True).select_related("specialist"):
        recipients[assignment.specialist_id] = assignment.specialist
    for recipient in recipients.values():
        notify(
            recipient=recipient,
            kind="changed_needs",
            subject=gettext_noop("A student reported changed needs"),
            body=gettext_noop("The student of case %(number)s reported that their needs have changed."),
            url=reverse("students:application_detail", args=[locked.public_id]),
            dedup_key=f"changed_needs:{report.pk}:{recipient.pk}",
            context={"number": locked.registration_number},
        )
    return report


@transaction.atomic
def case_close(*, application: Application, actor: User, reason: str) -> Application:
    """Close a concluded case (graduation, leaving, no more need): open routes are cancelled, routes in force end."""
    if not actor.has_perm("routes.manage_route"):
        raise PermissionDenied
    required_reason(reason, _("Give the reason for closing the case."))
    moved = move(
        instance=application,
        to_status=Application.Status.CLOSED,
        allowed=APPLICATION_MOVES,
        actor=actor,
        comment=reason,
    )
    for route in Route.objects.filter(application=moved).exclude(status__in=Route.FINAL).order_by("version"):
        route = Route.objects.get(pk=route.pk)  # an earlier iteration may have moved it
        if route.is_final:
            continue
        target = R.COMPLETED if route.status in {R.IN_FORCE, R.UNDER_REVIEW} else R.CANCELLED
        move(
            instance=route,
            to_status=target,
            allowed=ALLOWED,
            actor=actor,
            comment=reason.strip(),
            before_save=lambda obj: setattr(obj, "closed_reason", reason.strip()),
        )
        with acting_as(actor):
            for agreement in Agreement.objects.filter(route=route, status=A.PENDING):
                _withdraw(agreement, _("the case was closed"), actor)
    for recipient in applicant_side(moved):
        notify(
            recipient=recipient,
            kind="case_closed",
            subject=gettext_noop("Your case is closed"),
            body=gettext_noop("The centre closed your case. The reason: %(reason)s"),
            url=reverse("students:application_detail", args=[moved.public_id]),
            dedup_key=f"case_closed:{moved.pk}:{recipient.pk}",
            context={"reason": reason.strip()},
        )
    return moved
