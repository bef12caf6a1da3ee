import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from documents.models import RegisteredDocument, Signature
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from inclusion_centre.seeding.people import DEMO_PASSWORD, DEMO_USERS
from students.models import Course, Enrolment, Faculty, Programme, Student, TeachingAssignment

pytestmark = pytest.mark.django_db


def _row_counts() -> dict[str, int]:
    """Rows in every table of the project's own apps, history tables included."""
    labels = {"accounts", "students", "routes", "documents", "audit"}
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in labels
    }


def test_seed_demo_creates_the_demo_world_and_prints_logins(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    printed = capsys.readouterr().out
    assert {role for _email, _name, role, *_rest in DEMO_USERS} == set(Role)
    for email, _name, role, *_rest in DEMO_USERS:
        user = User.objects.get(email=email)
        assert user.has_role(role)
        assert user.check_password(DEMO_PASSWORD)
        assert email in printed
    assert DEMO_PASSWORD in printed
    assert Faculty.objects.count() == 1
    assert Programme.objects.count() == 2
    assert Course.objects.count() == 10
    assert TeachingAssignment.objects.values("course").distinct().count() == 10
    assert Student.objects.count() == 20
    assert all(s.enrolments.count() >= 5 for s in Student.objects.prefetch_related("enrolments"))
    assert Enrolment.objects.values("term").distinct().count() == 1
    assert User.objects.get(email="sysadmin@demo.edu.kz").is_staff
    assert not User.objects.get(email="lecturer@demo.edu.kz").is_staff
    assert Student.objects.get(user__email="student@demo.edu.kz")
    # A document in each signature state: unsigned, confirmed in the system, signed with ЭЦП (checked).
    signed = Signature.objects.filter(method=Signature.Method.NCALAYER).get()
    assert signed.certificate_serial and signed.revocation == Signature.Revocation.GOOD
    assert signed.signer.email == "student@demo.edu.kz" and signed.signer.iin
    assert Signature.objects.filter(method=Signature.Method.IN_SYSTEM, role="centre_head").exists()
    assert RegisteredDocument.objects.filter(signatures__isnull=True).exists()
    _assert_the_workflow_rules_states()
    _assert_support_delivered()
    _assert_service_requests_and_loans()
    _assert_delivery_surveys()
    _assert_consultations_and_training()
    _assert_appeals_and_disclosures()


def _assert_consultations_and_training():
    """A consultation in every state (one overdue, one taken), guidance notes, a training event in every state with
    attendees of the held one, and at least one untrained lecturer on the report."""
    from django.utils import timezone

    from routes.models import Consultation, GuidanceNote, TrainingAttendance, TrainingEvent
    from routes.selectors.consultation import untrained_lecturers

    states = set(Consultation.objects.values_list("status", flat=True))
    assert states == set(Consultation.Status.values)
    assert Consultation.objects.filter(status="requested", taken_by__isnull=False).exists()
    assert Consultation.objects.filter(status="requested", due_on__lt=timezone.localdate()).exists()
    assert Consultation.objects.filter(student__isnull=False).exists()
    assert GuidanceNote.objects.filter(title_ru__gt="", body_ky__gt="").count() >= 2
    assert set(TrainingEvent.objects.values_list("status", flat=True)) == set(TrainingEvent.Status.values)
    assert TrainingAttendance.objects.filter(event__status="held").exclude(certificate_number="").count() >= 2
    lecturers = {row.lecturer.email for row in untrained_lecturers()}
    assert lecturers and "lecturer@demo.edu.kz" not in lecturers


def _assert_appeals_and_disclosures():
    """An appeal in every state (one overdue), each reviewed by someone other than the decision's author; a
    disclosure on every legal ground."""
    from django.utils import timezone

    from audit.models import Disclosure
    from routes.models import Appeal

    assert set(Appeal.objects.values_list("status", flat=True)) == set(Appeal.Status.values)
    assert set(Appeal.objects.values_list("subject", flat=True)) == set(Appeal.Subject.values)
    assert Appeal.objects.filter(status__in=Appeal.OPEN, due_on__lt=timezone.localdate()).exists()
    assert all(appeal.reviewer_id != appeal.decided_by_id for appeal in Appeal.objects.all())
    assert set(Disclosure.objects.values_list("ground", flat=True)) == set(Disclosure.Ground.values)
    _assert_partners_and_archive()


def _assert_partners_and_archive():
    """An organisation of every kind with a contact, a letter in every state, the retention schedule, one hand-over
    to the archive whose documents are destroyed."""
    from documents.models import DocumentType, RetentionRule
    from routes.models import HandOver, Organisation, PartnerLetter

    assert set(Organisation.objects.values_list("kind", flat=True)) == set(Organisation.Kind.values)
    assert all(o.contacts.exists() for o in Organisation.objects.all())
    assert set(PartnerLetter.objects.values_list("status", flat=True)) == set(PartnerLetter.Status.values)
    assert RegisteredDocument.objects.filter(document_type=DocumentType.PARTNER_LETTER).count() == 2
    assert RetentionRule.objects.filter(document_type=DocumentType.APPLICATION, years=5).exists()
    handover = HandOver.objects.get()
    assert handover.destroyed_at and handover.package_sha256 and handover.documents.exists()
    assert all(d.destroyed_at for d in handover.documents.all())
    _assert_voices_and_mse()
    _assert_exam_arrangements()


def _assert_exam_arrangements():
    """Rooms, exam sessions and an arrangement in every state, one booked twice (SEQUENCE 2)."""
    from routes.models import ExamArrangement, Room

    assert Room.objects.count() == 3
    assert set(ExamArrangement.objects.values_list("status", flat=True)) == set(ExamArrangement.Status.values)
    assert ExamArrangement.objects.filter(status="booked", sequence=2).exists()


def _assert_service_requests_and_loans():
    """A service request in every state (one overdue) and a loan in every situation (open, overdue, returned)."""
    import datetime

    from django.utils import timezone

    from routes.models import EquipmentLoan, ServiceRequest

    today = timezone.localdate()
    assert set(ServiceRequest.objects.values_list("status", flat=True)) == set(ServiceRequest.Status.values)
    assert ServiceRequest.objects.filter(status__in=ServiceRequest.OPEN, due_on__lt=today).exists()
    assert ServiceRequest.objects.exclude(refusal_reason="").filter(status="refused").exists()
    open_loans = EquipmentLoan.objects.filter(returned_on__isnull=True)
    assert open_loans.filter(due_on__gte=today).exists()
    assert open_loans.filter(due_on__lt=today).exists()
    assert EquipmentLoan.objects.filter(returned_on=today, lent_on__lt=today - datetime.timedelta(days=1)).exists()


def _assert_delivery_surveys():
    """An end-of-term survey in every state, one answer falling short (the centre's task), and the demo lecturer's
    survey still waiting for them."""
    from routes.models import DeliverySurvey
    from routes.selectors.delivery import shortfall_tasks

    assert set(DeliverySurvey.objects.values_list("status", flat=True)) == set(DeliverySurvey.Status.values)
    short = DeliverySurvey.objects.get(fell_short=True)
    assert short.status == "answered" and short.role == "student"
    assert DeliverySurvey.objects.filter(status="answered", fell_short=False, role="lecturer").exists()
    assert DeliverySurvey.objects.filter(status="open", respondent__email="lecturer@demo.edu.kz").exists()
    assert [survey for survey, _due in shortfall_tasks(User.objects.get(email="head@demo.edu.kz"))] == [short]


def _assert_support_delivered():
    """The route in force shows support delivered: a few sessions, one the student missed."""
    from routes.models import SupportSession

    sessions = SupportSession.objects.filter(measure__route__status="in_force")
    assert sessions.count() == 3
    assert sessions.filter(attended=False).count() == 1


def _assert_the_workflow_rules_states():
    """Issue #26's states are in the demo: a merged duplicate, one rejected as a duplicate, a rejected application
    with its void registered document, a route waiting for the team's decision on its measures."""
    from documents.models import RegisteredDocument
    from routes.models import AgendaItem, ProtocolItem, Route
    from students.models import Application

    merged = Application.objects.get(status=Application.Status.MERGED)
    assert merged.duplicate_of.student_id == merged.student_id and merged.duplicate_of.documents.exists()
    assert Application.objects.filter(status=Application.Status.DUPLICATE, duplicate_of__isnull=False).exists()
    assert RegisteredDocument.objects.filter(status=RegisteredDocument.Status.MERGED, object_id=merged.pk).exists()
    rejected = Application.objects.get(status=Application.Status.REJECTED)
    assert RegisteredDocument.objects.get(object_id=rejected.pk, document_type="application").status == "rejected"
    waiting = Route.objects.get(status=Route.Status.IN_APPROVAL)
    assert AgendaItem.objects.filter(route=waiting, meeting__status="planned").exists()
    assert not ProtocolItem.objects.filter(item__route=waiting).exists()


def test_seed_demo_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = _row_counts()
    assert first["students.HistoricalStudent"] == 20
    call_command("seed_demo")
    assert _row_counts() == first


def test_seed_demo_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.filter(email__endswith="@demo.edu.kz").exists()


def test_demo_staff_can_pass_the_two_step_sign_in_with_the_printed_key(settings, capsys, client):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from inclusion_centre.seeding.people import demo_otp_secret

    settings.DEBUG = True
    settings.OTP_ENFORCE = True
    call_command("seed_demo")
    printed = capsys.readouterr().out
    assert demo_otp_secret() in printed
    assert not TOTPDevice.objects.filter(user__email="student@demo.edu.kz").exists()
    head = User.objects.get(email="head@demo.edu.kz")
    assert TOTPDevice.objects.get(user=head, confirmed=True)
    # A newcomer without a phone: the printed command gives a code that the sign-in accepts.
    call_command("demo_code")
    code = capsys.readouterr().out.split()[0]
    assert client.post("/accounts/login/", {"username": head.email, "password": DEMO_PASSWORD}).status_code == 302
    assert client.get("/").status_code == 302  # the second step first
    assert client.post("/accounts/two-factor/", {"code": code}).status_code == 302
    assert client.get("/").status_code == 200


def _assert_voices_and_mse():
    """The student's voice in every state (a draft comment, acknowledged, acknowledged with disagreement, approved
    and not acknowledged) and the MSE conclusion in every state (valid, reminded, lapsed with its route waiting
    for a review)."""
    from routes.models import Route, StudentVoice
    from routes.selectors.mse import routes_waiting_for_mse_review
    from students.models import MseConclusion

    kinds = set(StudentVoice.objects.values_list("kind", flat=True))
    assert kinds == {"comment", "acknowledged", "disagreed"}
    assert StudentVoice.objects.filter(kind="comment", route__status="draft").exists()
    assert Route.objects.filter(status__in=Route.APPROVED).exclude(voices__kind__in=["acknowledged", "disagreed"])
    assert set(MseConclusion.objects.values_list("status", flat=True)) == {"valid", "reminded", "lapsed"}
    assert routes_waiting_for_mse_review().exists()
