"""Every object grant is a django-guardian row the service writes when its fact begins and removes when it ends
(inclusion_centre/accounts/grants.py), and the migration writes the grants that rows already there imply."""

import importlib

import pytest

from routes import services
from routes.grant_facts import grant_from_facts
from routes.models import (
    AssessmentUserObjectPermission,
    RouteSectionUserObjectPermission,
    RouteUserObjectPermission,
    TeamMeetingUserObjectPermission,
)
from students.models import ApplicationUserObjectPermission, Representation, StudentUserObjectPermission
from tests.factories import RepresentationFactory, UserFactory

from .conftest import agreement_of, send

pytestmark = pytest.mark.django_db


def _held(model, user, obj) -> set[str]:
    return set(model.objects.filter(user=user, content_object=obj).values_list("permission__codename", flat=True))


def _on_case(user, application) -> set[str]:
    return _held(ApplicationUserObjectPermission, user, application)


def test_an_assignment_grants_the_case_and_the_assessment_until_it_ends(registered, specialist, centre_head):
    first = services.assignment_add(application=registered, specialist=specialist, area="cognitive", actor=centre_head)
    second = services.assignment_add(application=registered, specialist=specialist, area="social", actor=centre_head)
    assert _on_case(specialist, registered) == {"view_application", "assess_application"}
    assert _held(AssessmentUserObjectPermission, specialist, first.assessment) == {"edit_assessment"}
    assert specialist.has_perm("students.assess_application", registered)
    assert specialist.has_perm("routes.edit_assessment", first.assessment)

    services.assignment_end(assignment=first, actor=centre_head)
    # Another area keeps them on the case; the ended assessment is no longer theirs to write.
    assert _on_case(specialist, registered) == {"view_application", "assess_application"}
    assert _held(AssessmentUserObjectPermission, specialist, first.assessment) == set()
    assert not specialist.has_perm("routes.edit_assessment", first.assessment)

    services.assignment_end(assignment=second, actor=centre_head)
    assert _on_case(specialist, registered) == set()
    assert _held(AssessmentUserObjectPermission, specialist, second.assessment) == set()
    assert not specialist.has_perm("students.assess_application", registered)
    assert not specialist.has_perm("students.view_application", registered)


def test_a_section_sent_for_agreement_grants_its_lecturer_until_they_answer(route, specialist, lecturer):
    sent = send(route, specialist)
    agreement = agreement_of(sent, lecturer)
    assert _held(RouteSectionUserObjectPermission, lecturer, agreement.section) == {"agree_routesection"}
    assert _held(RouteUserObjectPermission, lecturer, sent) == {"view_route"}
    assert lecturer.has_perm("routes.agree_routesection", agreement.section)
    others = sent.sections.exclude(pk=agreement.section_id)
    assert all(not lecturer.has_perm("routes.agree_routesection", section) for section in others)

    services.agreement_answer(agreement=agreement, actor=lecturer, decision="agreed", comment="")
    assert _held(RouteSectionUserObjectPermission, lecturer, agreement.section) == set()
    assert not lecturer.has_perm("routes.agree_routesection", agreement.section)
    # A lecturer once asked keeps reading the general part and their section.
    assert lecturer.has_perm("routes.view_route", sent)


def test_a_withdrawn_agreement_takes_the_grant_to_agree_away(route, specialist, lecturer, second_lecturer):
    sent = send(route, specialist)
    sections = {person: agreement_of(sent, person).section for person in (lecturer, second_lecturer)}
    services.route_cancel(route=sent, actor=specialist, reason="Студент оқудан шықты")
    for person, section in sections.items():
        assert _held(RouteSectionUserObjectPermission, person, section) == set()
        assert not person.has_perm("routes.agree_routesection", section)


def test_an_invitation_grants_the_meeting_until_the_member_is_taken_off(planned, centre_head):
    colleague = UserFactory(roles=["specialist"], full_name="Маман Шақырылған")
    assert not colleague.has_perm("routes.view_teammeeting", planned)
    member = services.meeting_member_add(meeting=planned, actor=centre_head, user=colleague)
    assert _held(TeamMeetingUserObjectPermission, colleague, planned) == {"view_teammeeting"}
    assert colleague.has_perm("routes.view_teammeeting", planned)

    services.meeting_member_remove(member=member, actor=centre_head)
    assert _held(TeamMeetingUserObjectPermission, colleague, planned) == set()
    assert not colleague.has_perm("routes.view_teammeeting", planned)


