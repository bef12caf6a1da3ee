"""Assigning specialists, assessments, the conclusion: services and pages, tried by every role."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.workflow import IllegalMove
from inclusion_centre.accounts.models import Notification
from routes import services
from routes.models import Adaptation, Assessment, Conclusion
from students import services as application_services
from students.models import Application
from tests.factories import StaffProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

S = Application.Status
MARKER = "MARKER-FINDINGS"


@pytest.fixture
def second_specialist():
    user = UserFactory(roles=["specialist"], full_name="Логопед Екінші")
    StaffProfileFactory(user=user, specialty="speech_therapist")
    return user


@pytest.fixture
def assignment(registered, specialist, centre_head):
    return services.assignment_add(application=registered, specialist=specialist, area="cognitive", actor=centre_head)


def _write(assignment, specialist, *, codes=("extra_time", "large_print"), texts=("Қысқа нұсқаулар",)):
    return services.assessment_save(
        assessment=assignment.assessment,
        actor=specialist,
        findings=f"Оқу жылдамдығы төмен. {MARKER}",
        strengths="Ауызша жақсы түсінеді",
        barriers="Ұзақ жазбаша тапсырмалар",
        adaptations=list(Adaptation.objects.filter(code__in=codes)),
        free_texts=list(texts),
    )


@pytest.fixture
def finished(assignment, specialist):
    _write(assignment, specialist)
    return services.assessment_finish(assessment=assignment.assessment, actor=specialist)


# --- Assignment ---------------------------------------------------------------------------------------------


def test_assignment_moves_the_case_grants_and_notifies(assignment, registered, specialist):
    registered.refresh_from_db()
    assert registered.status == S.UNDER_ASSESSMENT
    assert specialist.has_perm("students.view_application", registered)
    assert assignment.assessment.status == Assessment.Status.DRAFT
    assert Notification.objects.filter(recipient=specialist, kind="assignment_added").exists()
    assert assignment.history.first().history_user == assignment.assigned_by


def test_several_specialists_and_no_duplicate_area(assignment, registered, specialist, second_specialist, centre_head):
    services.assignment_add(application=registered, specialist=second_specialist, area="speech", actor=centre_head)
    with pytest.raises(ValidationError):
        services.assignment_add(application=registered, specialist=specialist, area="cognitive", actor=centre_head)
    assert registered.assignments.filter(ended_at__isnull=True).count() == 2


def test_only_the_centre_head_assigns(registered, specialist, student, administration):
    for actor in (specialist, student, administration):
        with pytest.raises(PermissionDenied):
            services.assignment_add(application=registered, specialist=specialist, area="speech", actor=actor)
    assert not registered.assignments.exists()


def test_only_specialists_can_be_assigned(registered, lecturer, centre_head):
    with pytest.raises(ValidationError):
        services.assignment_add(application=registered, specialist=lecturer, area="speech", actor=centre_head)


def test_a_submitted_application_cannot_get_specialists(submitted, specialist, centre_head):
    with pytest.raises(IllegalMove):
        services.assignment_add(application=submitted, specialist=specialist, area="speech", actor=centre_head)


def test_withdrawn_consent_stops_new_assignments(registered, student, specialist, centre_head):
    application_services.consent_withdraw(application=registered, actor=student)
    with pytest.raises(ValidationError):
        services.assignment_add(application=registered, specialist=specialist, area="speech", actor=centre_head)


def test_unassignment_revokes_access_at_once(client, assignment, registered, specialist, centre_head):
    client.force_login(specialist)
    assert client.get(reverse("students:application_detail", args=[registered.public_id])).status_code == 200
    services.assignment_end(assignment=assignment, actor=centre_head)
    assert not specialist.has_perm("students.view_application", registered)
    assert client.get(reverse("students:application_detail", args=[registered.public_id])).status_code == 404
    assert client.get(reverse("routes:assessment", args=[assignment.pk])).status_code == 404
    with pytest.raises(IllegalMove):
        services.assignment_end(assignment=assignment, actor=centre_head)


# --- Assessment ---------------------------------------------------------------------------------------------


def test_drafts_save_incomplete_and_finishing_needs_findings(assignment, specialist):
    services.assessment_save(
        assessment=assignment.assessment,
        actor=specialist,
        findings="",
        strengths="",
        barriers="",
        adaptations=[],
        free_texts=[],
    )
    with pytest.raises(ValidationError) as error:
        services.assessment_finish(assessment=assignment.assessment, actor=specialist)
    assert {e.code for e in error.value.error_list} == {"no_findings", "no_recommendations"}
    assignment.assessment.refresh_from_db()
    assert assignment.assessment.status == Assessment.Status.DRAFT


def test_only_the_assigned_specialist_writes_the_assessment(assignment, second_specialist, centre_head):
    for actor in (second_specialist, centre_head):
        with pytest.raises(ValidationError):
            _write(assignment, actor)
    assert assignment.assessment.findings == ""


def test_a_finished_assessment_is_frozen(finished, specialist, centre_head):
    assert finished.status == Assessment.Status.FINISHED
    with pytest.raises(ValidationError):
        _write(finished.assignment, specialist)
    assert Notification.objects.filter(recipient=centre_head, kind="assessment_finished").exists()


def test_retired_catalogue_entries_stay_readable(finished):
    entry = Adaptation.objects.get(code="extra_time")
    entry.is_active = False
    entry.save()
    assert entry in [r.adaptation for r in finished.recommendations.all()]


# --- Conclusion ---------------------------------------------------------------------------------------------


def test_conclusion_merges_recommendations_traceably(registered, assignment, finished, second_specialist, centre_head):
    other = services.assignment_add(
        application=registered, specialist=second_specialist, area="speech", actor=centre_head
    )
    _write(other, second_specialist, codes=("extra_time", "oral"), texts=("қысқа   НҰСҚАУЛАР",))
    services.assessment_finish(assessment=other.assessment, actor=second_specialist)
    conclusion = services.conclusion_draft(application=registered, actor=centre_head)
    items = {(item.adaptation.code if item.adaptation else item.text): item for item in conclusion.items.all()}
    assert set(items) == {"extra_time", "large_print", "oral", "Қысқа нұсқаулар"}
    assert items["extra_time"].sources.count() == 2
    assert items["Қысқа нұсқаулар"].sources.count() == 2
    assert set(conclusion.specialists.all()) == {finished.assignment.specialist, second_specialist}


def test_conclusion_needs_a_finished_assessment(registered, assignment, centre_head):
    with pytest.raises(ValidationError):
        services.conclusion_draft(application=registered, actor=centre_head)
    assert not Conclusion.objects.exists()


def _complete(conclusion, actor):
    return services.conclusion_update(
        conclusion=conclusion,
        actor=actor,
        analysis="Білім алушыға бейімделген бағалау формалары қажет.",
        support_level="2",
        revision_reason="",
        keep_items=list(conclusion.items.values_list("pk", flat=True)),
    )


def test_signing_registers_freezes_and_concludes(registered, finished, centre_head, student, specialist):
    conclusion = services.conclusion_draft(application=registered, actor=specialist)
    with pytest.raises(ValidationError):
        services.conclusion_sign(conclusion=conclusion, actor=centre_head)  # no analysis, no level yet
    with pytest.raises(PermissionDenied):
        services.conclusion_sign(conclusion=conclusion, actor=specialist)
    _complete(conclusion, specialist)
    signed = services.conclusion_sign(conclusion=conclusion, actor=centre_head)
    assert signed.status == Conclusion.Status.SIGNED
    assert signed.registration_number.startswith("ҚОР-")
    registered.refresh_from_db()
    assert registered.status == S.CONCLUDED
    assert Notification.objects.filter(recipient=student, kind="conclusion_signed").exists()
    with pytest.raises(ValidationError):
        _complete(signed, centre_head)
    with pytest.raises(IllegalMove):
        services.conclusion_sign(conclusion=signed, actor=centre_head)


def test_a_change_after_signing_is_a_new_version(registered, finished, centre_head):
    first = services.conclusion_draft(application=registered, actor=centre_head)
    _complete(first, centre_head)
    first = services.conclusion_sign(conclusion=first, actor=centre_head)
    second = services.conclusion_draft(application=registered, actor=centre_head)
    assert second.version == 2
    assert second.analysis == first.analysis
    with pytest.raises(ValidationError) as error:
        services.conclusion_sign(conclusion=second, actor=centre_head)
    assert "no_reason" in {e.code for e in error.value.error_list}
    services.conclusion_update(
        conclusion=second,
        actor=centre_head,
        analysis=second.analysis,
        support_level="3",
        revision_reason="Жаңа анықтама келді",
        keep_items=list(second.items.values_list("pk", flat=True)),
    )
    second = services.conclusion_sign(conclusion=second, actor=centre_head)
    first.refresh_from_db()
    assert first.status == Conclusion.Status.SIGNED  # the old one stays readable
    assert second.registration_number != first.registration_number


# --- Pages, and who sees the findings -----------------------------------------------------------------------


def test_specialist_records_an_assessment_through_the_page(client, assignment, specialist):
    client.force_login(specialist)
    url = reverse("routes:assessment", args=[assignment.pk])
    extra = Adaptation.objects.get(code="extra_time")
    assert client.get(url).status_code == 200
    incomplete = client.post(url, {"findings": "", "action": "finish"})
    assert incomplete.status_code == 422
    saved = client.post(url, {"findings": MARKER, "adaptations": [extra.pk], "action": "save"})
    assert saved.status_code == 302
    done = client.post(url, {"findings": MARKER, "adaptations": [extra.pk], "action": "finish"})
    assert done.status_code == 302
    assignment.assessment.refresh_from_db()
    assert assignment.assessment.status == Assessment.Status.FINISHED
    again = client.post(url, {"findings": "changed", "action": "save"})
    assert again.status_code == 404
    assignment.assessment.refresh_from_db()
    assert assignment.assessment.findings == MARKER


def test_centre_head_assigns_through_the_case_page(client, registered, specialist, centre_head):
    client.force_login(centre_head)
    url = reverse("routes:assign", args=[registered.public_id])
    assert client.post(url, {"specialist": "", "area": ""}).status_code == 422
    assert client.post(url, {"specialist": specialist.pk, "area": "speech"}).status_code == 302
    assert registered.assignments.get().specialist == specialist
    assert client.post(url, {"specialist": specialist.pk, "area": "speech"}).status_code == 422


@pytest.mark.parametrize("who", ["student", "specialist", "lecturer", "administration", "auditor", "outsider"])
def test_others_cannot_assign(client, request, registered, specialist, who):
    client.force_login(request.getfixturevalue(who))
    response = client.post(
        reverse("routes:assign", args=[registered.public_id]), {"specialist": specialist.pk, "area": "speech"}
    )
    assert response.status_code == 404
    assert not registered.assignments.exists()


@pytest.mark.parametrize(
    ("who", "sees_assessment", "sees_conclusion"),
    [
        ("specialist", True, True),
        ("centre_head", True, True),
        ("student", False, True),
        ("representative", False, True),
        ("second_specialist", False, False),
        ("lecturer", False, False),
        ("administration", False, False),
        ("auditor", False, False),
        ("sysadmin", False, False),
        ("outsider", False, False),
    ],
)
def test_findings_reach_only_the_student_side_assigned_specialists_and_the_head(
    client, request, registered, finished, centre_head, who, sees_assessment, sees_conclusion
):
    conclusion = services.conclusion_draft(application=registered, actor=centre_head)
    _complete(conclusion, centre_head)
    services.conclusion_update(
        conclusion=conclusion,
        actor=centre_head,
        analysis=f"Талдау {MARKER}",
        support_level="2",
        revision_reason="",
        keep_items=list(conclusion.items.values_list("pk", flat=True)),
    )
    services.conclusion_sign(conclusion=conclusion, actor=centre_head)
    client.force_login(request.getfixturevalue(who))
    assessment_page = client.get(reverse("routes:assessment", args=[finished.assignment.pk]))
    conclusion_page = client.get(reverse("routes:conclusion", args=[conclusion.pk]))
    case_page = client.get(reverse("students:application_detail", args=[registered.public_id]))
    assert (assessment_page.status_code == 200) is sees_assessment
    assert (conclusion_page.status_code == 200) is sees_conclusion
    if not sees_assessment:
        assert assessment_page.status_code == 404
        for page in (assessment_page, conclusion_page, case_page):
            assert "Оқу жылдамдығы төмен" not in page.content.decode()
    if not sees_conclusion:
        assert conclusion_page.status_code == 404
        assert MARKER not in conclusion_page.content.decode()
        assert MARKER not in case_page.content.decode()


def test_signing_through_the_page(client, registered, finished, centre_head):
    conclusion = services.conclusion_draft(application=registered, actor=centre_head)
    client.force_login(centre_head)
    url = reverse("routes:conclusion", args=[conclusion.pk])
    assert client.get(url).status_code == 200
    refused = client.post(reverse("routes:conclusion_sign", args=[conclusion.pk]))
    assert refused.status_code == 422
    assert "error-summary" in refused.content.decode()
    client.post(
        url,
        {
            "analysis": "Талдау",
            "support_level": "1",
            "keep_items": list(conclusion.items.values_list("pk", flat=True)),
        },
    )
    assert client.post(reverse("routes:conclusion_sign", args=[conclusion.pk])).status_code == 302
    conclusion.refresh_from_db()
    assert conclusion.status == Conclusion.Status.SIGNED
    assert client.post(reverse("routes:conclusion_sign", args=[conclusion.pk])).status_code == 409


def test_case_timeline_shows_the_steps(client, registered, finished, student):
    client.force_login(student)
    client.cookies["language"] = "en"
    content = client.get(reverse("students:application_detail", args=[registered.public_id])).content.decode()
    assert "A specialist began assessing: Cognitive" in content
    assert "The assessment was finished: Cognitive" in content


def test_inbox_marks_an_overdue_assessment(client, registered, centre_head, settings):
    import datetime

    from django.utils import timezone

    settings.HOLIDAYS = []
    Application.objects.filter(pk=registered.pk).update(registered_at=timezone.now() - datetime.timedelta(days=30))
    client.force_login(centre_head)
    rows = dict(client.get(reverse("students:inbox"), {"overdue": "on"}).context["rows"])
    assert rows == {registered: True}


def test_centre_head_manages_the_catalogue_in_the_admin(client, centre_head):
    centre_head.is_staff = True
    centre_head.save()
    client.force_login(centre_head)
    changelist = reverse("admin:routes_adaptation_changelist")
    assert client.get(changelist).status_code == 200
    entry = Adaptation.objects.get(code="braille")
    response = client.post(
        reverse("admin:routes_adaptation_change", args=[entry.pk]),
        {
            "code": entry.code,
            "group": entry.group,
            "name_kk": entry.name_kk,
            "name_ru": entry.name_ru,
            "name_en": entry.name_en,
            "name_ky": entry.name_ky,
            "order": 1,
            "is_active": "",
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.order, entry.is_active) == (1, False)
    assert entry.history.first().history_user == centre_head
    assert client.get(reverse("admin:routes_adaptation_delete", args=[entry.pk])).status_code == 403
    # The head sees no other part of the admin that could change records.
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403


def test_no_notification_or_email_carries_findings(
    registered, finished, centre_head, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        conclusion = services.conclusion_draft(application=registered, actor=centre_head)
        _complete(conclusion, centre_head)
        services.conclusion_sign(conclusion=conclusion, actor=centre_head)
    texts = [f"{n.subject} {n.body}" for n in Notification.objects.all()]
    texts += [f"{m.subject} {m.body}" for m in mail.outbox]
    assert texts
    assert not [text for text in texts if MARKER in text or "Оқу жылдамдығы" in text or "MARKER-HEALTH" in text]
