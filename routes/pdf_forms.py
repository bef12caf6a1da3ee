"""The printed forms of the conclusion, the route and the protocol of the team meeting (documents/forms_registry.py
explains how forms are described); RoutesConfig.ready() registers FORMS.

Each context function re-reads its source with everything the template needs in a fixed number of queries, and
builds the approval block from the recorded facts (signatures, agreements, approvals), never from the current
state alone: a PDF rendered later than its registration still tells who did what and when.
"""

from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _

from documents.forms_registry import Approval, FormSpec, position_of, student_summary
from documents.models import DocumentType, SignatureRole
from inclusion_centre.accounts.models import User

from . import permissions
from .models import (
    Agreement,
    Assignment,
    Attendance,
    Conclusion,
    ConclusionItem,
    Protocol,
    ProtocolItem,
    Route,
    RouteSection,
)
from .permissions import meeting as permissions_meetings

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
        "student": student_summary(application.student),
        "items": [str(item) for item in conclusion.items.all()],
        "approvals": approvals,
    }


def conclusion_signers(conclusion: Conclusion) -> list[tuple[str, object]]:
    """Every assessing specialist, then the head of the centre who signed it."""
    conclusion = Conclusion.objects.select_related("signed_by").get(pk=conclusion.pk)
    signers = [(SignatureRole.SPECIALIST, person) for person in conclusion.specialists.order_by("full_name")]
    if conclusion.signed_by_id:
        signers.append((SignatureRole.CENTRE_HEAD, conclusion.signed_by))
    return signers


def _can_view_conclusion(user, conclusion: Conclusion) -> bool:
    return permissions.can_view_conclusion(user, conclusion)


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
        "student": student_summary(route.application.student),
        "measures": list(route.measures.all()),
        "sections": sections,
        "approvals": approvals,
    }


def route_signers(route: Route) -> list[tuple[str, object]]:
    """Each lecturer who agreed a section, then the approving official."""
    agreed = (
        Agreement.objects.filter(
            route=route, status__in=[Agreement.Status.AGREED, Agreement.Status.AGREED_WITH_REMARKS]
        )
        .select_related("lecturer")
        .order_by("lecturer__full_name", "pk")
    )
    signers, seen = [], set()
    for agreement in agreed:
        if agreement.lecturer_id not in seen:
            seen.add(agreement.lecturer_id)
            signers.append((SignatureRole.LECTURER, agreement.lecturer))
    route = Route.objects.select_related("approved_by").get(pk=route.pk)
    if route.approved_by_id:
        signers.append((SignatureRole.APPROVING_OFFICIAL, route.approved_by))
    return signers


def _route_samples():
    return (
        Route.objects.filter(registration_number__isnull=False)
        .annotate(section_count=Count("sections"))
        .order_by("-section_count", "pk")[:1]
    )


# --- Protocol of the interdisciplinary team meeting ---------------------------------------------------------


def protocol_context(protocol) -> dict:
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


def protocol_signers(protocol) -> list[tuple[str, object]]:
    protocol = Protocol.objects.select_related("chair_signed_by", "secretary_signed_by").get(pk=protocol.pk)
    return [
        (role, person)
        for role, person in (
            (SignatureRole.CHAIR, protocol.chair_signed_by),
            (SignatureRole.SECRETARY, protocol.secretary_signed_by),
        )
        if person is not None
    ]


def _can_view_protocol(user, protocol) -> bool:
    """The whole protocol, with what was heard, is the centre's: others read their part on the protocol page."""
    meeting = protocol.meeting
    access = permissions_meetings.meeting_access(user, meeting, permissions_meetings.membership(user, meeting))
    return access in permissions_meetings.CENTRE_LEVEL and protocol.registration_number is not None


def _protocol_subjects(protocol) -> list[int]:
    return list(ProtocolItem.objects.filter(protocol=protocol).values_list("item__application__student_id", flat=True))


def _protocol_samples():
    return (
        Protocol.objects.filter(registration_number__isnull=False)
        .annotate(record_count=Count("records"))
        .order_by("-record_count", "pk")[:1]
    )


FORMS = [
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
        signers=conclusion_signers,
    ),
    FormSpec(
        document_type=DocumentType.ROUTE,
        template="documents/pdf/route.html",
        context=route_context,
        can_view=permissions.can_download_route,
        source_url=lambda route: reverse("routes:route", args=[route.pk]),
        previous=lambda route: route.previous,
        version=lambda route: route.version,
        samples=_route_samples,
        staff_permission="routes.manage_route",
        signers=route_signers,
    ),
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
        signers=protocol_signers,
    ),
]
