"""Issue #23: matching and provisioning rules (accounts/provisioning.py), without a provider in the way."""

import pytest

from inclusion_centre.accounts import provisioning
from inclusion_centre.accounts.models import ExternalIdentity, User
from inclusion_centre.accounts.roles import Role
from inclusion_centre.accounts.services import user_sync_provider_roles
from students.selectors import user_by_sis_id

pytestmark = pytest.mark.django_db

MANAGED = frozenset({Role.LECTURER.value, Role.CENTRE_HEAD.value})


def _assertion(**values):
    base = {"source": "oidc", "issuer": "https://idp.test", "subject": "p-1", "managed_roles": MANAGED}
    return provisioning.Assertion(**{**base, **values})


def test_the_students_app_registers_the_sis_id_matcher():
    assert user_by_sis_id in provisioning._MATCHERS["sis_id"]


def test_the_iin_matches_the_account_that_holds_it_before_any_e_mail(lecturer, specialist):
    lecturer.iin = "880101300111"
    lecturer.save(update_fields=["iin"])
    # The e-mail names someone else (verified, even): the IIN, a stable identifier, decides.
    assertion = _assertion(iin="880101300111", email=specialist.email, email_verified=True)
    assert provisioning.match(assertion) == lecturer
    assert provisioning.match(_assertion(iin="880101300199")) is None


def test_an_iin_held_by_two_accounts_matches_neither(lecturer, specialist):
    User.objects.filter(pk__in=[lecturer.pk, specialist.pk]).update(iin="880101300111")
    assert provisioning.match(_assertion(iin="880101300111")) is None


def test_a_verified_e_mail_does_not_take_an_account_linked_to_another_person_at_the_same_provider(lecturer):
    ExternalIdentity.objects.create(user=lecturer, source="oidc", issuer="https://idp.test", subject="p-original")
    with pytest.raises(provisioning.NoAccount) as refusal:
        provisioning.sign_in(_assertion(subject="p-other", email=lecturer.email, email_verified=True))
    assert refusal.value.reason == "linked_to_another"
    assert ExternalIdentity.objects.filter(user=lecturer).count() == 1


def test_a_new_staff_member_needs_a_verified_e_mail():
    with pytest.raises(provisioning.NoAccount) as refusal:
        provisioning.sign_in(_assertion(email="new@uni.test", roles=frozenset({Role.LECTURER.value})))
    assert refusal.value.reason == "no_verified_email"
    assert not User.objects.filter(email="new@uni.test").exists()


def test_a_student_role_alone_never_makes_an_account():
    with pytest.raises(provisioning.NoAccount):
        provisioning.sign_in(_assertion(email="s@uni.test", email_verified=True, roles=frozenset({Role.STUDENT.value})))
    assert not User.objects.filter(email="s@uni.test").exists()


def test_roles_from_groups_ignores_unknown_groups_and_roles():
    mapping = {"a": "lecturer", "b": "no-such-role", "c": "centre_head"}
    assert provisioning.roles_from_groups(["a", "b", "x", 7], mapping) == {"lecturer"}
    assert provisioning.roles_from_groups("c", mapping) == {"centre_head"}
    assert provisioning.roles_from_groups(None, mapping) == frozenset()


def test_the_role_sync_changes_only_the_managed_roles_and_refuses_unknown_ones(specialist):
    changes = user_sync_provider_roles(
        user=specialist, roles={Role.LECTURER.value}, managed=set(MANAGED), source="ldap:ldap://dc"
    )
    assert changes["groups"]["after"] == sorted([Role.LECTURER.value, Role.SPECIALIST.value])
    assert user_sync_provider_roles(user=specialist, roles={"lecturer"}, managed=set(MANAGED), source="x") == {}
    with pytest.raises(ValueError):
        user_sync_provider_roles(user=specialist, roles={"root"}, managed=set(MANAGED), source="x")
    assert set(specialist.groups.values_list("name", flat=True)) == {Role.LECTURER.value, Role.SPECIALIST.value}
