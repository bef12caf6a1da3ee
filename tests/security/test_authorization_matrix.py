"""The authorization matrix (issue #8, item 1): every URL pattern the resolver knows, tried by every persona with
the student's objects, for GET and for POST.

- A URL name missing from the matrix fails `test_every_url_is_in_the_matrix`, naming it: a new view is covered
  the day it is added, or the suite says so.
- GET: each persona gets exactly the status written here (200, 302 to the login page, 404, 405 …).
- POST: the personas who may act (`ACTORS`) are not tried (their POST would change the shared world; each app's
  own tests cover what they do); everyone else must be refused (403, 404 or 405; anonymous may instead be sent
  to the login page) and the refused POST must change nothing: the row counts of every table of the project's apps and
  the highest id of every history table are the same before and after. The access log and the audit chain are
  left out of that comparison on purpose: a refused attempt is logged.
- "Objects they do not own" are tried by the personas who do not own the student's objects (the other student,
  the unassigned specialist, the lecturer who does not teach the student), and by
  `test_the_applicant_side_cannot_reach_another_students_case` with the other student's application.

The world (tests/security/world.py) is built once for the module; each test runs in a savepoint of it.
"""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse

from .urls_under_test import KWARGS, url_names
from .world import PERSONAS

pytestmark = pytest.mark.django_db

SIGNED_IN = frozenset(PERSONAS) - {"anonymous"}
EVERYONE = frozenset(PERSONAS)
CENTRE = frozenset({"specialist", "centre_head"})
APPLICANT = frozenset({"student", "representative"})
REFUSED = {403, 404, 405}


def get(default: int, **overrides: int) -> dict[str, int]:
    """The status each persona gets from a GET: `default` for the signed-in, 302 (to log in) for anonymous."""
    expected = {persona: default for persona in SIGNED_IN} | {"anonymous": 302}
    expected.update(overrides)
    return expected


EXAMS_ALL = {"specialist": 200, "unassigned_specialist": 200, "centre_head": 200, "exam_office": 200}

