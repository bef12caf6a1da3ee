"""The Django admin is the system administrator's tool: every registered model opens, and only for staff."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return factories.UserFactory(is_staff=True, is_superuser=True)


def _changelists():
    return [
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist")
        for m in admin.site._registry
        if m._meta.app_label in {"accounts", "students", "routes", "documents", "audit"}
    ]


def test_every_project_changelist_opens_with_a_bounded_number_of_queries(
    client, superuser, django_assert_max_num_queries
):
    for _ in range(15):
        factories.EnrolmentFactory()
        factories.TeachingAssignmentFactory()
        factories.RepresentationFactory()
    client.force_login(superuser)
    urls = _changelists()
    assert len(urls) >= 10
    for url in urls:
        with django_assert_max_num_queries(15):
            assert client.get(url).status_code == 200, url


def test_sysadmin_role_can_manage_reference_data(client, sysadmin):
    client.force_login(sysadmin)
    assert client.get(reverse("admin:students_course_changelist")).status_code == 200
    assert client.get(reverse("admin:students_course_add")).status_code == 200
    # The role holds no delete power: reference rows are retired, not deleted, to keep old documents whole.
    course = factories.CourseFactory()
    assert client.get(reverse("admin:students_course_delete", args=[course.pk])).status_code == 403


@pytest.mark.parametrize("name", ["student", "specialist", "centre_head", "lecturer", "administration", "auditor"])
def test_other_roles_are_kept_out_of_the_admin(client, request, name):
    client.force_login(request.getfixturevalue(name))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
