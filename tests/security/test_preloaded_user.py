"""The user, their authenticator and their unread count read with the session (accounts/preload.py): one query
where there were four, and every decision the separate reads made still made the same way."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from inclusion_centre.accounts.models import Notification
from inclusion_centre.accounts.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

HOME = reverse("home")
ACCOUNT = reverse("accounts:account")
VERIFY = reverse("accounts:two_factor_verify")


@pytest.fixture(autouse=True)
def _enforced(settings):
    settings.OTP_ENFORCE = True


def _verified(client, user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    response = client.post(VERIFY, {"code": f"{totp.token():0{device.digits}d}"})
    assert response.status_code == 302, response.content.decode()[:300]
    return device


def _statements(client, url) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, [query["sql"] for query in queries.captured_queries]


def test_the_session_user_authenticator_and_unread_count_are_one_query(client):
    user = UserFactory(roles=[Role.SPECIALIST])
    _verified(client, user)
    Notification.objects.create(recipient=user, subject="s", body="b")
    client.get(ACCOUNT)  # warm up
    response, statements = _statements(client, ACCOUNT)
    assert response.status_code == 200
    assert response.context["unread_notification_count"] == 1
    reads = [sql for sql in statements if "accounts_usersession" in sql]
    assert len(reads) == 1 and "accounts_user" in reads[0] and "otp_totp_totpdevice" in reads[0]
    assert not [sql for sql in statements if sql.startswith('SELECT "accounts_user"."id"')]
    assert not [sql for sql in statements if sql.startswith('SELECT "otp_totp_totpdevice"')]
    assert "auth_group" in reads[0]  # the roles and permissions too (accounts/preload.py)
    assert not [sql for sql in statements if sql.startswith("SELECT g.name")]
    assert response.wsgi_request.user.role_names == frozenset({"specialist"})
    assert response.wsgi_request.user.has_perm("routes.view_adaptation")
    assert not response.wsgi_request.user.has_perm("routes.manage_route")
    others = [sql for sql in statements if sql not in reads]
    assert not [sql for sql in others if 'FROM "accounts_notification"' in sql and "COUNT" in sql]


def test_a_deleted_authenticator_unverifies_the_session_at_the_next_request(client):
    user = UserFactory(roles=[Role.SPECIALIST])
    device = _verified(client, user)
    assert client.get(HOME).status_code == 200
    device.delete()
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:two_factor_enrol"))


def test_an_unconfirmed_authenticator_does_not_verify(client):
    user = UserFactory(roles=[Role.SPECIALIST])
    device = _verified(client, user)
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
    response = client.get(HOME)
    assert response.status_code == 302


def test_a_disabled_user_is_signed_out_at_the_next_request(client):
    user = UserFactory(roles=[Role.STUDENT])
    client.force_login(user)
    assert client.get(ACCOUNT).status_code == 200
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    response = client.get(ACCOUNT)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_changed_password_ends_the_session(client):
    user = UserFactory(roles=[Role.STUDENT])
    client.force_login(user)
    assert client.get(ACCOUNT).status_code == 200
    user.set_password("another-long-passphrase-" + str(time.time()))
    user.save()
    response = client.get(ACCOUNT)
    assert response.status_code == 302


def test_the_menu_counts_again_after_a_notification_is_read(client):
    user = UserFactory(roles=[Role.STUDENT])
    client.force_login(user)
    first = Notification.objects.create(recipient=user, subject="one", body="b")
    Notification.objects.create(recipient=user, subject="two", body="b")
    assert client.get(ACCOUNT).context["unread_notification_count"] == 2
    response = client.post(reverse("accounts:notification_read", args=[first.pk]), follow=True)
    assert response.status_code == 200
    assert response.context["unread_notification_count"] == 1


def test_a_role_taken_away_counts_from_the_next_request(client, settings):
    settings.OTP_ENFORCE = False
    user = UserFactory(roles=[Role.CENTRE_HEAD])
    client.force_login(user)
    assert client.get(reverse("students:inbox")).status_code == 200
    user.groups.clear()
    assert client.get(reverse("students:inbox")).status_code == 404


def test_own_permissions_and_a_group_without_permissions_are_read_as_before(client):
    from django.contrib.auth.models import Group, Permission

    user = UserFactory(roles=[])
    user.groups.add(Group.objects.create(name="no permissions"))
    user.user_permissions.add(Permission.objects.get(codename="view_application", content_type__app_label="students"))
    client.force_login(user)
    request_user = client.get(ACCOUNT).wsgi_request.user
    assert request_user.role_names == frozenset({"no permissions"})
    assert request_user.has_perm("students.view_application")
    assert not request_user.has_perm("students.change_application")