GET = {
    "accounts:account": get(200),
    "accounts:login": get(302, anonymous=200),
    "accounts:logout": get(405, anonymous=405),
    # No OpenID provider is configured in the test settings (tests/sso configures one): the pages do not exist.
    "accounts:oidc_start": get(404, anonymous=404),
    "accounts:oidc_callback": get(404, anonymous=404),
    "accounts:notification_read": get(405),
    "accounts:notifications": get(200),
    "accounts:password_change": get(200),
    "accounts:password_change_done": get(200),
    "accounts:password_reset": get(200, anonymous=200),
    "accounts:password_reset_complete": get(200, anonymous=200),
    "accounts:password_reset_confirm": get(200, anonymous=200),
    "accounts:password_reset_done": get(200, anonymous=200),
    # An invitation link that is not valid: a page saying so, for anyone (the link itself is the credential).
    "accounts:invitation": get(200, anonymous=200),
    "accounts:invitation_done": get(200, anonymous=200),
    # Two-step sign-in is off in the test settings (tests/security/test_signin.py turns it on): nobody here has a
    # device, so setting up and verifying send the user on, and there are no recovery codes to show.
    "accounts:two_factor_enrol": get(302),
    "accounts:two_factor_enrol_check": get(302),
    "accounts:two_factor_recovery_codes": get(404),
    "accounts:two_factor_verify": get(302),
    "audit:access_log": get(404, auditor=200),
    "audit:access_log_export": get(404, auditor=200),
    "audit:history": get(404, centre_head=200, auditor=200),
    "audit:index": get(404, centre_head=200, auditor=200),
    "audit:my_file": get(404, student=200, other_student=200, representative=200),
    # The register of disclosures: read by the centre head, the administration and the auditor; recorded by centre
    # staff (tests/audit/test_disclosures.py).
    "audit:disclosures": get(404, centre_head=200, administration=200, auditor=200),
    "audit:disclosures_export": get(404, centre_head=200, administration=200, auditor=200),
    "audit:disclosure_new": get(404, specialist=200, unassigned_specialist=200, centre_head=200),
    "documents:download": get(
        404, student=200, representative=200, specialist=200, centre_head=200, administration=200
    ),
    "documents:my_data": get(404, student=200, representative=200),
    # The route's signatures: whoever downloads it, and the signers its form names (the agreeing lecturer, the
    # approving official).
    "documents:signatures": get(
        404, student=200, representative=200, specialist=200, centre_head=200, administration=200, lecturer=200
    ),
    "documents:signature_content": get(
        404, student=200, representative=200, specialist=200, centre_head=200, administration=200, lecturer=200
    ),
    "documents:signature_sheet": get(405),
    "documents:personal_file": get(404, student=200, representative=200, centre_head=200),
    "documents:register": get(404, centre_head=200, auditor=200),
    "documents:register_export": get(404, centre_head=200, auditor=200),
    "documents:register_export_csv": get(404, centre_head=200, auditor=200),
    "documents:register_export_xml": get(404, centre_head=200, auditor=200),
    "documents:verify": get(200, anonymous=200),
    "bench_floor": get(404),  # only when BENCH_FLOOR is on (bench/run.py's server)
    "healthz": get(200, anonymous=200),
    "home": get(200, anonymous=200),
    "routes:agreement_answer": get(405),
    "routes:agreements": get(404, lecturer=200, stranger_lecturer=200),
    # Letters of accommodations: each lecturer their own (none here but the world's letter lecturer, who is no
    # persona), the centre head every one (tests/routes/test_activation.py).
    "routes:letters": get(404, lecturer=200, stranger_lecturer=200, centre_head=200),
    "routes:letter": get(404, centre_head=200),
    # Delivery surveys: each respondent their own, the centre head every one; the student's survey is read by the
    # centre working on the case too (tests/routes/test_delivery_surveys.py).
    "routes:delivery_surveys": get(
        404, student=200, other_student=200, lecturer=200, stranger_lecturer=200, centre_head=200
    ),
    "routes:delivery_survey": get(404, student=200, specialist=200, centre_head=200),
    # The student's voice: only the student side opens its page of the route; the MSE conclusion's date is the
    # centre's working on the case (tests/routes/test_student_voice.py, test_mse_validity.py).
    "routes:route_voice": get(404, student=200, representative=200),
    "routes:mse": get(404, specialist=200, centre_head=200),
    "routes:approvals": get(404, administration=200),
    # External organisations (tests/routes/test_partners.py): the register is the whole centre's; a case's letters
    # are the centre staff's on the case, the sent ones read by the applicant side; the hand-overs to the archive
    # are shown to the centre head and the administration.
    "routes:organisations": get(404, specialist=200, unassigned_specialist=200, centre_head=200),
    "routes:organisation_new": get(404, specialist=200, unassigned_specialist=200, centre_head=200),
    "routes:organisation": get(404, specialist=200, unassigned_specialist=200, centre_head=200),
    "routes:contact_new": get(404, specialist=200, unassigned_specialist=200, centre_head=200),
    "routes:contact_edit": get(404, specialist=200, unassigned_specialist=200, centre_head=200),
    "routes:partner_letter_new": get(404, specialist=200, centre_head=200),
    "routes:partner_letter": get(404, student=200, representative=200, specialist=200, centre_head=200),
    "routes:partner_letter_edit": get(404, specialist=200, centre_head=200),
    "routes:partner_letter_send": get(405),
    "routes:partner_letter_answer": get(405),
    "routes:handovers": get(404, centre_head=200, administration=200),
    # The work list: staff who owe steps of a case, each reading their own (tests/routes/test_work_list.py).
    "routes:work": get(
        404,
        specialist=200,
        unassigned_specialist=200,
        centre_head=200,
        lecturer=200,
        stranger_lecturer=200,
        administration=200,
    ),
    "routes:assessment": get(404, specialist=200, centre_head=200),
    "routes:assign": get(405),
    "routes:case_close": get(404, centre_head=200),
    "routes:changed_needs": get(404, student=200, representative=200),
    "routes:conclusion": get(404, student=200, representative=200, specialist=200, centre_head=200),
    "routes:conclusion_draft": get(405),
    "routes:conclusion_sign": get(405),
    "routes:dashboard": get(404, centre_head=200),
    "routes:measure_add": get(405),
    "routes:measure_remove": get(405),
    "routes:meeting": get(
        200,
        other_student=404,
        unassigned_specialist=404,
        administration=404,
        auditor=404,
        sysadmin=404,
        exam_office=404,
        outsider=404,
    ),
    "routes:meeting_cancel": get(404),
    "routes:meeting_correct": get(404, centre_head=200),
    "routes:meeting_edit": get(404, centre_head=302),
    "routes:meeting_hold": get(405),
    "routes:meeting_item_add": get(405),
    "routes:meeting_item_remove": get(405),
    "routes:meeting_member_add": get(405),
    "routes:meeting_member_remove": get(405),
    "routes:meeting_new": get(404, centre_head=200),
    "routes:meeting_protocol": get(404),
    "routes:meeting_rsvp": get(405),
    "routes:meetings": get(200),
    "routes:protocol": get(
        200,
        other_student=404,
        unassigned_specialist=404,
        administration=404,
        auditor=404,
        sysadmin=404,
        exam_office=404,
        outsider=404,
    ),
    "routes:protocol_sign": get(405),
    "routes:reports": get(404, centre_head=200, administration=200),
    "routes:route": get(
        200,
        exam_office=404,
        other_student=404,
        unassigned_specialist=404,
        stranger_lecturer=404,
        auditor=404,
        sysadmin=404,
        outsider=404,
    ),
    "routes:route_approve": get(405),
    "routes:route_cancel": get(404, specialist=200, centre_head=200),
    "routes:route_draft": get(405),
    "routes:route_edit": get(404, specialist=302, centre_head=302),
    "routes:route_return": get(404),
    "routes:route_review": get(404, specialist=200, centre_head=200),
    "routes:route_send": get(405),
    "routes:route_withdraw": get(404),
    "routes:section_add": get(405),
    "routes:section_remove": get(405),
    "routes:section_update": get(405),
    # Support delivered: the centre and the student side; lecturers and the administration see none of it.
    "routes:support": get(404, specialist=200, centre_head=200, student=200, representative=200),
    "routes:support_correct": get(404, specialist=200),  # only who recorded the session, within the week
    "routes:unassign": get(405),
    # Consultations: each lecturer their own, the whole centre every one; the guidance notes for the centre, the
    # lecturers and the administration, edited by the centre head; the training of staff kept by the centre.
    "routes:consultations": get(404, lecturer=200, stranger_lecturer=200),
    "routes:consultation_queue": get(404, specialist=200, unassigned_specialist=200, centre_head=200),
    "routes:consultation": get(404, lecturer=200, specialist=200, unassigned_specialist=200, centre_head=200),
    "routes:consultation_take": get(405),
    "routes:consultation_answer": get(405),
    "routes:consultation_close": get(405),
    "routes:guidance": get(
        404,
        specialist=200,
        unassigned_specialist=200,
        centre_head=200,
        lecturer=200,
        stranger_lecturer=200,
        administration=200,
    ),
    "routes:guidance_note": get(
        404,
        specialist=200,
        unassigned_specialist=200,
        centre_head=200,
        lecturer=200,
        stranger_lecturer=200,
        administration=200,
    ),
    "routes:guidance_edit": get(404, centre_head=200),
    "routes:training": get(404, specialist=200, unassigned_specialist=200, centre_head=200),
    "routes:training_report": get(404, specialist=200, unassigned_specialist=200, centre_head=200),
    "routes:training_event": get(404, specialist=200, unassigned_specialist=200, centre_head=200),
    "routes:training_event_move": get(405),
    "routes:training_attend": get(405),
    "routes:training_attendance_remove": get(405),
    # Service requests: each student their own; the whole centre sees every queue and the equipment.
    "routes:service_requests": get(404, student=200, other_student=200),
    # Appeals: the applicant side its own; the reviewer (the centre head: the route was approved by the
    # administration, which may not review it) and the centre head, who manages every appeal
    # (tests/routes/test_appeals.py).
    "routes:appeals": get(404, student=200, other_student=200, representative=200),
    "routes:appeal_queue": get(404, centre_head=200, administration=200),
    "routes:appeal": get(404, student=200, representative=200, centre_head=200),
    "routes:appeal_assign": get(405),
    "routes:appeal_new": get(404, student=200, representative=200),
    "routes:service_request_new": get(404, specialist=200, unassigned_specialist=200, centre_head=200),
    "routes:service_request_queue": get(404, specialist=200, unassigned_specialist=200, centre_head=200),
    "routes:service_request": get(404, student=200, specialist=200, unassigned_specialist=200, centre_head=200),
    # Exam arrangements: the exam office and the centre see every exam, a lecturer the courses they teach, the
    # student their own arrangement; the exam office enters and imports sessions, the centre arranges and books.
    "routes:exam_sessions": get(404, **EXAMS_ALL, lecturer=200, stranger_lecturer=200),
    "routes:exam_sessions_import": get(404, exam_office=200),
    "routes:exam_session": get(404, **EXAMS_ALL, lecturer=200),
    "routes:exam_session_propose": get(405),
    "routes:exam_arrangement": get(404, **EXAMS_ALL, lecturer=200, student=200),
    "routes:exam_arrangement_confirm": get(405),
    "routes:exam_arrangement_book": get(405),
    "routes:exam_arrangement_hold": get(405),
    "routes:exam_arrangement_cancel": get(404, specialist=200, unassigned_specialist=200, centre_head=200),
    "routes:exam_day": get(404, **EXAMS_ALL, lecturer=200, stranger_lecturer=200),
    "routes:exam_day_xlsx": get(404, **EXAMS_ALL, lecturer=200, stranger_lecturer=200),
    "routes:exam_day_pdf": get(404, **EXAMS_ALL, lecturer=200, stranger_lecturer=200),
    "routes:equipment": get(404, specialist=200, unassigned_specialist=200, centre_head=200),
    "routes:equipment_lend": get(404, specialist=200, unassigned_specialist=200, centre_head=200),
    "routes:loan_return": get(404, specialist=200, unassigned_specialist=200, centre_head=200),
    "security_txt": get(404, anonymous=404),  # until SECURITY_CONTACT is set
    "set_language": get(405, anonymous=405),
    "students:application_consent": get(404, student=200, representative=200),
    "students:application_detail": get(404, student=200, representative=200, specialist=200, centre_head=200),
    "students:application_edit": get(404),
    "students:application_register": get(405),
    "students:application_reject": get(404, centre_head=200),
    # The world's student has one open case: nothing to merge, the centre head is sent back to the case page.
    "students:application_duplicate": get(404, centre_head=302),
    "students:application_incoming": get(404, centre_head=200),
    # The whole case only for whoever may read every document of it: the world's case holds one its student may not.
    "students:case_archive": get(404, specialist=200, centre_head=200),
    "students:application_start": get(404, student=200, other_student=200, representative=200, lecturer=200),
    "students:application_submit": get(405),
    "students:application_withdraw": get(404),
    "students:consent_withdraw": get(404, student=200, representative=200),
    "students:document_download": get(404, student=200, representative=200, specialist=200, centre_head=200),
    "students:document_upload": get(404, student=200, representative=200, centre_head=200),
    "students:inbox": get(404, centre_head=200),
    "students:my_applications": get(200),
    "students:paper_application": get(404, centre_head=200),
    "students:reference_import": get(404, sysadmin=200),
    "students:reference_import_confirm": get(404, sysadmin=405),
    "students:reference_import_preview": get(404, sysadmin=302),
    "students:reference_import_report": get(404, sysadmin=302),
    "students:reference_import_sample": get(404, sysadmin=200),
}

