"""The two-step sign-in in the browser, with enforcement on (the rest of the suite signs in without it): prove it is
the person with a code sent by e-mail, set up the authenticator app from the page's own key, keep the recovery
codes, sign in again with a code; axe on each page and no Content-Security-Policy violation on the way."""

import base64
import re
import time

import pytest
from django.core import mail
from django_otp.oath import TOTP
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _code(secret: str, *, steps_ahead: int = 0) -> str:
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_staff_set_up_and_use_the_second_step(page, live_server, login, axe_check, specialist, settings):
    settings.OTP_ENFORCE = True
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))

    login(page, live_server, specialist)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/set-up/check/"))
    axe_check(page)
    page.locator("main button[name=send]").click()
    expect(page.locator("main button[name=send]")).to_be_visible()
    axe_check(page)
    emailed = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    page.locator("main input[name=code]").fill(emailed)
    page.locator("main form:has(input[name=code]) button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/set-up/\?"))
    expect(page.locator("main svg.qr-code")).to_have_count(1)
    axe_check(page)
    secret = page.locator("main .secret-key").inner_text()

    page.locator("main input[name=code]").fill("000000")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .error-summary[role=alert]")).to_be_visible()
    axe_check(page)
    page.wait_for_timeout(1100)  # a wrong code makes the next attempt wait a second (throttling)
    page.locator("main input[name=code]").fill(_code(secret))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/recovery-codes/"))
    expect(page.locator("main .recovery-codes li")).to_have_count(10)
    axe_check(page)
    page.locator("main a.button").click()
    expect(page).to_have_url(f"{live_server.url}/")

    page.locator("form[action$='/accounts/logout/'] button").click()
    login(page, live_server, specialist)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/\?next="))
    axe_check(page)
    page.locator("main input[name=code]").fill(_code(secret, steps_ahead=1))  # the current code was used already
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")
    assert violations == []
