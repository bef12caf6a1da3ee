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