# Who may POST to each URL: their POST is not tried. Everyone else must be refused and change nothing.
ACTORS: dict[str, frozenset[str]] = {
    "routes:delivery_survey": frozenset({"student"}),  # only the respondent answers
    "routes:route_voice": APPLICANT,  # the student side acknowledges the route in force
    "routes:mse": CENTRE,
    "accounts:account": SIGNED_IN,
    "accounts:login": EVERYONE,
    "accounts:logout": EVERYONE,
    "accounts:notification_read": frozenset({"student"}),  # the notification is the student's
    "accounts:notifications": SIGNED_IN,  # "mark all as read", each their own
    "accounts:password_change": SIGNED_IN,
    "accounts:password_reset": EVERYONE,
    "accounts:password_reset_confirm": EVERYONE,
    "accounts:invitation": EVERYONE,  # a link that is not valid: a page saying so, nothing changes
    "accounts:two_factor_enrol": SIGNED_IN,  # each for their own account
    "accounts:two_factor_enrol_check": SIGNED_IN,  # each for their own account (asks for or checks a code)
    "accounts:two_factor_verify": SIGNED_IN,  # a link that is not valid: a page saying so, nothing changes
    "documents:verify": EVERYONE,
    # Those who see the signatures page: a POST in a role the form does not give them is a form error (422).
    "documents:signatures": frozenset(
        {"student", "representative", "specialist", "centre_head", "administration", "lecturer"}
    ),
    "documents:signature_sheet": frozenset({"centre_head"}),
    "home": EVERYONE,  # the home page answers any method with the page; nothing to change
    "set_language": EVERYONE,
    "routes:agreement_answer": frozenset({"lecturer"}),
    "routes:assign": frozenset({"centre_head"}),
    "routes:case_close": frozenset({"centre_head"}),
    "routes:changed_needs": APPLICANT,
    "routes:conclusion_draft": CENTRE,
    "routes:conclusion_sign": frozenset({"centre_head"}),
    "routes:measure_add": CENTRE,
    "routes:measure_remove": CENTRE,
    "routes:meeting_cancel": frozenset({"centre_head"}),
    "routes:meeting_correct": frozenset({"centre_head"}),
    "routes:meeting_edit": frozenset({"centre_head"}),
    "routes:meeting_hold": frozenset({"centre_head"}),
    "routes:meeting_item_add": frozenset({"centre_head"}),
    "routes:meeting_item_remove": frozenset({"centre_head"}),
    "routes:meeting_member_add": frozenset({"centre_head"}),
    "routes:meeting_member_remove": frozenset({"centre_head"}),
    "routes:meeting_new": frozenset({"centre_head"}),
    "routes:meeting_protocol": CENTRE,  # centre staff write the protocol; a signed one answers 409
    "routes:meeting_rsvp": frozenset(
        {"student", "representative", "specialist", "centre_head", "lecturer", "stranger_lecturer"}
    ),
    "routes:protocol_sign": frozenset({"centre_head"}),
    "routes:route_approve": frozenset({"administration"}),
    "routes:route_cancel": CENTRE,
    "routes:route_draft": CENTRE,
    "routes:route_edit": CENTRE,
    "routes:route_return": frozenset({"administration"}),
    "routes:route_review": CENTRE,
    "routes:route_send": CENTRE,
    "routes:route_withdraw": CENTRE,
    "routes:section_add": CENTRE,
    "routes:section_remove": CENTRE,
    "routes:section_update": CENTRE,
    "routes:support": CENTRE,
    "routes:support_correct": frozenset({"specialist"}),
    "routes:unassign": frozenset({"centre_head"}),
    "routes:consultations": frozenset({"lecturer", "stranger_lecturer"}),  # each files their own
    "routes:consultation_take": frozenset({"specialist", "unassigned_specialist"}),  # nobody has taken it yet
    "routes:consultation_answer": frozenset({"centre_head"}),  # a specialist answers once they took it
    "routes:consultation_close": frozenset({"lecturer", "centre_head"}),  # withdrawn, or closed with a reason
    "routes:guidance_edit": frozenset({"centre_head"}),
    "routes:training": CENTRE | {"unassigned_specialist"},
    "routes:training_event_move": CENTRE | {"unassigned_specialist"},
    "routes:training_attend": CENTRE | {"unassigned_specialist"},
    "routes:training_attendance_remove": CENTRE | {"unassigned_specialist"},
    "routes:service_requests": frozenset({"student", "other_student"}),  # each files their own
    "routes:appeal_new": APPLICANT,
    "routes:appeal": APPLICANT | {"centre_head"},  # the appellant side withdraws, the reviewer answers
    "routes:appeal_assign": frozenset({"centre_head"}),
    "audit:disclosure_new": CENTRE | {"unassigned_specialist"},
    "routes:service_request_new": CENTRE | {"unassigned_specialist"},
    # The queue's owner (the specialist) and the centre head answer; another specialist only reads (404 on POST).
    "routes:service_request": CENTRE,
    "routes:equipment_lend": CENTRE | {"unassigned_specialist"},
    "routes:organisation_new": CENTRE | {"unassigned_specialist"},
    "routes:organisation": CENTRE | {"unassigned_specialist"},
    "routes:contact_new": CENTRE | {"unassigned_specialist"},
    "routes:contact_edit": CENTRE | {"unassigned_specialist"},
    "routes:partner_letter_new": CENTRE,
    "routes:partner_letter_edit": CENTRE,
    "routes:partner_letter_send": CENTRE,
    "routes:partner_letter_answer": CENTRE,
    "routes:exam_sessions": frozenset({"exam_office", "lecturer", "stranger_lecturer"}),
    "routes:exam_sessions_import": frozenset({"exam_office"}),
    "routes:exam_session_propose": CENTRE | {"unassigned_specialist"},
    "routes:exam_arrangement_confirm": CENTRE | {"unassigned_specialist"},
    "routes:exam_arrangement_book": CENTRE | {"unassigned_specialist"},
    "routes:exam_arrangement_hold": CENTRE | {"unassigned_specialist"},
    "routes:exam_arrangement_cancel": CENTRE | {"unassigned_specialist"},
    "routes:loan_return": CENTRE | {"unassigned_specialist"},
    "students:application_consent": APPLICANT,
    "students:application_edit": APPLICANT,
    "students:application_register": frozenset({"centre_head"}),
    "students:application_reject": frozenset({"centre_head"}),
    "students:application_duplicate": frozenset({"centre_head"}),
    "students:application_incoming": frozenset({"centre_head"}),
    "students:application_start": frozenset({"student", "other_student", "representative", "lecturer"}),
    "students:application_submit": APPLICANT,
    "students:application_withdraw": APPLICANT,
    "students:consent_withdraw": APPLICANT,
    "students:document_upload": APPLICANT | {"centre_head"},
    "students:paper_application": frozenset({"centre_head"}),
    "students:reference_import": frozenset({"sysadmin"}),
    "students:reference_import_confirm": frozenset({"sysadmin"}),
    "students:reference_import_preview": frozenset({"sysadmin"}),
    "students:reference_import_report": frozenset({"sysadmin"}),
    "students:reference_import_sample": frozenset({"sysadmin"}),
}

