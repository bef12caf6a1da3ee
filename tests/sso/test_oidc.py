"""Issue #23: sign-in with an OpenID provider, against a real one in its own process (tests/sso/oidc_provider.py)."""

import json

import pytest
from django.contrib.auth.models import Group

from audit.models import AuditChainEntry
from inclusion_centre.accounts import oidc as oidc_module
from inclusion_centre.accounts.models import ExternalIdentity, User
from inclusion_centre.accounts.roles import Role
from tests import factories

from .conftest import query_of, sign_in_through

pytestmark = pytest.mark.django_db

CALLBACK = "/accounts/oidc/callback/"


def _user_of(client):
    return client.get("/accounts/me/").wsgi_request.user


def _claims(**extra):
    return {
        "sub": "uni-0001",
        "email": "aigerim@uni.test",
        "email_verified": True,
        "name": "Aigerim Seitkali",
        "groups": ["ic-centre-heads"],
        **extra,
    }


def test_the_sign_in_page_offers_one_button_in_the_readers_language(client, oidc, settings):
    settings.LANGUAGE_CODE = "en"
    page = client.get("/accounts/login/").content.decode()
    assert page.count('href="/accounts/oidc/start/') == 1
    assert "Sign in with UniID" in page
    client.cookies["language"] = "ru"
    assert "Войти через UniID" in client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()


def test_no_button_when_no_provider_is_configured(client, settings):
    settings.OIDC_ENABLED = False
    assert "/accounts/oidc/start/" not in client.get("/accounts/login/").content.decode()
    assert client.get("/accounts/oidc/start/").status_code == 404


def test_the_code_flow_uses_pkce_state_and_nonce_and_provisions_a_centre_head(client, oidc):
    oidc.will_sign_in(**_claims())
    start = client.get("/accounts/oidc/start/?next=/accounts/me/")
    sent = query_of(start["Location"])
    assert sent["code_challenge_method"] == "S256" and len(sent["code_challenge"]) == 43
    assert len(sent["state"]) >= 32 and len(sent["nonce"]) >= 32
    assert sent["redirect_uri"] == "http://testserver/accounts/oidc/callback/"
    back = oidc.authorize(start["Location"])
    answer = client.get(CALLBACK + "?" + back.split("?", 1)[1])
    assert answer.status_code == 302 and answer["Location"] == "/accounts/me/"
    # The provider checked the PKCE verifier against the challenge (it refuses the code otherwise).
    token_calls = [entry for entry in oidc.log() if entry["path"] == "/token"]
    assert len(token_calls[-1]["form"]["code_verifier"]) >= 43
    user = User.objects.get(email="aigerim@uni.test")
    assert _user_of(client) == user
    assert set(user.groups.values_list("name", flat=True)) == {Role.CENTRE_HEAD.value}
    assert not user.has_usable_password()
    link = ExternalIdentity.objects.get(user=user)
    assert (link.source, link.issuer, link.subject) == ("oidc", oidc.issuer, "uni-0001")
    entry = AuditChainEntry.objects.filter(kind=AuditChainEntry.Kind.EVENT).order_by("-pk").first()
    payload = entry.content if isinstance(entry.content, dict) else json.loads(entry.content)
    assert payload["source"] == f"oidc:{oidc.issuer}" and payload["actor"] is None
    assert payload["changes"]["groups"] == {"before": [], "after": [Role.CENTRE_HEAD.value]}


def test_a_later_sign_in_finds_the_link_and_removes_a_role_removed_at_the_provider(client, oidc):
    oidc.will_sign_in(**_claims(groups=["ic-centre-heads", "ic-lecturers"]))
    sign_in_through(client, oidc)
    user = User.objects.get(email="aigerim@uni.test")
    user.groups.add(Group.objects.get(name=Role.SPECIALIST.value))  # not a role the provider decides
    client.post("/accounts/logout/")
    # The e-mail changed at the provider and is no longer verified: the link (sub) still finds the same person.
    oidc.will_sign_in(**_claims(email="renamed@uni.test", email_verified=False, groups=["ic-lecturers"]))
    sign_in_through(client, oidc)
    assert _user_of(client) == user
    assert set(user.groups.values_list("name", flat=True)) == {Role.LECTURER.value, Role.SPECIALIST.value}


def test_a_student_is_matched_by_the_sis_id_claim_and_never_made(client, oidc):
    student = factories.StudentFactory(external_id="SIS-2002", user__email="dana@example.edu.kz").user
    oidc.will_sign_in(sub="stu-2002", email="other@students.uni.test", email_verified=True, student_id="SIS-2002")
    sign_in_through(client, oidc)
    assert _user_of(client) == student
    users = User.objects.count()
    client.post("/accounts/logout/")
    oidc.will_sign_in(sub="stu-3003", email="new@students.uni.test", email_verified=True, student_id="SIS-3003")
    answer, _ = sign_in_through(client, oidc)
    assert answer.status_code == 403
    assert User.objects.count() == users
    assert not _user_of(client).is_authenticated


def test_an_unverified_e_mail_naming_a_staff_member_does_not_sign_in_as_them(client, oidc, centre_head):
    oidc.will_sign_in(sub="attacker", email=centre_head.email, email_verified=False, groups=["ic-centre-heads"])
    answer, _ = sign_in_through(client, oidc)
    assert answer.status_code == 403
    assert "no account here" in answer.content.decode() or answer.templates[0].name == "accounts/signin_failed.html"
    assert not _user_of(client).is_authenticated
    assert not ExternalIdentity.objects.exists()
    assert User.objects.filter(email__iexact=centre_head.email).count() == 1


