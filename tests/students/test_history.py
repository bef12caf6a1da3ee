"""Every change to reference data keeps who, when and what (django-simple-history)."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from inclusion_centre.history import acting_as
from tests.factories import AcademicTermFactory, CourseFactory, StudentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_changes_record_the_acting_user_outside_a_request():
    actor = UserFactory(full_name="Әкімші")
    course = CourseFactory(name_kk="Ескі атауы")
    with acting_as(actor):
        course.name_kk = "Жаңа атауы"
        course.save()
    latest, first = course.history.all()[:2]
    assert latest.history_user == actor
    assert latest.history_type == "~"
    assert first.history_user is None
    delta = latest.diff_against(first)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("name_kk", "Ескі атауы", "Жаңа атауы")]


def test_changes_through_a_request_record_the_signed_in_user(client, sysadmin):
    course = CourseFactory()
    client.force_login(sysadmin)
    response = client.post(
        f"/admin/students/course/{course.pk}/change/",
        {
            "external_id": course.external_id,
            "code": course.code,
            "name_kk": "Өзгертілген",
            "name_ru": "",
            "name_en": "",
            "credits": 6,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert course.history.first().history_user == sysadmin
    assert course.history.first().credits == 6


def test_user_history_never_stores_the_password_hash():
    user = UserFactory()
    assert not hasattr(user.history.first(), "password")


def test_student_year_of_study_is_checked_by_the_database():
    student = StudentFactory()
    student.year_of_study = 0
    with pytest.raises(IntegrityError), transaction.atomic():
        student.save()


def test_term_must_end_after_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        AcademicTermFactory(starts_on=datetime.date(2026, 9, 1), ends_on=datetime.date(2026, 8, 1))
