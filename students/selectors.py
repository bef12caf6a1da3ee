"""Every read of applications a page needs, already filtered to what the user may see."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.middleware import AccessRefused
from audit.models import StatusChange
from inclusion_centre.accounts.grants import granted, remember_grant
from inclusion_centre.accounts.models import User
from inclusion_centre.workdays import add_working_days, latest_start_not_overdue

from . import permissions
from .models import Application, Student, StudentUserObjectPermission


def _select_related(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "student__user", "student__programme__faculty", "student__group", "student__mse", "filed_by", "consent"
    )


def _with_related(queryset: QuerySet) -> QuerySet:
    return _select_related(queryset).prefetch_related("categories")


def _load_catalogue_choices(application: Application) -> None:
    """Read the application's categories of needs and conditions asked for in one query (UNION ALL of the two
    catalogues, which have the same columns) and put them where `application.categories.all()` and
    `application.conditions.all()` find them, as prefetch_related would."""
    from .models import ConditionOption, NeedCategory

    names = [field.attname for field in NeedCategory._meta.concrete_fields]
    assert names == [field.attname for field in ConditionOption._meta.concrete_fields]  # same columns
    kind = IntegerField()
    categories = (
        NeedCategory.objects.filter(application=application.pk)
        .annotate(catalogue=Value(0, output_field=kind))
        .values_list(*names, "catalogue")
        .order_by()
    )
    conditions = (
        ConditionOption.objects.filter(application=application.pk)
        .annotate(catalogue=Value(1, output_field=kind))
        .values_list(*names, "catalogue")
        .order_by()
    )
    rows = list(categories.union(conditions, all=True))
    db = categories.db
    chosen = {"categories": [], "conditions": []}
    for row in rows:
        if row[-1] == 0:
            chosen["categories"].append(NeedCategory.from_db(db, names, row[:-1]))
        else:
            chosen["conditions"].append(ConditionOption.from_db(db, names, row[:-1]))
    cache = application.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, entries in chosen.items():
        entries.sort(key=lambda entry: (entry.order, entry.code))  # the catalogues' ordering
        queryset = getattr(application, name).get_queryset()  # not evaluated: what prefetch_related would fill
        queryset._result_cache = entries
        queryset._prefetch_done = True
        cache[name] = queryset


def representatives_of(student: Student) -> list[User]:
    """The student's legal representatives (the people their Representation rows name)."""
    return [r.representative for r in student.representations.select_related("representative")]


def applicant_side(application: Application) -> list[User]:
    """The people on the student's side of `application`, each once and active ones only: the student, their
    legal representatives and whoever filed it (a referring lecturer too). The services of students and routes
    tell them of the case's moves; this is who is told, not who may act (that is the object grants)."""
    student = application.student
    people = {student.user_id: student.user}
    for representative in representatives_of(student):
        people[representative.pk] = representative
    people.setdefault(application.filed_by_id, application.filed_by)
    return [user for user in people.values() if user.is_active]


def _represented_by(user: User) -> QuerySet:
    """The students `user` acts for as a legal representative (their object grants), as a subquery."""
    return granted(user, "students.act_for_student", Student.objects.all()).values("pk")


def applications_of(user: User) -> QuerySet:
    """Applications the user follows as applicant, representative or referring lecturer (object grants only)."""
    followed = granted(
        user,
        ["students.view_application", "students.view_application_status"],
        Application.objects.all(),
        any_perm=True,
    )
    visible = Application.objects.filter(
        Q(pk__in=followed.values("pk")) | Q(student__user=user) | Q(student__in=_represented_by(user))
    ).distinct()
    return _with_related(visible).order_by("-created_at")


def application_for(user: User, public_id) -> tuple[Application, bool]:
    """The application and whether the user sees all of it (False: status only, for a referring lecturer).

    Raises Http404 when the user may see nothing of it: a guessed address learns nothing.
    """
    application = (
        _select_related(Application.objects.all())
        .select_related("consent__text")
        .annotate(
            # Whether the user represents the student (their object grant): read with the case.
            viewer_represents=Exists(
                StudentUserObjectPermission.objects.filter(
                    content_object=OuterRef("student"), user=user.pk, permission__codename="act_for_student"
                )
            )
        )
        .filter(public_id=public_id)
        .first()
    )
    if application is None:
        raise Http404
    remember_grant(user, application.student, "act_for_student", application.viewer_represents)
    _load_catalogue_choices(application)
    if permissions.can_view(user, application):
        return application, True
    if permissions.can_view_status(user, application):
        return application, False
    raise AccessRefused(application)  # a 404 like any other, and the attempt is logged