def test_planning_grants_every_member_the_meeting(planned, centre_head, secretary, specialist, representative):
    for user in (centre_head, secretary, specialist, representative):
        assert _held(TeamMeetingUserObjectPermission, user, planned) == {"view_teammeeting"}, user


def test_a_student_is_granted_their_own_application(draft, student, representative):
    assert _on_case(student, draft) == {"view_application"}
    assert _on_case(representative, draft) == {"view_application"}


def test_a_representation_grants_the_student_and_their_applications_while_it_lasts(draft, student):
    parent = RepresentationFactory(student=student.student).representative
    assert _held(StudentUserObjectPermission, parent, student.student) == {"act_for_student"}
    assert _on_case(parent, draft) == {"view_application"}
    assert parent.has_perm("students.act_for_student", student.student)

    Representation.objects.get(representative=parent).delete()
    assert _held(StudentUserObjectPermission, parent, student.student) == set()
    assert _on_case(parent, draft) == set()
    assert not parent.has_perm("students.act_for_student", student.student)


def test_a_representation_moved_to_another_person_moves_its_grants(draft, student, representative):
    successor = UserFactory(roles=["representative"], full_name="Қамқоршы Жаңа")
    representation = Representation.objects.get(representative=representative)
    representation.representative = successor
    representation.save()
    assert _held(StudentUserObjectPermission, representative, student.student) == set()
    assert _on_case(representative, draft) == set()
    assert _held(StudentUserObjectPermission, successor, student.student) == {"act_for_student"}
    assert _on_case(successor, draft) == {"view_application"}


def _everything_granted():
    models = (
        StudentUserObjectPermission,
        ApplicationUserObjectPermission,
        AssessmentUserObjectPermission,
        RouteUserObjectPermission,
        RouteSectionUserObjectPermission,
        TeamMeetingUserObjectPermission,
    )
    return {
        (model.__name__, user, pk, codename)
        for model in models
        for user, pk, codename in model.objects.values_list("user_id", "content_object_id", "permission__codename")
    }


def _regrant_by_migration(migrated_apps) -> None:
    """Delete every grant (rows as they were before grants existed), then run the data migration."""
    for model in (
        StudentUserObjectPermission,
        ApplicationUserObjectPermission,
        AssessmentUserObjectPermission,
        RouteUserObjectPermission,
        RouteSectionUserObjectPermission,
        TeamMeetingUserObjectPermission,
    ):
        model.objects.all().delete()
    assert _everything_granted() == set()
    importlib.import_module("routes.migrations.0006_grants_from_facts").grant(migrated_apps, None)


def test_the_migration_grants_what_a_case_with_a_meeting_implies(planned, specialist, lecturer, _migrated_apps):
    """Rows written before the grants existed get them from the data migration, the same as services write them."""
    written_by_services = _everything_granted()
    expected = {"view_application", "assess_application", "edit_assessment", "view_route", "view_teammeeting"}
    assert expected | {"act_for_student"} <= {codename for *_rest, codename in written_by_services}
    _regrant_by_migration(_migrated_apps)
    assert _everything_granted() == written_by_services
    assert specialist.has_perm("students.assess_application", planned.items.first().route.application)
    assert lecturer.has_perm("routes.view_teammeeting", planned)


def test_the_migration_grants_the_pending_agreements(route, specialist, lecturer, _migrated_apps):
    sent = send(route, specialist)
    written_by_services = _everything_granted()
    assert "agree_routesection" in {codename for *_rest, codename in written_by_services}
    _regrant_by_migration(_migrated_apps)
    assert _everything_granted() == written_by_services
    assert lecturer.has_perm("routes.agree_routesection", agreement_of(sent, lecturer).section)


def test_writing_the_grants_again_changes_nothing(route, specialist):
    from django.apps import apps

    send(route, specialist)
    before = _everything_granted()
    grant_from_facts(apps.get_model)
    assert _everything_granted() == before
