"""A concluded case whose student takes two courses taught by two lecturers: where a route starts."""

import pytest

from routes import services
from routes.models import Adaptation
from tests.factories import CourseFactory, EnrolmentFactory, TeachingAssignmentFactory, UserFactory

HEALTH = "MARKER-FINDINGS"


@pytest.fixture
def second_lecturer(db, term):
    return UserFactory(roles=["lecturer"], full_name="Оқытушы Екінші")


@pytest.fixture
def courses(student, lecturer, second_lecturer, term):
    """The lecturer's course and one of the second lecturer's; the student is enrolled in both."""
    first = lecturer.teaching_assignments.get(term=term).course
    second = CourseFactory(name_kk="Математика", name_en="Mathematics")
    TeachingAssignmentFactory(lecturer=second_lecturer, course=second, term=term)
    for course in (first, second):
        EnrolmentFactory(student=student.student, course=course, term=term)
    return first, second


@pytest.fixture
def concluded(registered, specialist, centre_head, courses):
    assignment = services.assignment_add(
        application=registered, specialist=specialist, area="cognitive", actor=centre_head
    )
    services.assessment_save(
        assessment=assignment.assessment,
        actor=specialist,
        findings=f"Оқу жылдамдығы төмен. {HEALTH}",
        strengths="",
        barriers="",
        adaptations=list(Adaptation.objects.filter(code__in=["extra_time", "large_print", "psychologist", "breaks"])),
        free_texts=[],
    )
    services.assessment_finish(assessment=assignment.assessment, actor=specialist)
    conclusion = services.conclusion_draft(application=registered, actor=specialist)
    services.conclusion_update(
        conclusion=conclusion,
        actor=specialist,
        analysis=f"Талдау. {HEALTH}",
        support_level="2",
        revision_reason="",
        keep_items=list(conclusion.items.values_list("pk", flat=True)),
    )
    services.conclusion_sign(conclusion=conclusion, actor=centre_head)
    registered.refresh_from_db()
    return registered


@pytest.fixture
def route(concluded, specialist, term):
    """A complete draft with two sections."""
    route = services.route_draft(application=concluded, actor=specialist, academic_year=term.academic_year, term=term)
    return services.route_update(route=route, actor=specialist, revision=route.revision, goals="Оқу нәтижелеріне жету")


def send(route, actor):
    route.refresh_from_db()
    return services.route_send_for_agreement(route=route, actor=actor, revision=route.revision)


def agreement_of(route, lecturer):
    return route.agreements.get(lecturer=lecturer, status="pending")


@pytest.fixture
def in_approval(route, specialist, lecturer, second_lecturer):
    sent = send(route, specialist)
    for person in (lecturer, second_lecturer):
        services.agreement_answer(agreement=agreement_of(sent, person), actor=person, decision="agreed", comment="")
    sent.refresh_from_db()
    return sent


@pytest.fixture
def in_force(in_approval, administration):
    return services.route_approve(route=in_approval, actor=administration)
