"""The printed forms of the conclusion, the route, the protocol of the team meeting and the per-student extract of
a protocol (documents/forms_registry.py explains how forms are described); RoutesConfig.ready() registers FORMS.

Each context function re-reads its source with everything the template needs in a fixed number of queries, and
builds the signature lines and the record of steps from the recorded facts (signatures, agreements, approvals),
never from the current state alone: a PDF rendered later than its registration still tells who did what and when.
"""

from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.models import StatusChange
from documents.forms_registry import Approval, FormSpec, SignatureLine, position_of, signature_of, student_summary
from documents.models import DocumentType, SignatureRole
from inclusion_centre.accounts.models import User

from . import permissions
from .models import (
    Agreement,
    Assessment,
    Attendance,
    Conclusion,
    ConclusionItem,
    MeetingMember,
    PartnerLetter,
    Protocol,
    ProtocolItem,
    Recommendation,
    Route,
    RouteSection,
)
from .permissions import meeting as permissions_meetings
from .permissions.partners import can_read_letter


def _signed_status(date) -> str:
    return _("Signed in the centre's system") if date else ""


# --- Conclusion ---------------------------------------------------------------------------------------------


def _load_conclusion(conclusion: Conclusion) -> Conclusion:
    return (
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


def _finished_assessments(conclusion: Conclusion, specialists: list) -> list[Assessment]:
    """The finished assessments of the specialists who took part, by area, with their recommendations."""
    return list(
        Assessment.objects.filter(
            assignment__application=conclusion.application_id,
            assignment__specialist__in=specialists,
            status=Assessment.Status.FINISHED,
        )
        .select_related("assignment__specialist__staff_profile")
        .prefetch_related(Prefetch("recommendations", queryset=Recommendation.objects.select_related("adaptation")))
        .order_by("assignment__area", "assignment__assigned_at", "pk")
    )


def _area_rows(assessments: list[Assessment]) -> list[dict]:
    return [
        {
            "area": assessment.assignment.get_area_display(),
            "specialist": assessment.assignment.specialist,
            "findings": assessment.findings,
            "strengths": assessment.strengths,
            "barriers": assessment.barriers,
            "recommendations": [str(item) for item in assessment.recommendations.all()],
        }
        for assessment in assessments
    ]


def _by_specialist(assessments: list[Assessment]) -> dict[int, list[Assessment]]:
    finished: dict[int, list[Assessment]] = {}
    for assessment in assessments:
        finished.setdefault(assessment.assignment.specialist_id, []).append(assessment)
    return finished


def _conclusion_signatures(conclusion: Conclusion, specialists: list, assessments: list) -> list[SignatureLine]:
    """The head's line first, then each assessing specialist's, beside it."""
    finished = _by_specialist(assessments)
    lines = [
        signature_of(
            "head",
            _("Head of the centre"),
            conclusion.signed_by,
            conclusion.signed_at,
            _signed_status(conclusion.signed_at),
        )
    ]
    for specialist in specialists:
        own = finished.get(specialist.pk, [])
        role = ", ".join(str(a.assignment.get_area_display()) for a in own) or _("Specialist")
        date = max((a.finished_at for a in own if a.finished_at), default=None)
        lines.append(signature_of(f"specialist:{specialist.pk}", role, specialist, date, _signed_status(date)))
    return lines


def _conclusion_approvals(conclusion: Conclusion, specialists: list, assessments: list) -> list[Approval]:
    finished = _by_specialist(assessments)
    approvals = []
    for specialist in specialists:
        own = [a.assignment for a in finished.get(specialist.pk, []) if a.finished_at]
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
    return approvals


def conclusion_context(conclusion: Conclusion) -> dict:
    conclusion = _load_conclusion(conclusion)
    application = conclusion.application
    specialists = list(conclusion.specialists.all())
    assessments = _finished_assessments(conclusion, specialists)
    return {
        "conclusion": conclusion,
        "application": application,
        "student": student_summary(application.student),
        "areas": _area_rows(assessments),
        "items": [str(item) for item in conclusion.items.all()],
        "signatures": _conclusion_signatures(conclusion, specialists, assessments),
        "approvals": _conclusion_approvals(conclusion, specialists, assessments),
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


def _load_route(route: Route) -> Route:
    return (
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
            "voices",
        )
        .get(pk=route.pk)
    )


def _agreement_sheet(sections: list[dict]) -> list[dict]:
    """One row per course section: the lecturer's signature line and their decision."""
    rows = []
    for row in sections:
        section, agreement = row["section"], row["agreement"]
        decided = agreement.decided_at if agreement is not None else None
        rows.append(
            {
                "course": section.course,
                "decision": agreement.get_status_display() if agreement is not None else "",
                "comment": agreement.comment if agreement is not None else "",
                "signature": signature_of(
                    f"lecturer:{section.pk}", _("Lecturer"), section.lecturer, decided, _signed_status(decided)
                ),
            }
        )
    return rows


def _change_requests(route: Route) -> list[dict]:
    """Every request for changes made in any agreement round of this version, oldest first: who, when, on which
    course, and what they asked for (the StatusChange rows record the request; the comment stays on the
    agreement, also after a later round withdrew it)."""
    requested = StatusChange.objects.filter(
        content_type__app_label="routes",
        content_type__model="agreement",
        object_id__in=Agreement.objects.filter(route=route).values("pk"),
        to_status=Agreement.Status.CHANGES_REQUESTED,
    ).order_by("created_at", "pk")
    moments = {change.object_id: change.created_at for change in requested}
    agreements = Agreement.objects.filter(pk__in=moments).select_related("section__course", "lecturer")
    rows = [
        {
            "date": moments[agreement.pk],
            "round": agreement.round,
            "course": agreement.section.course,
            "lecturer": agreement.lecturer.full_name,
            "comment": agreement.comment,
        }
        for agreement in agreements
    ]
    return sorted(rows, key=lambda row: row["date"])


def _route_approvals(route: Route) -> list[Approval]:
    approvals = [
        Approval(
            role=_("Drafted by"),
            name=route.drafted_by.full_name,
            position=position_of(route.drafted_by),
            date=route.sent_for_agreement_at or route.created_at,
            outcome=_("Drafted and sent for agreement"),
        )
    ]
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
    return approvals


def route_context(route: Route) -> dict:
    route = _load_route(route)
    agreements = {agreement.section_id: agreement for agreement in route.agreements.all()}
    sections = [{"section": section, "agreement": agreements.get(section.pk)} for section in route.sections.all()]
    approved = route.approved_at
    return {
        "route": route,
        "application": route.application,
        "conclusion": route.conclusion,
        "student": student_summary(route.application.student),
        "measures": list(route.measures.all()),
        "sections": sections,
        "approver": signature_of("approver", _("Approval"), route.approved_by, approved, _signed_status(approved)),
        "drafter": signature_of(
            "drafter", _("Drafted by"), route.drafted_by, route.sent_for_agreement_at, _signed_status(True)
        ),
        "agreement_sheet": _agreement_sheet(sections),
        # The student's comments on the draft and their acknowledgement (§4.4), under the lecturers' lines: kind and
        # date only. The lecturers sign this sheet, and the student's words may speak of their health (minimisation).
        "student_voices": list(route.voices.all()),
        "change_requests": _change_requests(route),
        "approvals": _route_approvals(route),
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


def _load_protocol(protocol: Protocol) -> Protocol:
    return (
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
                    "member__capacity", "member__user__full_name"
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


def _attendance_rows(protocol: Protocol) -> list[dict]:
    """Each member with their role at the meeting (chair, secretary, or their capacity) and their position."""
    meeting = protocol.meeting
    rows = []
    for row in protocol.attendance.all():
        user = row.member.user
        if user.pk == meeting.chair_id:
            role = _("Chair")
        elif user.pk == meeting.secretary_id:
            role = _("Secretary")
        else:
            role = row.member.get_capacity_display()
        rows.append({"row": row, "name": user.full_name, "role": role, "position": position_of(user)})
    return rows


def _quorum(protocol: Protocol) -> dict:
    """Voting members (guests do not vote), how many of them were present, and whether that is more than half."""
    voting = [row for row in protocol.attendance.all() if row.member.capacity != MeetingMember.Capacity.GUEST]
    present = sum(1 for row in voting if row.presence == Attendance.Presence.PRESENT)
    everyone = sum(1 for row in protocol.attendance.all() if row.presence == Attendance.Presence.PRESENT)
    return {"members": len(voting), "present": present, "everyone": everyone, "reached": present * 2 > len(voting)}


def _protocol_signatures(protocol: Protocol) -> list[SignatureLine]:
    meeting = protocol.meeting
    return [
        signature_of(
            "chair",
            _("Chair"),
            protocol.chair_signed_by or meeting.chair,
            protocol.chair_signed_at,
            _signed_status(protocol.chair_signed_at),
        ),
        signature_of(
            "secretary",
            _("Secretary"),
            protocol.secretary_signed_by or meeting.secretary,
            protocol.secretary_signed_at,
            _signed_status(protocol.secretary_signed_at),
        ),
    ]


def _protocol_approvals(protocol: Protocol) -> list[Approval]:
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
    return approvals


def _protocol_common(protocol: Protocol) -> dict:
    return {
        "protocol": protocol,
        "meeting": protocol.meeting,
        "attendance": _attendance_rows(protocol),
        "quorum": _quorum(protocol),
        "signatures": _protocol_signatures(protocol),
        "approvals": _protocol_approvals(protocol),
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


def protocol_context(protocol: Protocol) -> dict:
    protocol = _load_protocol(protocol)
    return {**_protocol_common(protocol), "records": list(protocol.records.all())}


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


# --- Extract of the protocol for one student's personal file ------------------------------------------------


def extract_context(record: ProtocolItem) -> dict:
    """The protocol's header, attendance, quorum and signatures, with only the questions about the student whose
    case `record` is (their extract is registered from the first of them)."""
    protocol = _load_protocol(record.protocol)
    student_id = record.item.application.student_id
    records = [r for r in protocol.records.all() if r.item.application.student_id == student_id]
    return {**_protocol_common(protocol), "records": records, "student": records[0].item.application.student}


def _can_view_extract(user, record: ProtocolItem) -> bool:
    return _can_view_protocol(user, record.protocol)


def _previous_extract(record: ProtocolItem) -> ProtocolItem | None:
    if record.protocol.previous_id is None:
        return None
    return ProtocolItem.objects.filter(protocol_id=record.protocol.previous_id, item_id=record.item_id).first()


def _extract_samples():
    protocols = _protocol_samples()
    return ProtocolItem.objects.filter(protocol__in=list(protocols)).order_by("item__order", "pk")[:1]


# --- Letter to an external organisation (§5.2 e) --------------------------------------------------------------


def letter_context(letter: PartnerLetter) -> dict:
    letter = PartnerLetter.objects.select_related("organisation", "contact", "sent_by__staff_profile").get(pk=letter.pk)
    signed_at = letter.history.filter(status=PartnerLetter.Status.SENT).values_list("history_date", flat=True).first()
    return {
        "letter": letter,
        "approvals": [],
        "signatures": [signature_of("sender", _("Sent by"), letter.sent_by, signed_at, _signed_status(signed_at))],
    }


def _letter_samples():
    return PartnerLetter.objects.exclude(status=PartnerLetter.Status.DRAFT).order_by("-pk")[:1]


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
    FormSpec(
        document_type=DocumentType.PROTOCOL_EXTRACT,
        template="documents/pdf/protocol_extract.html",
        context=extract_context,
        can_view=_can_view_extract,
        source_url=lambda record: reverse("routes:protocol", args=[record.protocol_id]),
        previous=_previous_extract,
        version=lambda record: record.protocol.version,
        samples=_extract_samples,
        staff_permission="routes.manage_teammeeting",
    ),
    FormSpec(
        document_type=DocumentType.PARTNER_LETTER,
        template="documents/pdf/partner_letter.html",
        context=letter_context,
        can_view=can_read_letter,
        source_url=lambda letter: reverse("routes:partner_letter", args=[letter.pk]),
        samples=_letter_samples,
    ),
]
