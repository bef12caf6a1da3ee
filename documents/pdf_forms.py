"""The printed forms of the application and the conclusion (see documents/forms_registry.py for how to add one).

Each context function re-reads its source with everything the template needs in a fixed number of queries, and
builds the approval block from the recorded facts (status changes, signatures), never from the current state
alone: a PDF rendered later than its registration still tells who did what and when.
"""

from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.models import StatusChange
from inclusion_centre.accounts.models import User
from routes import permissions as route_permissions
from routes.models import Agreement, Assignment, Conclusion, ConclusionItem, Route, RouteSection
from students import permissions as application_permissions
from students.models import Application

from .forms_registry import Approval, FormSpec, register_form
from .models import DocumentType


def position_of(user: User | None) -> str:
    """The person's position as the centre records it, or their roles."""
    if user is None:
        return ""
    profile = getattr(user, "staff_profile", None)
    if profile is not None and profile.position:
        return profile.position
    return ", ".join(str(role.label) for role in user.roles)


def _student_summary(student) -> dict:
    return {
        "name": student.user.full_name,
        "programme": str(student.programme),
        "group": str(student.group) if student.group_id else "",
        "year_of_study": student.year_of_study,
    }


# --- Application --------------------------------------------------------------------------------------------


def _status_changes(obj, statuses) -> dict[str, StatusChange]:
    """The last recorded move of `obj` into each of `statuses`, with the actor's staff profile."""
    changes = StatusChange.objects.filter(
        content_type__app_label=obj._meta.app_label,
        content_type__model=obj._meta.model_name,
        object_id=obj.pk,
        to_status__in=statuses,
    ).select_related("actor__staff_profile")
    return {change.to_status: change for change in changes}


def application_context(application: Application) -> dict:
    S = Application.Status
    application = (
        Application.objects.select_related(
            "student__user",
            "student__programme",
            "student__group",
            "filed_by",
            "consent__text",
            "consent__given_by",
        )
        .prefetch_related("categories", "conditions", "documents")
        .get(pk=application.pk)
    )
    student = application.student
    changes = _status_changes(application, [S.SUBMITTED, S.REGISTERED])
    submitted, registered = changes.get(S.SUBMITTED), changes.get(S.REGISTERED)

    approvals = []
    if application.channel == Application.Channel.PAPER:
        approvals.append(
            Approval(
                role=_("Applicant"),
                name=student.user.full_name,
                position=_("Student"),
                date=application.received_on,
                outcome=_("Signed on paper, received at the chancellery"),
            )
        )
        if submitted is not None:
            approvals.append(
                Approval(
                    role=_("Entered by"),
                    name=submitted.actor.full_name if submitted.actor else "",
                    position=position_of(submitted.actor),
                    date=submitted.created_at,
                    outcome=_("Entered with the scan of the paper application"),
                )
            )
    else:
        applicant = submitted.actor if submitted is not None and submitted.actor else application.filed_by
        approvals.append(
            Approval(
                role=_("Applicant"),
                name=applicant.full_name,
                position=_("Student") if applicant.pk == student.user_id else _("Legal representative"),
                date=application.submitted_at,
                outcome=_("Submitted and signed electronically"),
            )
        )
    consent = getattr(application, "consent", None)
    if consent is not None:
        approvals.append(
            Approval(
                role=_("Consent to the processing of personal data"),
                name=consent.given_by.full_name,
                position="",
                date=consent.given_at,
                outcome=_("Given (text version %(version)s, %(channel)s)")
                % {"version": consent.text.version, "channel": consent.get_channel_display()},
            )
        )
    approvals.append(
        Approval(
            role=_("Registration"),
            name=registered.actor.full_name if registered is not None and registered.actor else "",
            position=position_of(registered.actor) if registered is not None else "",
            date=registered.created_at if registered is not None else application.registered_at,
            outcome=_("Registered under number %(number)s") % {"number": application.registration_number},
        )
    )
    return {
        "application": application,
        "student": _student_summary(student),
        "categories": [category.name for category in application.categories.all()],
        "conditions": [condition.name for condition in application.conditions.all()],
        "supporting_documents": [
            {"kind": document.get_kind_display(), "name": document.original_name, "date": document.uploaded_at}
            for document in application.documents.all()
        ],
        "approvals": approvals,
    }


def _can_view_application(user, application: Application) -> bool:
    return application_permissions.can_view(user, application)


def _application_samples():
    return Application.objects.filter(registration_number__isnull=False).order_by("registered_at", "pk")[:1]


