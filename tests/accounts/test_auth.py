"""Sign-in, sign-out, password change and reset, and the axes lockout."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def _login(client, email, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address)


def test_sign_in_with_email_in_any_case(client):
    user = UserFactory(email="aigerim@example.edu.kz")
    response = _login(client, "AIGERIM@Example.edu.kz", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_answers_422_with_a_translated_message(client):
    UserFactory(email="a@example.edu.kz")
    response = client.post(
        LOGIN,
        {"username": "a@example.edu.kz", "password": "nope"},
        HTTP_ACCEPT_LANGUAGE="ru",
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 422
    content = response.content.decode()
    assert "Адрес электронной почты или пароль неверны" in content
    assert 'class="error-summary"' in content
    assert "_auth_user_id" not in client.session


def test_empty_form_marks_each_field(client):
    response = client.post(LOGIN, {"username": "", "password": ""})
    assert response.status_code == 422
    content = response.content.decode()
    assert 'href="#id_username"' in content
    assert 'href="#id_password"' in content
    assert 'aria-invalid="true"' in content


def test_session_key_changes_at_sign_in(client):
    UserFactory(email="a@example.edu.kz")
    anonymous_key = client.session.session_key  # a real, stored session from before sign-in
    assert anonymous_key
    _login(client, "a@example.edu.kz", PASSWORD)
    assert client.session["_auth_user_id"]
    assert client.session.session_key != anonymous_key


def test_lockout_after_repeated_failures_even_with_the_right_password(client, settings):
    UserFactory(email="target@example.edu.kz")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "target@example.edu.kz", "wrong").status_code == 422
    # The failure that reaches the limit is answered with the lockout page itself.
    assert _login(client, "target@example.edu.kz", "wrong").status_code == 429
    response = client.post(
        LOGIN,
        {"username": "target@example.edu.kz", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_ACCEPT_LANGUAGE="kk",
    )
    assert response.status_code == 429
    assert "Кіру уақытша тоқтатылды" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account_and_address(client, settings):
    UserFactory(email="target@example.edu.kz")
    UserFactory(email="other@example.edu.kz")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "target@example.edu.kz", "wrong", address="10.0.0.1")
    # The same account from another address, and another account from the same address, still sign in.
    assert _login(client, "target@example.edu.kz", PASSWORD, address="10.0.0.2").status_code == 302
    client.logout()
    assert _login(client, "other@example.edu.kz", PASSWORD, address="10.0.0.1").status_code == 302


def test_behind_the_trusted_proxy_the_lockout_keys_on_the_client_not_on_the_proxy(client, settings):
    # Issue #20, item 16: axes read REMOTE_ADDR, so every visitor behind the TLS proxy shared one lock.
    settings.TRUSTED_PROXIES = ["10.9.0.0/16"]
    UserFactory(email="target@example.edu.kz")

    def through_proxy(password, client_address, forged=""):
        forwarded = ", ".join(filter(None, [forged, client_address]))
        return client.post(
            LOGIN,
            {"username": "target@example.edu.kz", "password": password},
            REMOTE_ADDR="10.9.0.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for _ in range(settings.AXES_FAILURE_LIMIT):
        through_proxy("wrong", "203.0.113.7")
    assert through_proxy(PASSWORD, "203.0.113.7").status_code == 429
    # A left-most address the attacker wrote himself does not get him a fresh lock.
    assert through_proxy(PASSWORD, "203.0.113.7", forged="198.51.100.1").status_code == 429
    # Another visitor of the same account through the same proxy still signs in.
    assert through_proxy(PASSWORD, "198.51.100.20").status_code == 302


def test_an_untrusted_sender_cannot_choose_its_lockout_address(client, settings):
    settings.TRUSTED_PROXIES = ["10.9.0.0/16"]
    UserFactory(email="target@example.edu.kz")
    for number in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": "target@example.edu.kz", "password": "wrong"},
            REMOTE_ADDR="192.0.2.5",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{number}",
        )
    response = client.post(
        LOGIN,
        {"username": "target@example.edu.kz", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.5",
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert response.status_code == 429


def test_sign_out_needs_post(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_pages_behind_sign_in_redirect_anonymous_visitors(client):
    for name in ["accounts:account", "accounts:password_change"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)
    url = reverse("accounts:password_change")
    bad = client.post(url, {"old_password": "wrong", "new_password1": "x", "new_password2": "y"})
    assert bad.status_code == 422
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    good = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert good.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-long-passphrase")


def test_password_reset_round_trip(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="forgot@example.edu.kz")
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail is an outbox job, sent after the commit
        response = client.post(reverse("accounts:password_reset"), {"email": "forgot@example.edu.kz"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["forgot@example.edu.kz"]
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    mismatch = client.post(set_url, {"new_password1": "a-new-long-passphrase", "new_password2": "different"})
    assert mismatch.status_code == 422
    done = client.post(set_url, {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-long-passphrase")


def test_password_reset_for_unknown_address_reveals_nothing(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.edu.kz"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_disabled_account_cannot_sign_in(client):
    UserFactory(email="gone@example.edu.kz", is_active=False)
    response = _login(client, "gone@example.edu.kz", PASSWORD)
    assert response.status_code == 422
    assert "_auth_user_id" not in client.session


def test_an_account_without_a_password_gets_its_first_one_through_reset(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="imported@example.edu.kz")
    user.set_unusable_password()
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": "imported@example.edu.kz"})
    assert [m.to for m in mail.outbox] == [["imported@example.edu.kz"]]


def test_password_reset_queues_the_email_in_the_outbox_and_sends_nothing_in_the_request(
    client, django_capture_on_commit_callbacks
):
    # Issue #20, item 12: the e-mail was sent inside the request (128 ms for a known address, 6 ms for an unknown
    # one with a slow mail server), which told who has an account.
    from inclusion_centre.accounts.tasks import send_password_reset_email
    from inclusion_centre.outbox.models import OutboxMessage

    user = UserFactory(email="forgot@example.edu.kz")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("accounts:password_reset"), {"email": "FORGOT@example.edu.kz"})
    assert response.status_code == 302
    assert mail.outbox == []
    (job,) = OutboxMessage.objects.all()
    assert (job.task, job.args[0], job.state) == (send_password_reset_email.name, user.pk, "pending")
    assert "forgot@example.edu.kz" not in str(job.args)  # ids only in the outbox, no personal data
    for callback in callbacks:
        callback()
    assert [message.to for message in mail.outbox] == [["forgot@example.edu.kz"]]
    assert "/accounts/password/reset/" in mail.outbox[0].body


def test_password_reset_answers_alike_for_known_and_unknown_addresses_with_a_slow_mail_server(
    client, settings, django_capture_on_commit_callbacks
):
    import time

    settings.EMAIL_BACKEND = "tests.accounts.test_auth.SlowMailBackend"
    UserFactory(email="known@example.edu.kz")
    url = reverse("accounts:password_reset")

    def timed(email):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=False):
            response = client.post(url, {"email": email})
        assert response.status_code == 302
        return time.monotonic() - started

    timed("warm@example.edu.kz")
    known = min(timed("known@example.edu.kz") for _ in range(3))
    unknown = min(timed("nobody@example.edu.kz") for _ in range(3))
    assert abs(known - unknown) < SlowMailBackend.DELAY / 2, (known, unknown)


class SlowMailBackend:
    """A mail server that takes DELAY seconds per message."""

    DELAY = 0.2

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        import time

        time.sleep(self.DELAY)
        return len(messages)