def timeline(application: Application) -> list[StatusChange]:
    return list(
        StatusChange.objects.filter(
            content_type__app_label="students", content_type__model="application", object_id=application.pk
        ).select_related("actor")
    )


def registration_due(application: Application) -> datetime.date | None:
    if application.submitted_at is None:
        return None
    start = timezone.localdate(application.submitted_at)
    return add_working_days(start, settings.DEADLINE_WORKING_DAYS["register_application"])


def assessment_due(application: Application) -> datetime.date | None:
    if application.registered_at is None:
        return None
    start = timezone.localdate(application.registered_at)
    return add_working_days(start, settings.DEADLINE_WORKING_DAYS["assess_application"])


_WAITING_FOR_ASSESSMENT = {Application.Status.REGISTERED, Application.Status.UNDER_ASSESSMENT}


def is_overdue(application: Application, today: datetime.date | None = None) -> bool:
    """Registration or the assessment has taken longer than its deadline."""
    today = today or timezone.localdate()
    if application.status == Application.Status.SUBMITTED:
        due = registration_due(application)
    elif application.status in _WAITING_FOR_ASSESSMENT:
        due = assessment_due(application)
    else:
        return False
    return due is not None and due < today


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def overdue_q(today: datetime.date | None = None) -> Q:
    """Applications whose registration or assessment deadline has passed, as a database condition."""
    today = today or timezone.localdate()
    register_cutoff = latest_start_not_overdue(today, settings.DEADLINE_WORKING_DAYS["register_application"])
    assess_cutoff = latest_start_not_overdue(today, settings.DEADLINE_WORKING_DAYS["assess_application"])
    return Q(status=Application.Status.SUBMITTED, submitted_at__lt=_start_of(register_cutoff)) | Q(
        status__in=_WAITING_FOR_ASSESSMENT, registered_at__lt=_start_of(assess_cutoff)
    )


def inbox(user: User) -> QuerySet:
    """The centre's inbox: every application that was submitted (drafts are their authors', even withdrawn)."""
    if not user.has_perm("students.view_application"):
        raise Http404
    # The columns the inbox shows, and no more: three joins instead of seven, and no 25 unused rows of consent,
    # group and filing user per page (the planning of the wider join was most of the page's database time).
    faculty_names = [f"student__programme__faculty__{name}" for name in ("name_kk", "name_ru", "name_en", "name_ky")]
    return (
        permissions.visible_to_staff(Application.objects)
        .select_related("student__user", "student__programme__faculty")
        .only(
            *("public_id", "status", "registration_number", "submitted_at", "registered_at", "student"),
            *("student__user__full_name", "student__programme__faculty", *faculty_names),
        )
        .prefetch_related("categories")
        .order_by("-submitted_at", "-pk")
    )


def inbox_counts(user: User) -> dict[str, int]:
    """How many applications wait for registration, and how many of those are overdue (one query)."""
    from django.db.models import Count

    return (
        inbox(user)
        .filter(status=Application.Status.SUBMITTED)
        .aggregate(submitted=Count("pk"), overdue=Count("pk", filter=overdue_q()))
    )


def students_for_new_application(user: User) -> QuerySet:
    """The students this user may start an application for: themselves, whom they represent, whom they teach."""
    condition = Q(user=user) | Q(pk__in=_represented_by(user))
    query = Student.objects.filter(condition)
    if user.has_role("lecturer"):
        query = query | permissions.taught_by(user)
    return query.select_related("user", "programme", "group").distinct().order_by("user__full_name")


@dataclass
class NextStep:
    text: str
    due: datetime.date | None = None


_EVENT_TEXT = {
    Application.Status.DRAFT: _("The application was started"),
    Application.Status.SUBMITTED: _("The application was sent to the centre"),
    Application.Status.REGISTERED: _("The centre registered the application"),
    Application.Status.UNDER_ASSESSMENT: _("Specialists were assigned to assess the needs"),
    Application.Status.CONCLUDED: _("The centre issued its conclusion"),
    Application.Status.CLOSED: _("The case was closed"),
    Application.Status.REJECTED: _("The centre did not accept the application"),
    Application.Status.WITHDRAWN: _("The application was withdrawn"),
    Application.Status.MERGED: _("The application was merged into the student's open case"),
    Application.Status.DUPLICATE: _("The centre did not accept the application: the student has an open case"),
}


