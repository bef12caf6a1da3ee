"""The admin site, used by the system administrator and the centre head for accounts and reference data, in the
browser (issue 20, findings 17 and 19): axe (WCAG 2.2 A/AA) on the index, a list with filters and editable
columns, change forms with autocomplete pickers and two-column pickers, the authenticator pages and the
password change page; and every stylesheet those pages load answers 200."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.plugins.otp_totp.models import TOTPDevice

from inclusion_centre.accounts.models import User
from routes.models import Adaptation
from students.models import NeedCategory
from tests import factories
from tests.e2e.conftest import AXE_OPTIONS, _format_target

pytestmark = pytest.mark.e2e


def _problems(page, path: str) -> list[str]:
    """Axe violations on the page at `path`, and anything the page or axe asked for that did not answer 200 (axe
    fetches the stylesheets again), as readable lines."""
    failed = []

    def note(response):
        if response.status >= 400:
            failed.append(f"{response.url} answered {response.status}")

    page.on("response", note)
    response = page.goto(path)
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    # Until what axe fetched has answered (a loaded machine can take longer than the usual timeout).
    page.wait_for_load_state("networkidle", timeout=30_000)
    page.remove_listener("response", note)
    lines = [f"{path} answered {response.status}"] if response.status != 200 else []
    lines += [f"{path}: {line}" for line in failed]
    for violation in violations:
        targets = "; ".join(_format_target(t) for node in violation["nodes"] for t in node["target"])
        lines.append(f"{path}: {violation['id']} ({violation['impact']}) at {targets}")
    return lines


def _check(page, live_server, paths) -> None:
    problems = []
    for path in paths:
        problems += _problems(page, f"{live_server.url}{path}")
    assert problems == [], "\n".join(problems)


def test_the_system_administrators_admin_pages_pass_axe(page, live_server, login, sysadmin, specialist):
    factories.TeachingAssignmentFactory()
    factories.ProgrammeFactory()
    device = TOTPDevice.objects.create(user=specialist, name="authenticator app", confirmed=True)
    login(page, live_server, sysadmin)
    _check(
        page,
        live_server,
        [
            "/admin/",
            "/admin/students/programme/",
            "/admin/students/needcategory/",
            f"/admin/students/needcategory/{NeedCategory.objects.first().pk}/change/",
            "/admin/students/teachingassignment/add/",
            "/admin/accounts/user/",
            f"/admin/accounts/user/{sysadmin.pk}/change/",
            f"/admin/accounts/user/{specialist.pk}/change/",
            "/admin/otp_totp/totpdevice/",
            f"/admin/otp_totp/totpdevice/{device.pk}/change/",
            f"/admin/otp_totp/totpdevice/{device.pk}/delete/",
            "/admin/password_change/",
        ],
    )


def test_the_centre_heads_admin_pages_pass_axe(page, live_server, login, centre_head):
    User.objects.filter(pk=centre_head.pk).update(is_staff=True)  # as the demo data sets them up
    login(page, live_server, centre_head)
    _check(
        page,
        live_server,
        [
            "/admin/",
            "/admin/routes/adaptation/",
            "/admin/routes/adaptation/?is_active__exact=1",
            f"/admin/routes/adaptation/{Adaptation.objects.first().pk}/change/",
            "/admin/routes/adaptation/add/",
        ],
    )
