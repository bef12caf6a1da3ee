"""Browser end-to-end harness: the system Chromium driven by Playwright against pytest-django's live server.

Every test in this folder is marked `e2e`. Without Chromium the tests are skipped on a workstation but fail
under CI=true, so a CI image that lost its browser cannot turn the accessibility checks green by skipping them.
"""

import os
import re
import shutil
from pathlib import Path

import environ
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test.utils import override_settings
from playwright.sync_api import Page, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from tests.factories import PASSWORD

E2E_DIR = Path(__file__).resolve().parent

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    # The test machine reaches no network but the package registries; keep Chromium from trying.
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]

# WCAG 2.0, 2.1 and 2.2 at levels A and AA: the level the centre is held to.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
}

# Playwright's default of 30 s hides a broken page behind a long wait; the live server answers in milliseconds.
TIMEOUT_MS = 10_000


def _find_chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def _running_in_ci() -> bool:
    # Same reading of CI as inclusion_centre.settings.test, so "CI=1" cannot demand PostgreSQL yet skip the browser.
    return environ.Env().bool("CI", default=False)


CHROMIUM_MISSING = "Chromium not found at /usr/bin/chromium nor as `chromium` on PATH"


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session's items, not only this folder's: filter by path.
    e2e_items = [item for item in items if E2E_DIR in Path(str(item.path)).resolve().parents]
    # Skipping at collection spares a workstation without Chromium the test database set-up these tests need.
    skip = None
    if _find_chromium() is None and not _running_in_ci():
        skip = pytest.mark.skip(reason=f"{CHROMIUM_MISSING}; install the chromium package to run the e2e tests.")
    for item in e2e_items:
        item.add_marker(pytest.mark.e2e)
        if skip is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = _find_chromium()
    if path is None:
        if _running_in_ci():
            pytest.fail(
                f"{CHROMIUM_MISSING}; CI=true requires the browser tests to run (install the chromium package).",
                pytrace=False,
            )
        pytest.skip(f"{CHROMIUM_MISSING}; install the chromium package to run the e2e tests.")
    return path


@pytest.fixture(scope="package")
def playwright():
    """Playwright for this folder only: package scope stops its event loop before the rest of the suite runs.

    The sync API keeps an asyncio loop running in the test thread, so Django takes every ORM call from fixtures
    and factories for async code and raises SynchronousOnlyOperation, although nothing here is async.
    DJANGO_ALLOW_ASYNC_UNSAFE lifts that check, and only while the loop exists, so tests outside this folder keep
    Django's protection.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as pw:
            yield pw


@pytest.fixture(scope="package")
def browser(playwright, chromium_path):
    browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


# Django's live server wraps the site in a media-files handler built from MEDIA_URL. The settings set MEDIA_URL to
# None on purpose (uploads hold health data and are never served by URL), and urlparse(None) yields bytes, so
# every request crashed with a TypeError. A prefix no route uses keeps that handler inert, as in production.
UNSERVED_MEDIA_URL = "/__private-files-are-not-served__/"


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, started while MEDIA_URL is a harmless string (see UNSERVED_MEDIA_URL)."""
    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    # The handler reads MEDIA_URL once, while the server thread starts; the override need not outlive that.
    with override_settings(MEDIA_URL=UNSERVED_MEDIA_URL):
        server = LiveServer(addr)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _e2e_database(transactional_db, migrated_data):
    """Real commits, since the live server answers from another thread; the migrations' rows put back."""


@pytest.fixture
def page(browser, live_server) -> Page:
    """A fresh browser context per test: no cookies, session or language choice leak between tests."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def _login(page: Page, live_server, user, password: str = PASSWORD) -> None:
    """Sign in through the login form, as a person would, and wait until the server has let us in."""
    page.goto(f"{live_server.url}/accounts/login/")
    main = page.locator("main")
    main.locator("input[name=username]").fill(user.email)
    main.locator("input[name=password]").fill(password)
    main.locator("form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    # The sign-out form is only rendered for an authenticated user; its presence proves the session took.
    expect(page.locator("form[action$='/accounts/logout/']")).to_have_count(1)


@pytest.fixture
def login():
    """`login(page, live_server, user)`: sign `user` in through the UI."""
    return _login


def _format_target(target) -> str:
    # axe gives one selector per node, or a list of selectors when the node sits in an iframe or shadow root.
    if isinstance(target, list):
        return " >> ".join(_format_target(t) for t in target)
    return str(target)


def _axe_check(page: Page) -> None:
    """Run axe on the page as it is now and fail the test on any WCAG 2.2 A/AA violation."""
    results = Axe().run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    if not violations:
        return
    lines = [f"{len(violations)} axe violation(s) on {page.url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(_format_target(t) for t in node['target'])}")
    pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture
def axe_check():
    """`axe_check(page)`: fail the test if axe finds a WCAG 2.x A/AA violation on the current page."""
    return _axe_check