PROJECT_APPS = {"accounts", "students", "routes", "documents", "audit", "guardian", "auth"}
# A refused attempt is logged (DOMAIN.md: "the attempt is logged"): these tables may grow on a refusal.
LOGGED_ON_REFUSAL = {"audit_accesslog", "audit_historicalaccesslog", "audit_auditchainentry"}


def _tables() -> list[tuple[str, bool]]:
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if (
            meta.app_label in PROJECT_APPS
            and meta.managed
            and not meta.proxy
            and meta.db_table not in LOGGED_ON_REFUSAL
        ):
            tables.add((meta.db_table, meta.pk.name == "history_id"))
    return sorted(tables)


def snapshot() -> tuple:
    """Row counts of every table of the project's apps and the highest history id of each history table, in one
    query: a refused request must leave all of them as they were."""
    parts = []
    for table, historical in _tables():
        quoted = connection.ops.quote_name(table)  # names from the models, not from input
        parts.append(f"(SELECT COUNT(*) FROM {quoted})")  # noqa: S608
        if historical:
            parts.append(f"(SELECT COALESCE(MAX(history_id), 0) FROM {quoted})")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return cursor.fetchone()


def _as(client, world, persona):
    client.logout()
    if persona != "anonymous":
        client.force_login(getattr(world, persona))