@dataclass
class TimelineEvent:
    when: datetime.datetime
    text: str
    actor: User | None = None
    comment: str = ""


def case_timeline(
    application: Application, documents, *, status_changes: Sequence, more_events: Sequence[tuple] = ()
) -> list[TimelineEvent]:
    """Every step of the case in plain words, oldest first: its moves (`status_changes`, the application's
    StatusChange rows), consent, uploaded documents, and `more_events` ((when, text, actor) of the apps above)."""
    events = [
        TimelineEvent(change.created_at, _EVENT_TEXT[change.to_status], change.actor, change.comment)
        for change in status_changes
    ]
    consent = getattr(application, "consent", None)
    if consent is not None:
        events.append(TimelineEvent(consent.given_at, _("Consent to the processing of personal data was given")))
        if consent.withdrawn_at:
            events.append(
                TimelineEvent(
                    consent.withdrawn_at,
                    _("Consent to the processing of personal data was withdrawn"),
                    comment=consent.withdrawal_reason,
                )
            )
    events.extend(TimelineEvent(when, text, actor) for when, text, actor in more_events)
    for document in documents:
        events.append(
            TimelineEvent(
                document.uploaded_at, _("A document was added: %(kind)s") % {"kind": document.get_kind_display()}
            )
        )
    return sorted(events, key=lambda event: event.when)


def next_step(application: Application, *, applicant_side: bool) -> NextStep | None:
    """What happens next, who acts and by when, in words for the person reading the case page. None for a
    concluded case: what happens next is its route's (routes.selectors.route_next_step)."""
    status = application.status
    S = Application.Status
    if status == S.DRAFT:
        if applicant_side:
            return NextStep(
                _(
                    "Your turn: finish the form, give your consent and send it. "
                    "Nothing reaches the centre until you send it."
                )
            )
        return NextStep(_("The applicant is filling in the application."))
    if status == S.SUBMITTED:
        return NextStep(_("The centre registers the application."), registration_due(application))
    if status == S.REGISTERED:
        return NextStep(
            _("The head of the centre assigns specialists to assess the needs."), assessment_due(application)
        )
    if status == S.UNDER_ASSESSMENT:
        if applicant_side:
            return NextStep(
                _("Specialists assess the needs. They may contact you to meet."), assessment_due(application)
            )
        return NextStep(
            _(
                "The assigned specialists record their assessment of each area; "
                "then a conclusion is drafted for the head of the centre to sign."
            ),
            assessment_due(application),
        )
    if status == S.CONCLUDED:
        return None
    return NextStep(_("Nothing more happens with this application. A new one can be made at any time."))


def open_cases_of(student, *, exclude: Application | None = None) -> QuerySet:
    """The applications of `student` (or of a queryset of students) that have not ended, a draft included, oldest
    first: what a new application would duplicate. For the applicant side's or the centre's eyes only (the
    centre filters out drafts with permissions.visible_to_staff)."""
    students = student if isinstance(student, QuerySet) else [student]
    cases = (
        Application.objects.filter(student__in=students)
        .exclude(status__in=Application.final_statuses())
        .select_related("student__user")
    )
    if exclude is not None:
        cases = cases.exclude(pk=exclude.pk)
    return cases.order_by("created_at", "pk")


def merge_targets(application: Application) -> list[Application]:
    """The other open cases of the same student that the centre sees (sent to it, not ended): where a duplicate
    can be merged. Empty when the application cannot be merged or rejected as a duplicate any more."""
    if application.status not in {Application.Status.SUBMITTED, Application.Status.REGISTERED}:
        return []
    cases = open_cases_of(application.student, exclude=application).exclude(Application.unsubmitted_q())
    return list(cases)


def user_by_sis_id(external_id: str):
    """The user of the student the SIS import stored with this id, or None: how the university's sign-in
    (accounts/provisioning.py) finds a student's account."""
    student = Student.objects.select_related("user").filter(external_id=external_id).first()
    return student.user if student else None
