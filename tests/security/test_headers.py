"""Security headers on real responses under the production settings, a Content Security Policy of 'self' only
that the pages keep (no inline script or style anywhere), and `check --deploy` with zero warnings."""

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from inclusion_centre.accounts import two_factor
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent

PRODUCTION_ENV = {
    "SECRET_KEY": "a-deployment-secret-with-more-than-fifty-characters-0123456789-xyz",
    "ALLOWED_HOSTS": "testserver",
}


@pytest.fixture
def production(settings, monkeypatch):
    """The security settings of inclusion_centre.settings.production, as that module computes them."""
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    module = importlib.import_module("inclusion_centre.settings.production")
    module = importlib.reload(module)
    copied = [
        name
        for name in dir(module)
        if name.startswith(("SECURE_", "SESSION_COOKIE_", "CSRF_COOKIE_", "LANGUAGE_COOKIE_"))
        or name in {"X_FRAME_OPTIONS", "CONTENT_SECURITY_POLICY", "MIDDLEWARE"}
    ]
    for name in copied:
        setattr(settings, name, getattr(module, name))
    assert settings.SECURE_SSL_REDIRECT and settings.SESSION_COOKIE_SECURE  # really the production values
    return settings


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


def test_every_header_on_a_page(client, production):
    response = client.get(reverse("accounts:login"), secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = _directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]
    # Nothing anywhere allows inline code or another origin.
    flat = " ".join(v for values in csp.values() for v in values)
    assert "unsafe-inline" not in flat and "unsafe-eval" not in flat and "http" not in flat and "*" not in flat


def test_plain_http_is_redirected_to_https(client, production):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_cookies_are_secure_and_http_only(client, production):
    user = UserFactory(email="cookie@example.edu.kz")
    page = client.get(reverse("accounts:login"), secure=True)
    csrf = page.cookies[django_settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post(
        reverse("accounts:login"),
        {"username": user.email, "password": PASSWORD, "csrfmiddlewaretoken": csrf.value},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    language = client.post(reverse("set_language"), {"language": "ru", "next": "/"}, secure=True)
    assert language.cookies[django_settings.LANGUAGE_COOKIE_NAME]["secure"]


def test_the_headers_are_also_on_error_pages_and_redirects(client, production):
    missing = client.get("/no-such-page/", secure=True)
    assert missing.status_code == 404
    assert "frame-ancestors 'none'" in missing["Content-Security-Policy"]
    assert missing["X-Content-Type-Options"] == "nosniff"
    redirect = client.get(reverse("accounts:account"), secure=True)
    assert redirect.status_code == 302
    assert "default-src 'self'" in redirect["Content-Security-Policy"]


def test_file_downloads_keep_their_stricter_policy(client, production, submitted, student):
    document = submitted.documents.get()
    client.force_login(student)
    response = client.get(
        reverse("students:document_download", args=[submitted.public_id, document.public_id]), secure=True
    )
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


# --- Pages keep the policy: no inline script, style or event handler ----------------------------------------------

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+=", re.I), "event-handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def _inline_code(html: str) -> list[str]:
    return [name for pattern, name in INLINE if pattern.search(html)]


def test_no_template_holds_inline_script_or_style():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "documents/pdf" in str(path):  # PDF forms are rendered by WeasyPrint, never served as pages
            continue
        found = _inline_code(path.read_text())
        if found:
            offenders.append(f"{path.relative_to(ROOT)}: {', '.join(found)}")
    assert offenders == []


@pytest.mark.parametrize(
    ("persona", "url_name"),
    [
        ("student", "home"),
        ("student", "accounts:account"),
        ("centre_head", "students:inbox"),
        ("centre_head", "routes:dashboard"),
        ("centre_head", "routes:reports"),
        ("centre_head", "documents:register"),
        ("specialist", "accounts:two_factor_enrol_check"),
        ("specialist", "accounts:two_factor_enrol"),
        ("sysadmin", "admin:index"),
        ("sysadmin", "admin:accounts_user_changelist"),
        ("sysadmin", "admin:accounts_user_add"),
    ],
)
def test_rendered_pages_have_no_inline_code(client, request, persona, url_name, settings):
    # The set-up pages exist only when enforced.
    settings.OTP_ENFORCE = url_name.startswith("accounts:two_factor_enrol")
    user = request.getfixturevalue(persona)
    if url_name.startswith("admin:"):
        user.is_superuser = True
        user.save()
    client.force_login(user)
    if url_name == "accounts:two_factor_enrol":  # past the e-mailed code: the page with the QR code
        session = client.session
        session[two_factor.ENROL_PROOF_SESSION_KEY] = user.pk
        session.save()
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert _inline_code(response.content.decode()) == []


def test_check_deploy_has_zero_warnings():
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "inclusion_centre.settings.production",
        "SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"],
        "ALLOWED_HOSTS": "centre.university.edu.kz",
        "DATABASE_URL": "sqlite:///unused.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    # One check is silenced, and only that one: guardian.W001 asks for guardian's own backend, which
    # accounts.grants.ObjectGrantBackend replaces (it reads the same tables; settings/base.py says why).
    assert "System check identified no issues (1 silenced)." in result.stdout
    from django.conf import settings

    assert settings.SILENCED_SYSTEM_CHECKS == ["guardian.W001"]
