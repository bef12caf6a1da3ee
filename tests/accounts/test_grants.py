"""The object-grant backend (inclusion_centre/accounts/grants.py): one query per object and request, answers a
page read with its row, and grants changed by a service seen at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.functional import SimpleLazyObject

from inclusion_centre.accounts.grants import grant, prefetch_grants, remember_grant, revoke
from inclusion_centre.accounts.models import User
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_one_query_per_object_then_none(specialist):
    application = ApplicationFactory()
    grant(specialist, "students.view_application", application)
    with CaptureQueriesContext(connection) as asked:
        assert specialist.has_perm("students.view_application", application)
        assert not specialist.has_perm("students.view_application_status", application)
        assert not specialist.has_perm("students.assess_application", application)
    assert len(asked) == 1


def test_an_answer_read_with_the_row_costs_nothing_even_through_request_user(specialist):
    application = ApplicationFactory()
    lazy = SimpleLazyObject(lambda: specialist)  # what request.user is
    remember_grant(lazy, application, "view_application", True)
    with CaptureQueriesContext(connection) as asked:
        assert lazy.has_perm("students.view_application", application)
    assert len(asked) == 0


def test_a_page_of_objects_costs_one_query(specialist):
    applications = [ApplicationFactory() for _ in range(4)]
    grant(specialist, "students.view_application", applications[1])
    prefetch_grants(specialist, applications)
    with CaptureQueriesContext(connection) as asked:
        held = [specialist.has_perm("students.view_application", a) for a in applications]
    assert held == [False, True, False, False]
    assert len(asked) == 0


def test_a_grant_changed_elsewhere_is_seen_at_once(specialist):
    application = ApplicationFactory()
    assert not specialist.has_perm("students.view_application", application)
    grant(User.objects.get(pk=specialist.pk), "students.view_application", application)  # another instance
    assert specialist.has_perm("students.view_application", application)
    revoke(User.objects.get(pk=specialist.pk), "students.view_application", application)
    assert not specialist.has_perm("students.view_application", application)


def test_role_wide_permissions_do_not_count_as_object_grants(centre_head):
    application = ApplicationFactory()
    assert centre_head.has_perm("students.view_application")
    assert not centre_head.has_perm("students.view_application", application)


def test_inactive_users_hold_nothing():
    user = UserFactory(roles=["specialist"])
    application = ApplicationFactory()
    grant(user, "students.view_application", application)
    user.is_active = False
    assert not user.has_perm("students.view_application", application)
