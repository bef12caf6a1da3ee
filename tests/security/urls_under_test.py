"""How to fill in each URL pattern's arguments from the world: the student's own objects."""

from django.urls import URLPattern, URLResolver, get_resolver

# The Django admin is the system administrator's tool with its own per-model permissions, tried by
# tests/test_admin.py; its hundreds of generated patterns are left out of the matrix as a whole.
SKIPPED_NAMESPACES = {"admin"}


def url_names() -> list[str]:
    """Every named URL pattern the project's resolver knows, with its namespaces, outside SKIPPED_NAMESPACES.
    A pattern without a name is reported as "<unnamed: route>" so that it fails the matrix too."""
    names = []

    def walk(resolver, namespace, prefix):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                if inner.split(":")[0] in SKIPPED_NAMESPACES:
                    continue
                walk(pattern, inner, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                if pattern.name:
                    names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)
                else:
                    names.append(f"<unnamed: {prefix}{pattern.pattern}>")

    walk(get_resolver(), "", "")
    return sorted(set(names))


def _app(w):
    return {"public_id": w.application.public_id}


def _route(w):
    return {"pk": w.route.pk}


def _meeting(w):
    return {"pk": w.meeting.pk}


def _registered(w):
    from documents.models import RegisteredDocument

    document = RegisteredDocument.objects.filter(student=w.student.student, document_type="route").first()
    return {"public_id": document.public_id, "language": document.languages[0]}


def _verify(w):
    from documents.models import RegisteredDocument

    return {"token": RegisteredDocument.objects.filter(student=w.student.student).first().verification_token}


