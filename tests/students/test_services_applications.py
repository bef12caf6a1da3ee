"""The application's moves through the services: allowed moves, refusals that change nothing, the timeline,
history with the acting user, registration numbers and notifications."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import StatusChange
from audit.workflow import IllegalMove
from inclusion_centre.accounts.models import Notification
from students import services
from students.models import Application
from tests.factories import fill_application as fill

pytestmark = pytest.mark.django_db

S = Application.Status


def _moves(application):
    return list(
        StatusChange.objects.filter(object_id=application.pk, content_type__model="application").values_list(
            "from_status", "to_status"
        )
    )


def test_start_grants_the_student_and_representatives(student, representative):
    application = services.application_start(actor=student, student=student.student)
    assert application.status == S.DRAFT
    assert application.filed_as == Application.FiledAs.STUDENT
    assert student.has_perm("students.view_application", application)
    assert representative.has_perm("students.view_application", application)
    assert _moves(application) == [("", S.DRAFT)]


def test_representative_applies_for_the_student_they_represent(student, representative):
    application = services.application_start(actor=representative, student=student.student)
    assert application.filed_as == Application.FiledAs.REPRESENTATIVE
    assert student.has_perm("students.view_application", application)


def test_nobody_else_may_apply_for_a_student(student, other_student, specialist, administration):
    for actor in (other_student, specialist, administration):
        with pytest.raises(PermissionDenied):
            services.application_start(actor=actor, student=student.student)
    assert not Application.objects.exists()


def test_lecturer_refers_a_student_they_teach(lecturer, student):
    from tests.factories import EnrolmentFactory

    assignment = lecturer.teaching_assignments.get()
    EnrolmentFactory(student=student.student, course=assignment.course, term=assignment.term)
    application = services.application_start(actor=lecturer, student=student.student, referral_note="Тақтаны көрмейді")
    assert application.filed_as == Application.FiledAs.LECTURER
    assert application.referral_note == "Тақтаны көрмейді"
    assert lecturer.has_perm("students.view_application_status", application)
    assert not lecturer.has_perm("students.view_application", application)
    assert Notification.objects.filter(recipient=student, kind="application_referral").exists()


def test_lecturer_cannot_refer_a_student_they_do_not_teach(lecturer, student):
    with pytest.raises(PermissionDenied):
        services.application_start(actor=lecturer, student=student.student)


def test_submit_needs_consent_category_and_description(draft, student):
    with pytest.raises(ValidationError) as error:
        services.application_submit(application=draft, actor=student)
    codes = {e.code for e in error.value.error_list}
    assert codes == {"no_category", "no_description", "no_consent"}
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
    assert _moves(draft) == [("", S.DRAFT)]


def test_submit_notifies_every_centre_head_after_commit(
    draft, student, centre_head, django_capture_on_commit_callbacks
):
    fill(draft, student)
    services.consent_give(application=draft, actor=student, language="ru")
    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.application_submit(application=draft, actor=student)
    assert submitted.status == S.SUBMITTED
    assert submitted.submitted_at is not None
    assert _moves(submitted) == [("", S.DRAFT), (S.DRAFT, S.SUBMITTED)]
    notification = Notification.objects.get(recipient=centre_head, kind="application_submitted")
    assert notification.url.endswith(f"/applications/{submitted.public_id}/")
    assert [m.to for m in mail.outbox] == [[centre_head.email]]
    # No personal data in e-mail subjects.
    assert student.full_name not in mail.outbox[0].subject


def test_double_submit_is_refused_and_changes_nothing(submitted, student):
    before = _moves(submitted)
    with pytest.raises(IllegalMove):
        services.application_submit(application=submitted, actor=student)
    assert _moves(submitted) == before


def test_register_gives_consecutive_numbers(submitted, centre_head, student):
    registered = services.application_register(application=submitted, actor=centre_head)
    assert registered.status == S.REGISTERED
    assert registered.registration_number.endswith("/0001")
    assert registered.registration_number.startswith("ӨТ-")
    second = services.application_start(actor=student, student=student.student)
    fill(second, student)
    services.consent_give(application=second, actor=student, language="kk")
    services.application_submit(application=second, actor=student)
    assert services.application_register(application=second, actor=centre_head).registration_number.endswith("/0002")
    history = registered.history.first()
    assert history.history_user == centre_head
    assert history.registration_number == registered.registration_number


def test_only_the_centre_head_registers(submitted, student, specialist, lecturer, administration):
    for actor in (student, specialist, lecturer, administration):
        with pytest.raises(PermissionDenied):
            services.application_register(application=submitted, actor=actor)
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    assert submitted.registration_number is None


def test_register_twice_is_an_illegal_move(registered, centre_head):
    with pytest.raises(IllegalMove):
        services.application_register(application=registered, actor=centre_head)
    registered.refresh_from_db()
    assert registered.registration_number.endswith("/0001")


def test_reject_needs_a_reason_and_tells_the_applicant(submitted, centre_head, student):
    with pytest.raises(ValidationError):
        services.application_reject(application=submitted, actor=centre_head, reason="  ")
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    rejected = services.application_reject(application=submitted, actor=centre_head, reason="Құжаттар толық емес")
    assert rejected.status == S.REJECTED
    assert rejected.rejection_reason == "Құжаттар толық емес"
    assert StatusChange.objects.filter(object_id=rejected.pk, to_status=S.REJECTED).get().comment == (
        "Құжаттар толық емес"
    )
    assert Notification.objects.filter(recipient=student, kind="application_rejected").exists()


def test_applicant_withdraws_a_draft_or_a_submitted_application(draft, student, representative):
    withdrawn = services.application_withdraw(application=draft, actor=representative, reason="")
    assert withdrawn.status == S.WITHDRAWN
    assert Notification.objects.filter(recipient=student, kind="application_withdrawn").exists()


def test_registered_application_cannot_be_withdrawn(registered, student):
    with pytest.raises(IllegalMove):
        services.application_withdraw(application=registered, actor=student)
    registered.refresh_from_db()
    assert registered.status == S.REGISTERED


def test_consent_withdrawal_is_recorded_and_the_centre_is_told(submitted, student, centre_head):
    consent = services.consent_withdraw(application=submitted, actor=student, reason="Ойымнан айныдым")
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_by == student
    assert consent.history.first().history_user == student
    assert consent.text.version == "2026-1"
    assert Notification.objects.filter(recipient=centre_head, kind="consent_withdrawn").exists()
    with pytest.raises(ValidationError):
        services.consent_withdraw(application=submitted, actor=student)


def test_draft_edits_keep_history_of_categories(draft, student):
    fill(draft, student)
    latest = draft.history.first()
    assert latest.history_user == student
    assert sorted(c.needcategory.code for c in latest.categories.all()) == ["hearing", "visual"]


def test_editing_a_submitted_application_is_refused(submitted, student):
    with pytest.raises(ValidationError):
        fill(submitted, student)


def test_paper_application_enters_as_submitted_with_its_scan(centre_head, student):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from students.models import NeedCategory
    from tests.factories import png_bytes

    application = services.paper_application_enter(
        actor=centre_head,
        student=student.student,
        received_on="2026-11-20",
        categories=list(NeedCategory.objects.filter(code="mobility")),
        description="Арбамен жүремін",
        conditions=[],
        conditions_other="",
        disability_group="",
        contact_channel="phone",
        contact_phone="+7 700 000 00 00",
        scan=SimpleUploadedFile("scan.png", png_bytes(), "image/png"),
        consent_signed=True,
    )
    assert application.status == S.SUBMITTED
    assert application.channel == Application.Channel.PAPER
    assert application.consent.channel == "paper"
    assert application.documents.get().kind == "paper_scan"
    assert student.has_perm("students.view_application", application)