def test_a_verified_e_mail_matches_an_existing_account(client, oidc, lecturer):
    oidc.will_sign_in(sub="lect-1", email=lecturer.email.upper(), email_verified=True, groups=["ic-lecturers"])
    answer, _ = sign_in_through(client, oidc)
    assert answer.status_code == 302
    assert _user_of(client) == lecturer


def test_an_unknown_person_without_a_mapped_group_gets_no_account(client, oidc):
    oidc.will_sign_in(**_claims(groups=["library-readers"]))
    answer, _ = sign_in_through(client, oidc)
    assert answer.status_code == 403
    assert not User.objects.filter(email="aigerim@uni.test").exists()


@pytest.mark.parametrize("forge", ["wrong_key", "wrong_audience", "expired"])
def test_a_forged_id_token_is_refused(client, oidc, forge, settings):
    settings.LANGUAGE_CODE = "en"
    oidc.will_sign_in(forge=forge, **_claims())
    answer, _ = sign_in_through(client, oidc)
    assert answer.status_code == 400
    assert "could not be checked" in answer.content.decode()
    assert not _user_of(client).is_authenticated
    assert not User.objects.filter(email="aigerim@uni.test").exists()


def test_a_replayed_nonce_is_refused(client, oidc):
    # A token minted for an earlier sign-in (its nonce) cannot complete a new one.
    oidc.will_sign_in(**_claims())
    start = client.get("/accounts/oidc/start/")
    old_nonce = query_of(start["Location"])["nonce"]
    oidc.will_sign_in(forge=f"nonce:{old_nonce}", **_claims())
    answer, _ = sign_in_through(client, oidc)
    assert answer.status_code == 400
    assert not _user_of(client).is_authenticated


def test_a_replayed_callback_is_refused(client, oidc):
    oidc.will_sign_in(**_claims())
    first, callback = sign_in_through(client, oidc)
    assert first.status_code == 302
    client.post("/accounts/logout/")
    again = client.get(callback)
    assert again.status_code == 400
    assert not _user_of(client).is_authenticated


def test_a_state_mismatch_is_refused(client, oidc):
    oidc.will_sign_in(**_claims())
    start = client.get("/accounts/oidc/start/")
    back = oidc.authorize(start["Location"])
    params = query_of(back)
    answer = client.get(CALLBACK, {"code": params["code"], "state": params["state"] + "x"})
    assert answer.status_code == 400
    assert not _user_of(client).is_authenticated
    # A callback in a browser that never started a sign-in (another person's link) fails too.
    other = client_class_fresh(client)
    assert other.get(CALLBACK, {"code": params["code"], "state": params["state"]}).status_code == 400


def client_class_fresh(client):
    return type(client)()


def test_the_provider_down_gives_a_clear_page_and_passwords_still_work(client, oidc, settings, password):
    settings.OIDC_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    settings.LANGUAGE_CODE = "en"
    answer = client.get("/accounts/oidc/start/")
    assert answer.status_code == 503
    assert "UniID cannot be reached just now" in answer.content.decode()
    assert "you can still sign in with it" in answer.content.decode()
    user = factories.UserFactory(roles=[Role.SPECIALIST])
    assert client.post("/accounts/login/", {"username": user.email, "password": password}).status_code == 302
    assert _user_of(client) == user


def test_the_provider_down_in_russian(client, oidc, settings):
    settings.OIDC_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    client.cookies["language"] = "ru"
    answer = client.get("/accounts/oidc/start/")
    assert answer.status_code == 503
    assert "UniID сейчас недоступен" in answer.content.decode()


def test_a_provider_asserting_mfa_skips_our_totp_step(client, oidc, settings):
    settings.OTP_ENFORCE = True
    oidc.will_sign_in(**_claims(amr=["pwd", "mfa"]))
    sign_in_through(client, oidc)
    assert client.get("/").status_code == 200


def test_without_an_mfa_assertion_our_totp_step_applies(client, oidc, settings):
    settings.OTP_ENFORCE = True
    oidc.will_sign_in(**_claims(amr=["pwd"]))
    sign_in_through(client, oidc)
    home = client.get("/")
    assert home.status_code == 302 and home["Location"].startswith("/accounts/two-factor/set-up/")


def test_an_acr_value_can_count_as_mfa(client, oidc, settings):
    settings.OTP_ENFORCE = True
    settings.OIDC_MFA_ACR = ["https://refeds.org/profile/mfa"]
    oidc.will_sign_in(**_claims(acr="https://refeds.org/profile/mfa"))
    sign_in_through(client, oidc)
    assert client.get("/").status_code == 200


def test_sign_out_ends_our_session_and_the_providers(client, oidc):
    oidc.will_sign_in(**_claims())
    sign_in_through(client, oidc)
    answer = client.post("/accounts/logout/")
    assert answer.status_code == 302
    assert answer["Location"].startswith(f"{oidc.issuer}/logout?")
    sent = query_of(answer["Location"])
    assert sent["post_logout_redirect_uri"] == "http://testserver/accounts/login/"
    assert sent["client_id"] == "inclusion-centre" and sent["id_token_hint"].count(".") == 2
    assert not _user_of(client).is_authenticated


def test_sign_out_of_a_password_session_stays_here(client, oidc, password):
    user = factories.UserFactory(roles=[Role.SPECIALIST])
    client.post("/accounts/login/", {"username": user.email, "password": password})
    answer = client.post("/accounts/logout/")
    assert answer["Location"] == "/accounts/login/"


def test_discovery_naming_another_issuer_is_refused(oidc, settings):
    settings.OIDC_ISSUER = "https://login.example.org"
    with pytest.raises(oidc_module.ProviderUnavailable):
        oidc_module.provider_config()
