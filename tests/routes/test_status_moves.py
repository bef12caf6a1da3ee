"""Assessments, conclusions and agreements change status through audit.workflow.move(): each legal move writes a
StatusChange (who, from, to, comment) and an illegal one is refused with a translated message, changing nothing."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from audit.models import StatusChange
from audit.workflow import IllegalMove, move
from routes import services
from routes.models import Adaptation, Agreement, Assessment, Conclusion
from routes.workflow import AGREEMENT_ALLOWED, ASSESSMENT_ALLOWED, CONCLUSION_ALLOWED

from .conftest import agreement_of, send


def changes_of(obj) -> list[tuple[str, str, int | None, str]]:
    return list(
        StatusChange.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
        .order_by("pk")
        .values_list("from_status", "to_status", "actor_id", "comment")
    )


@pytest.fixture
def assessment(registered, specialist, centre_head):
    assignment = services.assignment_add(
        application=registered, specialist=specialist, area="cognitive", actor=centre_head
    )
    return services.assessment_save(
        assessment=assignment.assessment,
        actor=specialist,
        findings="Оқу жылдамдығы төмен.",
        strengths="",
        barriers="",
        adaptations=list(Adaptation.objects.filter(code="extra_time")),
        free_texts=[],
    )


def test_finishing_an_assessment_records_the_move(assessment, specialist):
    finished = services.assessment_finish(assessment=assessment, actor=specialist)
    assert finished.status == Assessment.Status.FINISHED and finished.finished_at is not None
    assert changes_of(assessment) == [("draft", "finished", specialist.pk, "")]


def test_finishing_a_finished_assessment_is_refused_and_changes_nothing(assessment, specialist):
    finished = services.assessment_finish(assessment=assessment, actor=specialist)
    with translation.override("ru"), pytest.raises(IllegalMove) as refused:
        services.assessment_finish(assessment=assessment, actor=specialist)
    assert refused.value.messages == ["Эту оценку сейчас нельзя завершить."]
    assessment.refresh_from_db()
    assert assessment.finished_at == finished.finished_at
    assert changes_of(assessment) == [("draft", "finished", specialist.pk, "")]


def test_the_assessment_table_refuses_going_back_to_draft(assessment, specialist):
    finished = services.assessment_finish(assessment=assessment, actor=specialist)
    with translation.override("kk"), pytest.raises(IllegalMove) as refused:
        move(instance=finished, to_status=Assessment.Status.DRAFT, allowed=ASSESSMENT_ALLOWED, actor=specialist)
    assert "Аяқталды" in refused.value.messages[0]
    finished.refresh_from_db()
    assert finished.status == Assessment.Status.FINISHED
    assert len(changes_of(finished)) == 1


def test_signing_a_conclusion_records_the_move(concluded, centre_head):
    conclusion = Conclusion.objects.get(application=concluded)
    assert conclusion.status == Conclusion.Status.SIGNED and conclusion.registration_number
    assert changes_of(conclusion) == [("draft", "signed", centre_head.pk, "")]


def test_signing_a_signed_conclusion_is_refused_and_changes_nothing(concluded, centre_head):
    conclusion = Conclusion.objects.get(application=concluded)
    number, signed_at = conclusion.registration_number, conclusion.signed_at
    with translation.override("en"), pytest.raises(IllegalMove) as refused:
        services.conclusion_sign(conclusion=conclusion, actor=centre_head)
    assert refused.value.messages == ["This conclusion is already signed."]
    with translation.override("ky"), pytest.raises(IllegalMove) as table:
        move(instance=conclusion, to_status=Conclusion.Status.DRAFT, allowed=CONCLUSION_ALLOWED, actor=centre_head)
    assert "Кол коюлду" in table.value.messages[0]
    conclusion.refresh_from_db()
    assert (conclusion.status, conclusion.registration_number, conclusion.signed_at) == ("signed", number, signed_at)
    assert len(changes_of(conclusion)) == 1


def test_answering_an_agreement_records_the_move(route, specialist, lecturer):
    sent = send(route, specialist)
    agreement = agreement_of(sent, lecturer)
    answered = services.agreement_answer(agreement=agreement, actor=lecturer, decision="agreed", comment="")
    assert answered.status == Agreement.Status.AGREED and answered.decided_at is not None
    assert changes_of(agreement) == [("pending", "agreed", lecturer.pk, "")]


def test_withdrawn_agreements_record_the_move_with_the_reason(route, specialist, lecturer, second_lecturer):
    sent = send(route, specialist)
    services.route_cancel(route=sent, actor=specialist, reason="Студент ауысты")
    for person in (lecturer, second_lecturer):
        agreement = Agreement.objects.get(route=sent, lecturer=person)
        assert agreement.status == Agreement.Status.WITHDRAWN
        assert changes_of(agreement) == [("pending", "withdrawn", specialist.pk, agreement.withdrawn_reason)]
        assert agreement.withdrawn_reason


def test_answering_an_answered_agreement_is_refused_and_changes_nothing(route, specialist, lecturer):
    sent = send(route, specialist)
    agreement = agreement_of(sent, lecturer)
    services.agreement_answer(agreement=agreement, actor=lecturer, decision="agreed", comment="")
    with translation.override("kk"), pytest.raises(IllegalMove) as table:
        move(instance=agreement, to_status=Agreement.Status.PENDING, allowed=AGREEMENT_ALLOWED, actor=lecturer)
    assert "Келісілді" in table.value.messages[0]
    with pytest.raises(IllegalMove):
        services.agreement_answer(agreement=agreement, actor=lecturer, decision="changes", comment="Басқаша")
    agreement.refresh_from_db()
    assert (agreement.status, agreement.comment) == (Agreement.Status.AGREED, "")
    assert changes_of(agreement) == [("pending", "agreed", lecturer.pk, "")]
