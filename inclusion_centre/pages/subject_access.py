"""Subject access (Law No. 94-V, art. 24): everything the system holds about one student, as JSON.

`subject_access_data` reads what a student's file holds and returns plain JSON-able values; the view puts it in a
ZIP next to the personal file (registered PDFs, uploaded documents). It follows what the student side may read
elsewhere in the app: signed conclusions (never drafts or the specialists' own assessment notes, which are the
centre's working papers), routes once approved, and staff seen only by name and role (their addresses stay in the
auditor's log).
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import Promise

from audit.models import AccessLog, Disclosure, StatusChange
from inclusion_centre.accounts.models import Notification
from routes.models import Appeal, Conclusion, ConclusionItem, Route, RouteSection
from students.models import Application, Consent, Enrolment, Representation, Student, SupportingDocument

FORMAT_VERSION = 1


def _value(value):
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value).isoformat(timespec="seconds") if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _plain(**values) -> dict:
    return {key: _value(value) for key, value in values.items()}


def _name(user) -> str:
    return user.full_name if user is not None else ""


def _consent(consent: Consent | None) -> dict | None:
    if consent is None:
        return None
    return _plain(
        text_version=consent.text.version,
        language=consent.language,
        channel=str(consent.get_channel_display()),
        given_at=consent.given_at,
        recorded_by=_name(consent.given_by),
        withdrawn_at=consent.withdrawn_at,
        withdrawn_by=_name(consent.withdrawn_by),
        withdrawal_reason=consent.withdrawal_reason,
    )


def _application_fields(application: Application) -> dict:
    return _plain(
        registration_number=application.registration_number or "",
        status=str(application.get_status_display()),
        filed_as=str(application.get_filed_as_display()),
        filed_by=_name(application.filed_by),
        channel=str(application.get_channel_display()),
        description=application.description,
        referral_note=application.referral_note,
        conditions_other=application.conditions_other,
        disability_group=str(application.get_disability_group_display()),
        contact_channel=str(application.get_contact_channel_display()),
        contact_phone=application.contact_phone,
        contact_notes=application.contact_notes,
        received_on=application.received_on,
        submitted_at=application.submitted_at,
        registered_at=application.registered_at,
        rejection_reason=application.rejection_reason,
        created_at=application.created_at,
    )


def _supporting_document(document: SupportingDocument) -> dict:
    return _plain(
        kind=str(document.get_kind_display()),
        file_name=document.original_name,
        file_type=document.content_type,
        size=document.size,
        sha256=document.sha256,
        uploaded_at=document.uploaded_at,
        uploaded_by=_name(document.uploaded_by),
    )


def _status_change(change: StatusChange) -> dict:
    return _plain(
        when=change.created_at,
        from_status=change.from_status,
        to_status=change.to_status,
        by=_name(change.actor),
        comment=change.comment,
    )


def _conclusion(conclusion: Conclusion) -> dict:
    return {
        **_plain(
            registration_number=conclusion.registration_number or "",
            version=conclusion.version,
            signed_at=conclusion.signed_at,
            signed_by=_name(conclusion.signed_by),
            support_level=str(conclusion.get_support_level_display()),
            analysis=conclusion.analysis,
        ),
        "recommendations": [
            _plain(adaptation=item.adaptation.name if item.adaptation_id else "", text=item.text)
            for item in conclusion.items.all()
        ],
        "specialists": [_name(person) for person in conclusion.specialists.all()],
    }


def _application(application: Application, timeline: list[StatusChange]) -> dict:
    signed = [c for c in application.conclusions.all() if c.status == Conclusion.Status.SIGNED]
    routes = [r for r in application.routes.all() if r.status in Route.APPROVED]
    return {
        **_application_fields(application),
        "categories": [category.name for category in application.categories.all()],
        "conditions": [condition.name for condition in application.conditions.all()],
        "consent": _consent(getattr(application, "consent", None)),
        "supporting_documents": [_supporting_document(document) for document in application.documents.all()],
        "timeline": [_status_change(change) for change in timeline],
        "conclusions": [_conclusion(conclusion) for conclusion in signed],
        "routes": [_route(route) for route in routes],
        "appeals": [_appeal(appeal) for appeal in application.appeals.all()],
        "changed_needs_reports": [
            _plain(text=report.text, reported_by=_name(report.reported_by), reported_at=report.created_at)
            for report in application.changed_needs.all()
        ],
    }


def _appeal(appeal: Appeal) -> dict:
    return _plain(
        decision=str(appeal.get_subject_display()),
        grounds=appeal.grounds,
        status=str(appeal.get_status_display()),
        filed_at=appeal.filed_at,
        filed_by=_name(appeal.filed_by),
        due_on=appeal.due_on,
        reviewer=_name(appeal.reviewer),
        answer=appeal.answer,
        closed_at=appeal.closed_at,
    )


def _disclosures(student: Student) -> list[dict]:
    """Each disclosure of the student's data to a third party (regulation §10.3), as "who has opened my file" shows."""
    return [
        _plain(
            disclosed_on=item.disclosed_on,
            recipient=item.recipient,
            data=", ".join(item.category_labels),
            details=item.details,
            legal_ground=str(item.get_ground_display()),
            ground_in_words=item.ground_text,
        )
        for item in Disclosure.objects.filter(student=student).order_by("disclosed_on", "pk")
    ]


