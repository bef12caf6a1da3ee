"""Two-step sign-in for staff who read personal data, recovery codes, session limits, a new session key at sign-in
and disabled accounts signed out at once."""

import re
import time

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from inclusion_centre.accounts import two_factor
from inclusion_centre.accounts.models import User, UserSession
from inclusion_centre.accounts.roles import Role
from inclusion_centre.accounts.signals import LAST_SEEN_SESSION_KEY, LOGIN_AT_SESSION_KEY
from inclusion_centre.outbox.models import OutboxMessage
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
HOME = reverse("home")
ENROL = reverse("accounts:two_factor_enrol")
CHECK = reverse("accounts:two_factor_enrol_check")
VERIFY = reverse("accounts:two_factor_verify")
CODES = reverse("accounts:two_factor_recovery_codes")


@pytest.fixture(autouse=True)
def _enforced(settings):
    # The rest of the suite runs with the second step off (it signs in with force_login); here it is on.
    settings.OTP_ENFORCE = True


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _sign_in(client, user, address="10.1.1.1"):
    response = client.post(LOGIN, {"username": user.email, "password": PASSWORD}, REMOTE_ADDR=address)
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def _code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def _emailed_code(client, django_capture_on_commit_callbacks) -> str:
    """Ask for the set-up code by e-mail (through the outbox) and read it from the e-mail sent."""
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(CHECK, {"send": "1"}).status_code == 302
    assert len(mail.outbox) == sent + 1
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def _prove(client, django_capture_on_commit_callbacks) -> None:
    """The step before setting up an app: the e-mailed code."""
    code = _emailed_code(client, django_capture_on_commit_callbacks)
    response = client.post(CHECK, {"code": code})
    assert response.status_code == 302 and response["Location"].startswith(ENROL), response


def _enrolled(user) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return device, two_factor.new_recovery_codes(user=user)


# --- Who is asked ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("roles", "is_staff", "required"),
    [
        ([Role.SPECIALIST], False, True),
        ([Role.CENTRE_HEAD], False, True),
        ([Role.LECTURER], False, True),
        ([Role.ADMINISTRATION], False, True),
        ([Role.AUDITOR], False, True),
        ([Role.SYSADMIN], True, True),
        ([], True, True),  # a Django admin user without a role
        ([Role.STUDENT], False, False),
        ([Role.REPRESENTATIVE], False, False),
        ([], False, False),
    ],
)
def test_every_staff_role_that_reads_personal_data_needs_the_second_step(roles, is_staff, required):
    user = UserFactory(roles=roles, is_staff=is_staff)
    assert two_factor.is_required(User.objects.get(pk=user.pk)) is required


def test_enforcement_can_be_switched_off(settings, client, specialist):
    settings.OTP_ENFORCE = False
    _sign_in(client, specialist)
    assert client.get(HOME).status_code == 200


def test_a_student_is_not_asked(client, student):
    _sign_in(client, student)
    assert client.get(HOME).status_code == 200
    assert not TOTPDevice.objects.filter(user=student).exists()


# --- Enrolment ---------------------------------------------------------------------------------------------------


def test_staff_without_a_device_reach_only_the_set_up_page(en, specialist, student):
    _sign_in(en, specialist)
    for path in (HOME, reverse("accounts:account"), reverse("students:inbox"), "/admin/", reverse("routes:reports")):
        response = en.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(ENROL + "?next="), path
    # A POST elsewhere is refused as well, not performed.
    assert en.post(reverse("accounts:account"), {"preferred_language": "ru"}).status_code == 302
    specialist.refresh_from_db()
    assert specialist.preferred_language == "kk"
    # What stays open: the two-step pages, the language switch, static files, the health check and sign-out.
    assert en.get(ENROL)["Location"].startswith(CHECK)
    assert en.get(CHECK).status_code == 200
    assert en.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert en.get("/static/css/app.css").status_code == 200
    assert en.get(reverse("healthz")).status_code in (200, 503)
    assert en.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in en.session