# --- Conclusion ---------------------------------------------------------------------------------------------


def conclusion_context(conclusion: Conclusion) -> dict:
    conclusion = (
        Conclusion.objects.select_related(
            "application__student__user",
            "application__student__programme",
            "application__student__group",
            "signed_by__staff_profile",
            "drafted_by__staff_profile",
        )
        .prefetch_related(
            Prefetch("specialists", queryset=User.objects.select_related("staff_profile").order_by("full_name")),
            Prefetch("items", queryset=ConclusionItem.objects.select_related("adaptation")),
        )
        .get(pk=conclusion.pk)
    )
    application = conclusion.application
    specialists = list(conclusion.specialists.all())
    assignments: dict[int, list[Assignment]] = {}
    for assignment in Assignment.objects.filter(
        application=application, specialist__in=specialists, assessment__finished_at__isnull=False
    ).select_related("assessment"):
        assignments.setdefault(assignment.specialist_id, []).append(assignment)

    approvals = []
    for specialist in specialists:
        own = assignments.get(specialist.pk, [])
        approvals.append(
            Approval(
                role=_("Assessment: %(areas)s") % {"areas": ", ".join(str(a.get_area_display()) for a in own)}
                if own
                else _("Specialist"),
                name=specialist.full_name,
                position=position_of(specialist),
                date=max((a.assessment.finished_at for a in own), default=None),
                outcome=_("Assessment finished"),
            )
        )
    approvals.append(
        Approval(
            role=_("Drafted by"),
            name=conclusion.drafted_by.full_name,
            position=position_of(conclusion.drafted_by),
            date=conclusion.created_at,
            outcome=_("Drafted"),
        )
    )
    if conclusion.signed_by_id:
        approvals.append(
            Approval(
                role=_("Head of the centre"),
                name=conclusion.signed_by.full_name,
                position=position_of(conclusion.signed_by),
                date=conclusion.signed_at,
                outcome=_("Signed and registered"),
            )
        )
    return {
        "conclusion": conclusion,
        "application": application,
        "student": _student_summary(application.student),
        "items": [str(item) for item in conclusion.items.all()],
        "approvals": approvals,
    }


def _can_view_conclusion(user, conclusion: Conclusion) -> bool:
    return route_permissions.can_view_conclusion(user, conclusion)


def _previous_conclusion(conclusion: Conclusion) -> Conclusion | None:
    return (
        Conclusion.objects.filter(
            application_id=conclusion.application_id,
            status=Conclusion.Status.SIGNED,
            version__lt=conclusion.version,
        )
        .order_by("-version")
        .first()
    )


def _conclusion_samples():
    return Conclusion.objects.filter(status=Conclusion.Status.SIGNED).order_by("signed_at", "pk")[:1]


register_form(
    FormSpec(
        document_type=DocumentType.APPLICATION,
        template="documents/pdf/application.html",
        context=application_context,
        can_view=_can_view_application,
        source_url=lambda application: reverse("students:application_detail", args=[application.public_id]),
        samples=_application_samples,
        staff_permission="students.view_application",
    )
)

register_form(
    FormSpec(
        document_type=DocumentType.CONCLUSION,
        template="documents/pdf/conclusion.html",
        context=conclusion_context,
        can_view=_can_view_conclusion,
        source_url=lambda conclusion: reverse("routes:conclusion", args=[conclusion.pk]),
        previous=_previous_conclusion,
        version=lambda conclusion: conclusion.version,
        samples=_conclusion_samples,
        staff_permission="routes.view_assessment",
    )
)


# --- Route --------------------------------------------------------------------------------------------------


