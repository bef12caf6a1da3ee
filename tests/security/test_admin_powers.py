"""Nobody grants a power they do not hold (issue 20, finding 1): through every door of the admin site the system
administrator tries to make itself (or anyone) superuser, staff, a member of a role or the holder of a permission,
and nothing changes. A superuser's change of powers goes through one service, which chains it."""

import json
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import AuditChainEntry
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from inclusion_centre.accounts.services import powers_of, user_set_powers
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _user_form(user, **extra):
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "preferred_language": "kk",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "staff_profile-TOTAL_FORMS": "0",
        "staff_profile-INITIAL_FORMS": "0",
        "staff_profile-MIN_NUM_FORMS": "0",
        "staff_profile-MAX_NUM_FORMS": "1",
    }
    data.update(extra)
    return data


def _every_power():
    return {
        "is_superuser": "on",
        "is_staff": "on",
        "groups": list(Group.objects.values_list("pk", flat=True)),
        "user_permissions": list(Permission.objects.values_list("pk", flat=True)),
    }


@pytest.fixture
def sysadmin_client(client, sysadmin):
    client.force_login(sysadmin)
    return client


def test_the_system_administrator_cannot_make_itself_superuser(sysadmin_client, sysadmin):
    url = reverse("admin:accounts_user_change", args=[sysadmin.pk])
    before = powers_of(sysadmin)
    page = sysadmin_client.get(url).content.decode()
    for name in ("is_superuser", "is_staff", "groups", "user_permissions"):
        assert f'name="{name}"' not in page, name
    response = sysadmin_client.post(url, _user_form(sysadmin, **_every_power()))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert powers_of(User.objects.get(pk=sysadmin.pk)) == before
    assert not User.objects.get(pk=sysadmin.pk).has_perm("students.view_application")


def test_nor_give_powers_to_someone_else(sysadmin_client, student):
    before = powers_of(student)
    url = reverse("admin:accounts_user_change", args=[student.pk])
    sysadmin_client.post(url, _user_form(student, **_every_power()))
    assert powers_of(User.objects.get(pk=student.pk)) == before
    # A new account starts with no power whatever is posted.
    response = sysadmin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@example.edu.kz",
            "full_name": "Жаңа",
            "password1": "Ab1!long-enough-pass",
            "password2": "Ab1!long-enough-pass",
            **_every_power(),
            **{k: v for k, v in _user_form(student).items() if k.startswith("staff_profile")},
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = User.objects.get(email="new@example.edu.kz")
    assert powers_of(created) == {"is_superuser": False, "is_staff": False, "groups": [], "user_permissions": []}


@pytest.mark.parametrize("target", ["centre_head", "auditor", "superuser", "disabled centre head"])
def test_an_account_that_may_do_more_is_read_only_to_the_system_administrator(request, sysadmin_client, target):
    if target == "superuser":
        user = UserFactory(is_superuser=True, is_staff=True)
    elif target == "disabled centre head":
        user = UserFactory(roles=[Role.CENTRE_HEAD], is_active=False)
    else:
        user = request.getfixturevalue(target)
    email = user.email
    change = reverse("admin:accounts_user_change", args=[user.pk])
    assert sysadmin_client.get(change).status_code == 200  # shown, without a form to save
    assert sysadmin_client.post(change, _user_form(user, email="taken@example.edu.kz")).status_code == 403
    password = reverse("admin:auth_user_password_change", args=[user.pk]).replace("auth/user", "accounts/user")
    assert sysadmin_client.get(password).status_code == 403
    assert (
        sysadmin_client.post(password, {"password1": "x-Secret-123!", "password2": "x-Secret-123!"}).status_code == 403
    )
    user.refresh_from_db()
    assert user.email == email and user.check_password("x-Secret-123!") is False


def test_roles_cannot_be_changed_in_the_admin(sysadmin_client, sysadmin):
    group = Group.objects.get(name=Role.SYSADMIN)
    before = set(group.permissions.values_list("pk", flat=True))
    change = reverse("admin:auth_group_change", args=[group.pk])
    everything = list(Permission.objects.values_list("pk", flat=True))
    assert sysadmin_client.post(change, {"name": group.name, "permissions": everything}).status_code == 403
    assert (
        sysadmin_client.post(reverse("admin:auth_group_add"), {"name": "x", "permissions": everything}).status_code
        == 403
    )
    assert set(group.permissions.values_list("pk", flat=True)) == before
    assert not Group.objects.filter(name="x").exists()
    # Not even a superuser: the roles are code (roles.ROLE_PERMISSIONS).
    sysadmin_client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert sysadmin_client.post(change, {"name": group.name, "permissions": everything}).status_code == 403
    assert set(group.permissions.values_list("pk", flat=True)) == before


def test_permissions_have_no_admin_page(sysadmin_client):
    assert sysadmin_client.get("/admin/auth/permission/").status_code == 404
    assert sysadmin_client.get("/admin/auth/permission/add/").status_code == 404


def test_bulk_actions_change_no_power(sysadmin_client, sysadmin, centre_head, student):
    changelist = reverse("admin:accounts_user_changelist")
    page = sysadmin_client.get(changelist).content.decode()
    # The one bulk action the role holds on accounts sends invitations to set a first password: it grants nothing.
    offered = set(re.findall(r'<option value="([^"]*)"', page.split('name="action"', 1)[1].split("</select>", 1)[0]))
    assert offered <= {"", "send_invitation"}
    for action in ("delete_selected", "make_superuser", "send_invitation"):
        response = sysadmin_client.post(
            changelist,
            {"action": action, "_selected_action": [sysadmin.pk, centre_head.pk, student.pk], "post": "yes"},
        )
        assert response.status_code in (200, 302, 403)
    assert User.objects.filter(pk__in=[sysadmin.pk, centre_head.pk, student.pk]).count() == 3
    assert not User.objects.filter(is_superuser=True).exists()
    groups = Group.objects.get(name=Role.SYSADMIN)
    response = sysadmin_client.post(
        reverse("admin:auth_group_changelist"),
        {"action": "delete_selected", "_selected_action": [groups.pk], "post": "yes"},
    )
    assert Group.objects.filter(pk=groups.pk).exists()


def test_a_superuser_changes_powers_through_the_one_service_which_chains_it(client, student):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    head = Group.objects.get(name=Role.CENTRE_HEAD)
    url = reverse("admin:accounts_user_change", args=[student.pk])
    response = client.post(url, _user_form(student, groups=[head.pk]))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert powers_of(User.objects.get(pk=student.pk))["groups"] == [Role.CENTRE_HEAD.value]
    entry = AuditChainEntry.objects.filter(kind=AuditChainEntry.Kind.EVENT).order_by("-seq").first()
    content = json.loads(entry.content)
    assert content["event"] == "powers_changed"
    assert content["user"] == student.pk and content["actor"] == superuser.pk
    assert content["changes"]["groups"]["after"] == [Role.CENTRE_HEAD.value]
    assert student.history.order_by("-history_id").first().history_user_id == superuser.pk


def test_the_service_refuses_anyone_but_a_superuser(sysadmin, student):
    with pytest.raises(PermissionDenied):
        user_set_powers(user=sysadmin, actor=sysadmin, is_superuser=True)
    with pytest.raises(PermissionDenied):
        user_set_powers(user=student, actor=sysadmin, groups=list(Group.objects.all()))
    assert not User.objects.get(pk=sysadmin.pk).is_superuser
    assert powers_of(student)["groups"] == [Role.STUDENT.value] or powers_of(student)["groups"] == []