def test_set_up_shows_a_qr_code_and_the_key_then_recovery_codes_once(
    en, specialist, django_capture_on_commit_callbacks
):
    _sign_in(en, specialist)
    _prove(en, django_capture_on_commit_callbacks)
    page = en.get(ENROL + "?next=/centre/inbox/")
    content = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in content and 'class="qr-code"' in content  # drawn inline, no image request, no data: URI
    device = TOTPDevice.objects.get(user=specialist, confirmed=False)
    assert two_factor.secret_for_typing(device) in content
    # The key survives a reload until it is confirmed (the phone may already have scanned it).
    en.get(ENROL)
    assert TOTPDevice.objects.filter(user=specialist).count() == 1

    response = en.post(ENROL, {"code": _code(device), "next": "/centre/inbox/"})
    assert response.status_code == 302 and response["Location"] == CODES
    device.refresh_from_db()
    assert device.confirmed
    shown = en.get(CODES).content.decode()
    codes = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", shown)
    assert len(codes) == settings.OTP_RECOVERY_CODES == 10
    assert {c.replace("-", "") for c in codes} == set(
        StaticToken.objects.filter(device__user=specialist).values_list("token", flat=True)
    )
    assert 'href="/centre/inbox/"' in shown
    # Shown once: the next visit only counts them.
    again = en.get(CODES).content.decode()
    assert not re.findall(r"<code>[a-z2-7]{4}-[a-z2-7]{4}</code>", again)
    assert "You have 10 unused recovery codes." in again
    # The session has passed the second step.
    assert en.get(HOME).status_code == 200


def test_a_wrong_set_up_code_is_refused_next_to_the_field(client, specialist, django_capture_on_commit_callbacks):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    _sign_in(client, specialist)
    _prove(client, django_capture_on_commit_callbacks)
    client.get(ENROL)
    response = client.post(ENROL, {"code": "000000"})
    assert response.status_code == 422
    content = response.content.decode()
    assert 'class="error-summary"' in content
    assert 'aria-invalid="true"' in content
    assert '<html lang="ru">' in content
    assert 'href="#id_code"' in content and "Код неверный" in content
    assert not TOTPDevice.objects.filter(user=specialist, confirmed=True).exists()
    assert client.get(HOME).status_code == 302


def test_setting_up_an_app_takes_more_than_the_password(en, specialist):
    _sign_in(en, specialist)
    for response in (en.get(ENROL), en.post(ENROL, {"code": "123456"})):
        assert response.status_code == 302 and response["Location"].startswith(CHECK)
    page = en.get(CHECK)
    assert page.status_code == 200
    assert 'class="qr-code"' not in page.content.decode() and "secret-key" not in page.content.decode()
    # No key was made for someone who only knows the password, and nothing was confirmed.
    assert not TOTPDevice.objects.filter(user=specialist).exists()
    for code in ("123456", "abcdefgh", ""):
        assert en.post(CHECK, {"code": code}).status_code == 422
    assert en.get(ENROL)["Location"].startswith(CHECK)


def _lost_authenticator(user, *, codes_too: bool) -> list[str]:
    """An enrolled user whose app the system administrator removed (and the recovery codes, if `codes_too`)."""
    device, codes = _enrolled(user)
    device.delete()
    if codes_too:
        StaticToken.objects.filter(device__user=user).delete()
    return codes


def test_a_removed_app_is_set_up_again_with_a_code_sent_by_email(en, specialist, django_capture_on_commit_callbacks):
    _lost_authenticator(specialist, codes_too=True)
    _sign_in(en, specialist)
    assert en.get(HOME)["Location"].startswith(ENROL)
    code = _emailed_code(en, django_capture_on_commit_callbacks)
    message = mail.outbox[-1]
    assert message.to == [specialist.email] and code not in message.subject
    # Sent through the outbox: the job names the e-mail device, never the code.
    job = OutboxMessage.objects.get(task="inclusion_centre.accounts.tasks.send_enrolment_code_email")
    assert code not in str(job.args) + str(job.kwargs)
    # Asking again at once sends nothing more (one code a minute).
    with django_capture_on_commit_callbacks(execute=True):
        en.post(CHECK, {"send": "1"})
    assert len(mail.outbox) == 1
    assert en.post(CHECK, {"code": "000000" if code != "000000" else "111111"}).status_code == 422
    EmailDevice.objects.filter(user=specialist).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    response = en.post(CHECK, {"code": code})
    assert response.status_code == 302 and response["Location"].startswith(ENROL)
    assert en.get(ENROL).status_code == 200
    device = TOTPDevice.objects.get(user=specialist, confirmed=False)
    assert en.post(ENROL, {"code": _code(device)}).status_code == 302
    assert en.get(HOME).status_code == 200
    # The e-mailed code worked once: after the new app is removed again, it no longer opens the set-up.
    TOTPDevice.objects.filter(user=specialist).delete()
    other = type(en)()
    _sign_in(other, specialist, address="10.1.1.7")
    assert other.post(CHECK, {"code": code}).status_code == 422
    assert other.get(ENROL)["Location"].startswith(CHECK)