def _route(route) -> dict:
    return {
        **_plain(
            registration_number=route.registration_number or "",
            version=route.version,
            status=str(route.get_status_display()),
            academic_year=route.academic_year,
            term=str(route.term) if route.term_id else "",
            goals=route.goals,
            support_level=str(route.get_support_level_display()),
            tutor=_name(route.tutor),
            timetable=route.timetable,
            methods=route.methods,
            first_review_on=route.first_review_on,
            second_review_on=route.second_review_on,
            approved_at=route.approved_at,
            approved_by=_name(route.approved_by),
        ),
        "sections": [
            _plain(
                course=str(section.course),
                lecturer=_name(section.lecturer),
                content_adaptation=section.content_adaptation,
                methods=section.methods,
                assessment_forms=section.assessment_forms,
            )
            for section in route.sections.all()
            if section.removed_at is None
        ],
        "support_measures": [
            _plain(who=measure.who, what=measure.what, frequency=measure.frequency, until=measure.until)
            for measure in route.measures.all()
        ],
    }


def _applications(student: Student) -> list[Application]:
    """The student's applications with everything `_application` reads, in a fixed number of queries."""
    items = ConclusionItem.objects.select_related("adaptation")
    conclusions = (
        Conclusion.objects.select_related("signed_by")
        .prefetch_related("specialists", Prefetch("items", queryset=items))
        .order_by("version")
    )
    routes = (
        Route.objects.select_related("term", "tutor", "approved_by")
        .prefetch_related(
            Prefetch("sections", queryset=RouteSection.objects.select_related("course", "lecturer")), "measures"
        )
        .order_by("version")
    )
    return list(
        Application.objects.filter(student=student)
        .select_related("filed_by", "consent__text", "consent__given_by", "consent__withdrawn_by")
        .prefetch_related(
            "categories",
            "conditions",
            Prefetch("documents", queryset=SupportingDocument.objects.select_related("uploaded_by")),
            Prefetch("conclusions", queryset=conclusions),
            Prefetch("routes", queryset=routes),
            Prefetch("appeals", queryset=Appeal.objects.select_related("filed_by", "reviewer").order_by("filed_at")),
            "changed_needs__reported_by",
        )
        .order_by("created_at", "pk")
    )


def _timelines(applications: list[Application]) -> dict[int, list[StatusChange]]:
    timelines: dict[int, list[StatusChange]] = {}
    for change in StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Application), object_id__in=[a.pk for a in applications]
    ).select_related("actor"):
        timelines.setdefault(change.object_id, []).append(change)
    return timelines


def _student(student: Student) -> dict:
    user = student.user
    return _plain(
        full_name=user.full_name,
        email=user.email,
        preferred_language=user.preferred_language,
        external_id=student.external_id,
        programme=str(student.programme),
        study_group=str(student.group) if student.group_id else "",
        year_of_study=student.year_of_study,
        date_of_birth=student.date_of_birth,
    )


def _access_log(student: Student) -> list[dict]:
    """Who opened the file, as "who has opened my file" shows it: names, staff roles and when, no addresses."""
    accesses = (
        AccessLog.objects.filter(student=student, user__isnull=False)
        .select_related("user", "content_type")
        .order_by("created_at", "pk")
    )
    return [
        _plain(
            when=entry.created_at,
            who=entry.user.full_name,
            roles=", ".join(str(label) for label in entry.role_labels),
            action=str(entry.get_action_display()),
            record=entry.object_type_label,
        )
        for entry in accesses
    ]


def subject_access_data(student: Student) -> dict:
    """Everything about `student` that their side of the app shows them, in one JSON-able dict.

    A fixed number of queries whatever the number of applications, routes or log entries.
    """
    applications = _applications(student)
    timelines = _timelines(applications)
    return {
        "format_version": FORMAT_VERSION,
        "generated_at": _value(timezone.now()),
        "student": _student(student),
        "legal_representatives": [
            _plain(
                full_name=r.representative.full_name,
                email=r.representative.email,
                relationship=str(r.get_relationship_display()),
            )
            for r in Representation.objects.filter(student=student).select_related("representative")
        ],
        "enrolments": [
            _plain(course=str(e.course), term=str(e.term))
            for e in Enrolment.objects.filter(student=student).select_related("course", "term")
        ],
        "applications": [_application(a, timelines.get(a.pk, [])) for a in applications],
        "notifications": [
            _plain(subject=n.subject, body=n.body, created_at=n.created_at, read_at=n.read_at, emailed_at=n.emailed_at)
            for n in Notification.objects.filter(recipient=student.user).order_by("created_at", "pk")
        ],
        "access_log": _access_log(student),
        "disclosures": _disclosures(student),
    }