KWARGS = {
    "home": lambda w: {},
    "healthz": lambda w: {},
    "bench_floor": lambda w: {},
    "set_language": lambda w: {},
    "accounts:login": lambda w: {},
    "accounts:logout": lambda w: {},
    "accounts:oidc_start": lambda w: {},
    "accounts:oidc_callback": lambda w: {},
    "accounts:two_factor_enrol": lambda w: {},
    "accounts:two_factor_enrol_check": lambda w: {},
    "accounts:two_factor_verify": lambda w: {},
    "accounts:two_factor_recovery_codes": lambda w: {},
    "security_txt": lambda w: {},
    "accounts:account": lambda w: {},
    "accounts:notifications": lambda w: {},
    "accounts:notification_read": lambda w: {"pk": w.notification.pk},
    "accounts:password_change": lambda w: {},
    "accounts:password_change_done": lambda w: {},
    "accounts:password_reset": lambda w: {},
    "accounts:password_reset_done": lambda w: {},
    "accounts:password_reset_confirm": lambda w: {"uidb64": "MQ", "token": "set-password"},
    "accounts:password_reset_complete": lambda w: {},
    "accounts:invitation": lambda w: {"uidb64": "MQ", "token": "first-password"},
    "accounts:invitation_done": lambda w: {},
    "students:my_applications": lambda w: {},
    "students:application_start": lambda w: {},
    "students:paper_application": lambda w: {},
    "students:application_detail": _app,
    "students:application_edit": _app,
    "students:application_consent": _app,
    "students:consent_withdraw": _app,
    "students:application_submit": _app,
    "students:application_withdraw": _app,
    "students:application_register": _app,
    "students:application_reject": _app,
    "students:application_duplicate": _app,
    "students:application_incoming": _app,
    "students:case_archive": _app,
    "students:document_upload": _app,
    "students:document_download": lambda w: {**_app(w), "document_id": w.upload.public_id},
    "students:inbox": lambda w: {},
    "students:reference_import": lambda w: {},
    "students:reference_import_preview": lambda w: {},
    "students:reference_import_confirm": lambda w: {},
    "students:reference_import_report": lambda w: {},
    "students:reference_import_sample": lambda w: {"kind": "courses"},
    "routes:assign": _app,
    "routes:unassign": lambda w: {"pk": w.assignment.pk},
    "routes:assessment": lambda w: {"pk": w.assignment.pk},
    "routes:conclusion_draft": _app,
    "routes:conclusion": lambda w: {"pk": w.conclusion.pk},
    "routes:conclusion_sign": lambda w: {"pk": w.conclusion.pk},
    "routes:route_draft": _app,
    "routes:changed_needs": _app,
    "routes:case_close": _app,
    "routes:agreements": lambda w: {},
    "routes:organisations": lambda w: {},
    "routes:organisation_new": lambda w: {},
    "routes:organisation": lambda w: {"pk": w.organisation.pk},
    "routes:contact_new": lambda w: {"pk": w.organisation.pk},
    "routes:contact_edit": lambda w: {"pk": w.contact.pk},
    "routes:partner_letter_new": _app,
    "routes:partner_letter": lambda w: {"pk": w.partner_letter.pk},
    "routes:partner_letter_edit": lambda w: {"pk": w.partner_draft.pk},
    "routes:partner_letter_send": lambda w: {"pk": w.partner_draft.pk},
    "routes:partner_letter_answer": lambda w: {"pk": w.partner_letter.pk},
    "routes:handovers": lambda w: {},
    "routes:letters": lambda w: {},
    "routes:letter": lambda w: {"pk": w.letter.pk},
    "routes:delivery_surveys": lambda w: {},
    "routes:route_voice": _route,
    "routes:mse": _app,
    "routes:delivery_survey": lambda w: {"pk": w.survey.pk},
    "routes:approvals": lambda w: {},
    "routes:work": lambda w: {},
    "routes:route": _route,
    "routes:route_edit": _route,
    "routes:section_add": _route,
    "routes:section_update": lambda w: {**_route(w), "section_pk": w.section.pk},
    "routes:section_remove": lambda w: {**_route(w), "section_pk": w.section.pk},
    "routes:measure_add": _route,
    "routes:measure_remove": lambda w: {**_route(w), "measure_pk": w.measure.pk},
    "routes:route_send": _route,
    "routes:route_withdraw": _route,
    "routes:route_approve": _route,
    "routes:route_return": _route,
    "routes:route_cancel": _route,
    "routes:route_review": _route,
    "routes:support": _route,
    "routes:support_correct": lambda w: {**_route(w), "session_pk": w.support_session.pk},
    "routes:agreement_answer": lambda w: {"pk": w.agreement.pk},
    "routes:dashboard": lambda w: {},
    "routes:reports": lambda w: {},
    "routes:consultations": lambda w: {},
    "routes:consultation_queue": lambda w: {},
    "routes:consultation": lambda w: {"pk": w.consultation.pk},
    "routes:consultation_take": lambda w: {"pk": w.consultation.pk},
    "routes:consultation_answer": lambda w: {"pk": w.consultation.pk},
    "routes:consultation_close": lambda w: {"pk": w.consultation.pk},
    "routes:guidance": lambda w: {},
    "routes:guidance_note": lambda w: {"pk": w.guidance_adaptation.pk},
    "routes:guidance_edit": lambda w: {"pk": w.guidance_adaptation.pk},
    "routes:training": lambda w: {},
    "routes:training_report": lambda w: {},
    "routes:training_event": lambda w: {"pk": w.training_event.pk},
    "routes:training_event_move": lambda w: {"pk": w.training_event.pk},
    "routes:training_attend": lambda w: {"pk": w.training_event.pk},
    "routes:training_attendance_remove": lambda w: {"pk": w.training_attendance.pk},
    "routes:service_requests": lambda w: {},
    "routes:service_request_new": lambda w: {},
    "routes:service_request_queue": lambda w: {},
    "routes:service_request": lambda w: {"pk": w.service_request.pk},
    "routes:appeals": lambda w: {},
    "routes:appeal_queue": lambda w: {},
    "routes:appeal": lambda w: {"pk": w.appeal.pk},
    "routes:appeal_assign": lambda w: {"pk": w.appeal.pk},
    "routes:appeal_new": _app,
    "routes:equipment": lambda w: {},
    "routes:equipment_lend": lambda w: {"pk": w.equipment.pk},
    "routes:loan_return": lambda w: {"pk": w.loan.pk},
    "routes:exam_sessions": lambda w: {},
    "routes:exam_sessions_import": lambda w: {},
    "routes:exam_session": lambda w: {"pk": w.exam_session.pk},
    "routes:exam_session_propose": lambda w: {"pk": w.exam_session.pk},
    "routes:exam_arrangement": lambda w: {"pk": w.exam_arrangement.pk},
    "routes:exam_arrangement_confirm": lambda w: {"pk": w.exam_arrangement.pk},
    "routes:exam_arrangement_book": lambda w: {"pk": w.exam_arrangement.pk},
    "routes:exam_arrangement_hold": lambda w: {"pk": w.exam_arrangement.pk},
    "routes:exam_arrangement_cancel": lambda w: {"pk": w.exam_arrangement.pk},
    "routes:exam_day": lambda w: {},
    "routes:exam_day_xlsx": lambda w: {},
    "routes:exam_day_pdf": lambda w: {},
    "routes:meetings": lambda w: {},
    "routes:meeting_new": lambda w: {},
    "routes:meeting": _meeting,
    "routes:meeting_edit": _meeting,
    "routes:meeting_item_add": _meeting,
    "routes:meeting_item_remove": lambda w: {**_meeting(w), "item_pk": w.item.pk},
    "routes:meeting_member_add": _meeting,
    "routes:meeting_member_remove": lambda w: {**_meeting(w), "member_pk": w.member.pk},
    "routes:meeting_rsvp": _meeting,
    "routes:meeting_cancel": _meeting,
    "routes:meeting_hold": _meeting,
    "routes:meeting_protocol": _meeting,
    "routes:meeting_correct": _meeting,
    "routes:protocol": lambda w: {"pk": w.protocol.pk},
    "routes:protocol_sign": lambda w: {"pk": w.protocol.pk},
    "documents:verify": _verify,
    "documents:download": _registered,
    "documents:signatures": lambda w: {"public_id": _registered(w)["public_id"]},
    "documents:signature_content": _registered,
    "documents:signature_sheet": lambda w: {"public_id": _registered(w)["public_id"]},
    "documents:register": lambda w: {},
    "documents:register_export": lambda w: {},
    "documents:register_export_csv": lambda w: {},
    "documents:register_export_xml": lambda w: {},
    "documents:personal_file": lambda w: {"student_id": w.student.student.pk},
    "documents:my_data": lambda w: {"student_id": w.student.student.pk},
    "audit:index": lambda w: {},
    "audit:history": lambda w: {"app_label": "students", "model_name": "application", "pk": w.application.pk},
    "audit:access_log": lambda w: {},
    "audit:access_log_export": lambda w: {},
    "audit:my_file": lambda w: {},
    "audit:disclosures": lambda w: {},
    "audit:disclosures_export": lambda w: {},
    "audit:disclosure_new": lambda w: {},
}