def _to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse(settings.LOGIN_URL))


def test_every_url_is_in_the_matrix():
    known = url_names()
    missing = sorted(set(known) - set(GET))
    assert not missing, f"URL names missing from the authorization matrix (tests/security): {missing}"
    assert not sorted(set(known) - set(KWARGS)), "and from tests/security/urls_under_test.KWARGS"
    assert not sorted(set(GET) - set(known)), f"matrix entries for URLs that no longer exist: {set(GET) - set(known)}"
    assert set(ACTORS) <= set(known)


@pytest.mark.parametrize("name", sorted(GET))
def test_get(client, world, name):
    url = reverse(name, kwargs=KWARGS[name](world))
    wrong = []
    for persona in PERSONAS:
        _as(client, world, persona)
        response = client.get(url)
        expected = GET[name][persona]
        if response.status_code != expected:
            wrong.append(f"{persona}: {response.status_code}, expected {expected}")
        elif persona == "anonymous" and expected == 302 and not _to_login(response):
            wrong.append(f"anonymous: redirected to {response['Location']}, not to the login page")
    assert not wrong, f"GET {name}: " + "; ".join(wrong)


@pytest.mark.parametrize("name", sorted(GET))
def test_refused_post_changes_nothing(client, world, name):
    url = reverse(name, kwargs=KWARGS[name](world))
    wrong = []
    for persona in PERSONAS:
        if persona in ACTORS.get(name, ()):
            continue
        _as(client, world, persona)
        with transaction.atomic():
            before = snapshot()
            response = client.post(url, {"revision": 1, "reason": "x", "comment": "x", "decision": "agreed"})
            after = snapshot()
            transaction.set_rollback(True)
        # Anonymous is sent to log in, or refused outright by a page that takes no POST from anyone (405).
        refused = response.status_code in REFUSED or (persona == "anonymous" and _to_login(response))
        if not refused:
            wrong.append(f"{persona}: {response.status_code}, expected a refusal")
        if after != before:
            wrong.append(f"{persona}: the refused POST changed rows")
    assert not wrong, f"POST {name}: " + "; ".join(wrong)