def test_a_removed_app_is_set_up_again_with_a_recovery_code(en, auditor):
    codes = _lost_authenticator(auditor, codes_too=False)
    _sign_in(en, auditor)
    response = en.post(CHECK, {"code": codes[0]})
    assert response.status_code == 302 and response["Location"].startswith(ENROL)
    assert en.get(ENROL).status_code == 200
    assert two_factor.recovery_codes_left(auditor) == 9
    # Used up: a second session cannot use the same recovery code to set up an app.
    other = type(en)()
    _sign_in(other, auditor, address="10.1.1.8")
    assert other.post(CHECK, {"code": codes[0]}).status_code == 422
    assert other.get(ENROL)["Location"].startswith(CHECK)


def test_new_recovery_codes_replace_the_old_ones(en, specialist):
    _device, old = _enrolled(specialist)
    en.force_login(specialist)
    en.post(VERIFY, {"code": old[0]})
    response = en.post(CODES)
    assert response.status_code == 302
    new = set(StaticToken.objects.filter(device__user=specialist).values_list("token", flat=True))
    assert len(new) == 10 and not new & set(old)


# --- The second step at each sign-in -----------------------------------------------------------------------------


def test_staff_with_a_device_are_asked_for_a_code_and_get_in_with_it(en, centre_head):
    device, _codes = _enrolled(centre_head)
    _sign_in(en, centre_head)
    response = en.get(reverse("students:inbox"))
    assert response["Location"] == VERIFY + "?next=%2Fcentre%2Finbox%2F"
    assert en.get(VERIFY).status_code == 200
    key_after_password = en.session.session_key
    response = en.post(VERIFY, {"code": _code(device), "next": "/centre/inbox/"})
    assert response.status_code == 302 and response["Location"] == "/centre/inbox/"
    assert en.get(reverse("students:inbox")).status_code == 200
    # The second step, like the first, gives the session a new key.
    assert en.session.session_key != key_after_password
    assert not UserSession.objects.filter(session_key=key_after_password).exists()


