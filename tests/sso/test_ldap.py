"""Issue #23: sign-in with the university's directory, against a real slapd (StartTLS, bind, search, groups)."""

import json

import ldap
import pytest

from audit.models import AuditChainEntry
from inclusion_centre.accounts.ldap import DirectoryBackend
from inclusion_centre.accounts.models import ExternalIdentity, User
from inclusion_centre.accounts.roles import Role
from tests import factories

from .conftest import SUFFIX, _certificate

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _post(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def _signed_in_user(client):
    return client.get("/accounts/me/").wsgi_request.user


def test_a_new_centre_head_gets_an_account_with_the_role_their_group_maps_to(client, ldap_settings):
    answer = _post(client, "aigerim", "directory-pass-1")
    assert answer.status_code == 302, answer.content.decode()
    user = User.objects.get(email="aigerim@uni.test")
    assert user.full_name == "Aigerim Seitkali"
    assert not user.has_usable_password()
    assert set(user.groups.values_list("name", flat=True)) == {Role.CENTRE_HEAD.value}
    link = ExternalIdentity.objects.get(user=user)
    assert (link.source, link.subject) == ("ldap", f"uid=aigerim,ou=people,{SUFFIX}")
    assert _signed_in_user(client) == user
    # The role given by the directory is in the audit chain, with the directory as its source and no actor.
    entry = AuditChainEntry.objects.filter(kind=AuditChainEntry.Kind.EVENT).order_by("-pk").first()
    payload = json.loads(entry.content) if isinstance(entry.content, str) else entry.content
    assert payload["event"] == "powers_changed"
    assert payload["user"] == user.pk and payload["actor"] is None
    assert payload["source"] == f"ldap:{ldap_settings.uri}"
    assert payload["changes"]["groups"]["after"] == [Role.CENTRE_HEAD.value]


def test_an_existing_lecturer_is_matched_by_the_directory_e_mail_and_keeps_other_roles(client, ldap_settings):
    marat = factories.UserFactory(email="marat@uni.test", roles=[Role.SPECIALIST])
    assert _post(client, "marat", "directory-pass-2").status_code == 302
    assert User.objects.filter(email__iexact="marat@uni.test").count() == 1
    # lecturer from the directory; specialist is not a role the directory decides, so it stays
    assert set(marat.groups.values_list("name", flat=True)) == {Role.SPECIALIST.value, Role.LECTURER.value}
    assert _signed_in_user(client) == marat


def test_a_role_removed_in_the_directory_is_removed_at_the_next_sign_in(client, ldap_settings):
    marat = factories.UserFactory(email="marat@uni.test", roles=[Role.LECTURER, Role.CENTRE_HEAD])
    assert _post(client, "marat", "directory-pass-2").status_code == 302
    # The directory lists marat among the lecturers only: the centre head role it manages goes.
    assert set(marat.groups.values_list("name", flat=True)) == {Role.LECTURER.value}


def test_a_student_is_matched_by_the_sis_id_and_never_made(client, ldap_settings):
    student = factories.StudentFactory(external_id="SIS-1001", user__email="dana@example.edu.kz").user
    users_before = User.objects.count()
    assert _post(client, "s1001", "directory-pass-3").status_code == 302
    assert User.objects.count() == users_before
    assert _signed_in_user(client) == student
    assert ExternalIdentity.objects.get(user=student).subject == f"uid=s1001,ou=people,{SUFFIX}"


def test_a_student_unknown_to_the_import_gets_no_account(client, ldap_settings):
    answer = _post(client, "s1001", "directory-pass-3")
    assert answer.status_code == 422
    assert not User.objects.filter(email="s1001@students.uni.test").exists()
    assert "no account here yet" in answer.content.decode() or "аккаунт" in answer.content.decode().lower()


def test_someone_in_no_mapped_group_gets_no_account(client, ldap_settings):
    assert _post(client, "visitor", "directory-pass-4").status_code == 422
    assert not User.objects.filter(email="visitor@uni.test").exists()
    assert not ExternalIdentity.objects.exists()


def test_a_wrong_directory_password_signs_nobody_in(client, ldap_settings):
    assert _post(client, "aigerim", "wrong").status_code == 422
    assert not User.objects.filter(email="aigerim@uni.test").exists()


@pytest.mark.parametrize(
    "username",
    ["*", "aig*", "aigerim)(uid=*", "*)(|(uid=*", f"uid=aigerim,ou=people,{SUFFIX}", "aigerim\x00", "\\2a"],
)
def test_ldap_injection_in_the_user_name_matches_nobody(client, ldap_settings, username, rf):
    assert DirectoryBackend().authenticate(rf.post(LOGIN), username=username, password="directory-pass-1") is None
    assert _post(client, username, "directory-pass-1").status_code == 422
    assert not User.objects.filter(email="aigerim@uni.test").exists()


def test_starttls_with_a_certificate_not_trusted_signs_nobody_in(client, ldap_settings, settings, tmp_path):
    # A certificate authority that did not sign the directory's certificate: StartTLS fails, nothing is sent.
    other_ca, _key = _certificate(tmp_path)
    options = dict(settings.AUTH_LDAP_CONNECTION_OPTIONS)
    options.pop(ldap.OPT_X_TLS_NEWCTX)
    options[ldap.OPT_X_TLS_CACERTFILE] = str(other_ca)
    options[ldap.OPT_X_TLS_NEWCTX] = 0
    settings.AUTH_LDAP_CONNECTION_OPTIONS = options
    settings.LANGUAGE_CODE = "en"
    answer = _post(client, "aigerim", "directory-pass-1")
    assert answer.status_code == 422
    # Had StartTLS been skipped, the password would have been sent in the clear and accepted.
    assert "directory cannot be reached" in answer.content.decode()
    assert not User.objects.filter(email="aigerim@uni.test").exists()


def test_directory_down_says_so_and_a_local_password_still_works(client, ldap_settings, settings, password):
    settings.LDAP_SERVER_URI = settings.AUTH_LDAP_SERVER_URI = "ldap://127.0.0.1:9"  # nothing listens there
    settings.LANGUAGE_CODE = "en"
    answer = _post(client, "aigerim", "directory-pass-1")
    assert answer.status_code == 422
    assert "directory cannot be reached" in answer.content.decode()
    local = factories.UserFactory(email="local@example.edu.kz", roles=[Role.SPECIALIST])
    assert _post(client, local.email, password).status_code == 302
    assert _signed_in_user(client) == local


def test_local_password_sign_in_can_be_switched_off_per_role(client, ldap_settings, settings, password):
    settings.LOCAL_SIGNIN_DISABLED_ROLES = [Role.LECTURER.value]
    settings.LANGUAGE_CODE = "en"
    lecturer = factories.UserFactory(email="lect@example.edu.kz", roles=[Role.LECTURER])
    answer = _post(client, lecturer.email, password)
    assert answer.status_code == 422
    assert "signs in with the university account" in answer.content.decode()
    assert not _signed_in_user(client).is_authenticated
    # Another role still signs in with its password; and the lecturer through the directory does too.
    specialist = factories.UserFactory(email="spec@example.edu.kz", roles=[Role.SPECIALIST])
    assert _post(client, specialist.email, password).status_code == 302
    client.post("/accounts/logout/")
    factories.UserFactory(email="marat@uni.test", roles=[Role.LECTURER])
    assert _post(client, "marat", "directory-pass-2").status_code == 302


def test_directory_sign_in_still_asks_for_our_second_factor(client, ldap_settings, settings):
    settings.OTP_ENFORCE = True
    assert _post(client, "aigerim", "directory-pass-1").status_code == 302
    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"].startswith("/accounts/two-factor/set-up/")