def test_the_applicant_side_cannot_reach_another_students_case(client, world):
    """The student and their representative, with the other student's application in every case URL."""
    wrong = []
    for name, build in KWARGS.items():
        if build.__name__ != "_app":
            continue
        url = reverse(name, kwargs={"public_id": world.other_application.public_id})
        for persona in ("student", "representative"):
            _as(client, world, persona)
            code = client.get(url).status_code
            if code not in {404, 405}:
                wrong.append(f"GET {name} as {persona}: {code}")
            with transaction.atomic():
                before = snapshot()
                code = client.post(url, {"reason": "x", "text": "x"}).status_code
                after = snapshot()
                transaction.set_rollback(True)
            if code not in REFUSED or after != before:
                wrong.append(f"POST {name} as {persona}: {code}{' and rows changed' if after != before else ''}")
    assert not wrong, "; ".join(wrong)


def test_drafts_reach_no_one_but_their_authors(client, world):
    """Issue 20: a representative's draft and a lecturer's referral draft, in every case URL, for every persona
    who did not write them (staff of each role, whatever they see of submitted cases)."""
    from students import services
    from tests.factories import fill_application

    secret = "MARKER-DRAFT"
    by_representative = services.application_start(actor=world.representative, student=world.student.student)
    fill_application(by_representative, world.representative, description=secret)
    referral = services.application_start(actor=world.lecturer, student=world.student.student, referral_note=secret)
    authors = {by_representative.pk: {"student", "representative"}, referral.pk: {"student", "representative"}}
    authors[referral.pk].add("lecturer")  # the referring lecturer follows its status, never its content
    wrong = []
    for draft in (by_representative, referral):
        for name, build in KWARGS.items():
            if build.__name__ != "_app":
                continue
            url = reverse(name, kwargs={"public_id": draft.public_id})
            for persona in sorted(SIGNED_IN - authors[draft.pk]):
                _as(client, world, persona)
                response = client.get(url)
                if response.status_code not in {404, 405} or secret.encode() in response.content:
                    wrong.append(f"GET {name} as {persona}: {response.status_code}")
    assert not wrong, "; ".join(wrong)