def test_next_never_leaves_the_site(en, centre_head):
    device, _codes = _enrolled(centre_head)
    _sign_in(en, centre_head)
    response = en.post(VERIFY, {"code": _code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


def test_a_code_cannot_be_used_twice(en, centre_head):
    device, _codes = _enrolled(centre_head)
    code = _code(device)
    _sign_in(en, centre_head)
    assert en.post(VERIFY, {"code": code}).status_code == 302
    en.post(reverse("accounts:logout"))
    _sign_in(en, centre_head)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    assert en.post(VERIFY, {"code": code}).status_code == 422


def test_each_recovery_code_works_once(en, auditor):
    _device, codes = _enrolled(auditor)
    _sign_in(en, auditor)
    response = en.post(VERIFY, {"code": codes[0][:4].upper() + "-" + codes[0][4:]})  # as printed, any case
    assert response.status_code == 302
    assert "9 are left" in en.get(HOME).content.decode()
    assert two_factor.recovery_codes_left(auditor) == 9
    en.post(reverse("accounts:logout"))
    _sign_in(en, auditor)
    assert en.post(VERIFY, {"code": codes[0]}).status_code == 422
    assert en.get(HOME).status_code == 302


def test_wrong_codes_are_throttled(en, lecturer):
    device, codes = _enrolled(lecturer)
    _sign_in(en, lecturer)
    assert en.post(VERIFY, {"code": "123456"}).status_code == 422
    # The app's codes now wait before the next attempt: even the right one is refused for the moment.
    response = en.post(VERIFY, {"code": _code(device, steps_ahead=1)})
    assert response.status_code == 422
    assert "Too many wrong codes" in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert en.get(HOME).status_code == 302
    # So do the recovery codes after a wrong one.
    assert en.post(VERIFY, {"code": "abcdefgh"}).status_code == 422
    response = en.post(VERIFY, {"code": codes[0]})
    assert "Too many wrong codes" in response.content.decode()
    assert two_factor.recovery_codes_left(lecturer) == 10


@pytest.mark.parametrize("code", ["", " ", "1" * 33, "\x00\x01", "<script>", "12345678901234567890"])
def test_malformed_codes_are_refused_without_error(en, lecturer, code):
    _enrolled(lecturer)
    _sign_in(en, lecturer)
    response = en.post(VERIFY, {"code": code})
    assert response.status_code == 422
    assert 'class="error-summary"' in response.content.decode()


def test_htmx_requests_are_sent_to_the_second_step_as_a_whole_page(client, specialist):
    _sign_in(client, specialist)
    response = client.get(HOME, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(ENROL)


# --- Session limits ----------------------------------------------------------------------------------------------


def _age_session(client, *, idle: int = 0, since_login: int = 0) -> None:
    session = client.session
    now = int(time.time())
    session[LOGIN_AT_SESSION_KEY] = now - since_login
    session[LAST_SEEN_SESSION_KEY] = now - idle
    session.save()


def test_sign_in_gives_a_new_session_key(client, student):
    client.get(LOGIN)
    anonymous_key = client.session.session_key
    assert anonymous_key
    _sign_in(client, student)
    assert client.session.session_key != anonymous_key
    assert not UserSession.objects.filter(session_key=anonymous_key).exists()
    assert UserSession.objects.get(session_key=client.session.session_key).user_id == student.pk


def test_an_idle_session_ends_after_the_idle_timeout(en, student, settings):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    _sign_in(en, student)
    _age_session(en, idle=29 * 60, since_login=29 * 60)
    assert en.get(HOME).status_code == 200
    _age_session(en, idle=31 * 60, since_login=31 * 60)
    response = en.get(reverse("accounts:account"))
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=%2Faccounts%2Fme%2F"
    assert "_auth_user_id" not in en.session
    assert "Your session has ended" in en.get(LOGIN).content.decode()


def test_a_busy_session_still_ends_at_the_absolute_limit(en, student, settings):
    assert settings.SESSION_ABSOLUTE_TIMEOUT == 12 * 60 * 60
    _sign_in(en, student)
    _age_session(en, idle=10, since_login=12 * 60 * 60 - 60)
    assert en.get(HOME).status_code == 200
    _age_session(en, idle=10, since_login=12 * 60 * 60 + 1)  # active a moment ago, but signed in 12 h ago
    assert en.get(HOME).status_code == 302
    assert "_auth_user_id" not in en.session


def test_each_request_counts_as_activity(en, student):
    _sign_in(en, student)
    _age_session(en, idle=25 * 60, since_login=25 * 60)
    assert en.get(HOME).status_code == 200
    assert time.time() - en.session[LAST_SEEN_SESSION_KEY] < 5
    assert time.time() - en.session[LOGIN_AT_SESSION_KEY] >= 25 * 60  # the sign-in time is never refreshed


# --- Disabled accounts -------------------------------------------------------------------------------------------


def test_disabling_a_user_deletes_their_sessions_at_once(client, specialist, student):
    other = type(client)()
    _sign_in(client, student)
    _sign_in(other, student, address="10.1.1.2")
    bystander = type(client)()
    _sign_in(bystander, UserFactory(), address="10.1.1.3")
    assert UserSession.objects.filter(user_id=student.pk).count() == 2

    student.is_active = False
    student.save()  # as the admin's change form or the sysadmin's user page do

    assert UserSession.objects.filter(user_id=student.pk).count() == 0
    assert UserSession.objects.filter(user_id__isnull=False).count() == 1  # the bystander keeps theirs
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_disabled_through_the_admin_site(client, student):
    sysadmin = UserFactory(roles=[Role.SYSADMIN], is_staff=True, is_superuser=True)
    _sign_in(client, student)
    admin = type(client)()
    admin.force_login(sysadmin)
    device, _codes = _enrolled(sysadmin)
    assert admin.post(VERIFY, {"code": _code(device)}).status_code == 302
    response = admin.post(
        reverse("admin:accounts_user_change", args=[student.pk]),
        {
            "email": student.email,
            "full_name": student.full_name,
            "preferred_language": "kk",
            "is_active": "",
            "groups": [Group.objects.get(name=Role.STUDENT).pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "staff_profile-TOTAL_FORMS": "0",
            "staff_profile-INITIAL_FORMS": "0",
            "staff_profile-MIN_NUM_FORMS": "0",
            "staff_profile-MAX_NUM_FORMS": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    student.refresh_from_db()
    assert not student.is_active
    assert not UserSession.objects.filter(user_id=student.pk).exists()
    assert client.get(reverse("accounts:account")).status_code == 302


def test_a_disabled_user_is_anonymous_even_if_a_session_survived(client, student):
    # QuerySet.update sends no signal, so the session row stays; the next request is still anonymous, because
    # ModelBackend.get_user refuses inactive users.
    _sign_in(client, student)
    User.objects.filter(pk=student.pk).update(is_active=False)
    assert UserSession.objects.filter(user_id=student.pk).exists()
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_the_system_administrator_can_remove_a_lost_authenticator(client, sysadmin, specialist):
    device, _codes = _enrolled(specialist)
    sysadmin = User.objects.get(pk=sysadmin.pk)
    assert sysadmin.has_perm("otp_totp.delete_totpdevice") and sysadmin.has_perm("otp_static.delete_staticdevice")
    admin_device, _ = _enrolled(sysadmin)
    client.force_login(sysadmin)
    assert client.post(VERIFY, {"code": _code(admin_device)}).status_code == 302
    response = client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    # The specialist's next sign-in sets up a new app.
    other = type(client)()
    _sign_in(other, specialist, address="10.1.1.9")
    assert other.get(HOME)["Location"].startswith(ENROL)