def route_context(route: Route) -> dict:
    route = (
        Route.objects.select_related(
            "application__student__user",
            "application__student__programme",
            "application__student__group",
            "conclusion",
            "term",
            "tutor",
            "drafted_by__staff_profile",
            "approved_by__staff_profile",
        )
        .prefetch_related(
            "measures",
            Prefetch(
                "sections",
                queryset=RouteSection.objects.filter(removed_at__isnull=True).select_related(
                    "course", "term", "lecturer__staff_profile"
                ),
            ),
            Prefetch(
                "agreements",
                queryset=Agreement.objects.exclude(status=Agreement.Status.WITHDRAWN).select_related(
                    "lecturer__staff_profile"
                ),
            ),
        )
        .get(pk=route.pk)
    )
    agreements = {agreement.section_id: agreement for agreement in route.agreements.all()}
    sections = [{"section": section, "agreement": agreements.get(section.pk)} for section in route.sections.all()]
    approvals = [
        Approval(
            role=_("Drafted by"),
            name=route.drafted_by.full_name,
            position=position_of(route.drafted_by),
            date=route.sent_for_agreement_at or route.created_at,
            outcome=_("Drafted and sent for agreement"),
        )
    ]
    for row in sections:
        agreement = row["agreement"]
        if agreement is None:
            continue
        approvals.append(
            Approval(
                role=_("Agreement: %(course)s") % {"course": row["section"].course},
                name=agreement.lecturer.full_name,
                position=position_of(agreement.lecturer),
                date=agreement.decided_at,
                outcome=agreement.get_status_display(),
                comment=agreement.comment,
            )
        )
    if route.approved_by_id:
        approvals.append(
            Approval(
                role=_("Approval"),
                name=route.approved_by.full_name,
                position=position_of(route.approved_by),
                date=route.approved_at,
                outcome=_("Approved and registered"),
            )
        )
    return {
        "route": route,
        "application": route.application,
        "conclusion": route.conclusion,
        "student": _student_summary(route.application.student),
        "measures": list(route.measures.all()),
        "sections": sections,
        "approvals": approvals,
    }


def _route_samples():
    return (
        Route.objects.filter(registration_number__isnull=False)
        .annotate(section_count=Count("sections"))
        .order_by("-section_count", "pk")[:1]
    )


register_form(
    FormSpec(
        document_type=DocumentType.ROUTE,
        template="documents/pdf/route.html",
        context=route_context,
        can_view=route_permissions.can_download_route,
        source_url=lambda route: reverse("routes:route", args=[route.pk]),
        previous=lambda route: route.previous,
        version=lambda route: route.version,
        samples=_route_samples,
        staff_permission="routes.manage_route",
    )
)


# --- Protocol of the interdisciplinary team meeting ---------------------------------------------------------


def protocol_context(protocol) -> dict:
    from routes.models import Attendance, Protocol, ProtocolItem

    protocol = (
        Protocol.objects.select_related(
            "meeting__chair__staff_profile",
            "meeting__secretary__staff_profile",
            "chair_signed_by__staff_profile",
            "secretary_signed_by__staff_profile",
            "previous",
        )
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related("member__user__staff_profile").order_by(
                    "member__user__full_name"
                ),
            ),
            Prefetch(
                "records",
                queryset=ProtocolItem.objects.select_related(
                    "item__application__student__user", "item__route"
                ).order_by("item__order", "pk"),
            ),
        )
        .get(pk=protocol.pk)
    )
    meeting = protocol.meeting
    approvals = []
    for role, person, moment in (
        (_("Chair"), protocol.chair_signed_by, protocol.chair_signed_at),
        (_("Secretary"), protocol.secretary_signed_by, protocol.secretary_signed_at),
    ):
        if person is not None:
            approvals.append(
                Approval(
                    role=role, name=person.full_name, position=position_of(person), date=moment, outcome=_("Signed")
                )
            )
    return {
        "protocol": protocol,
        "meeting": meeting,
        "attendance": list(protocol.attendance.all()),
        "records": list(protocol.records.all()),
        "approvals": approvals,
    }


def _can_view_protocol(user, protocol) -> bool:
    """The whole protocol, with what was heard, is the centre's: others read their part on the protocol page."""
    from routes.permissions import meeting as permissions_meetings

    meeting = protocol.meeting
    access = permissions_meetings.meeting_access(user, meeting, permissions_meetings.membership(user, meeting))
    return access in permissions_meetings.CENTRE_LEVEL and protocol.registration_number is not None


def _protocol_subjects(protocol) -> list[int]:
    from routes.models import ProtocolItem

    return list(ProtocolItem.objects.filter(protocol=protocol).values_list("item__application__student_id", flat=True))


def _protocol_samples():
    from routes.models import Protocol

    return (
        Protocol.objects.filter(registration_number__isnull=False)
        .annotate(record_count=Count("records"))
        .order_by("-record_count", "pk")[:1]
    )


register_form(
    FormSpec(
        document_type=DocumentType.PROTOCOL,
        template="documents/pdf/protocol.html",
        context=protocol_context,
        can_view=_can_view_protocol,
        source_url=lambda protocol: reverse("routes:protocol", args=[protocol.pk]),
        previous=lambda protocol: protocol.previous,
        version=lambda protocol: protocol.version,
        samples=_protocol_samples,
        staff_permission="routes.manage_teammeeting",
        subjects=_protocol_subjects,
    )
)
