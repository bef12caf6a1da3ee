"""The admin site's pages (issue 20, findings 17 and 19), without a browser: every stylesheet they link answers 200
and imports nothing by a relative address; editable list columns are named; the project's copy of Django's
forms.css stays the copy it claims to be. The browser checks (axe) are in tests/e2e/test_admin_accessibility.py."""

import re
from pathlib import Path

import django.contrib.admin
import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from inclusion_centre.accounts.models import User
from students.models import NeedCategory

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<link rel="stylesheet"[^>]*href="([^"]+)"')
IMPORT = re.compile(r"@import\s+(?:url\()?['\"]?([^'\")\s;]+)")


def _pages(sysadmin) -> list[str]:
    return [
        reverse("admin:index"),
        reverse("admin:students_needcategory_changelist"),
        reverse("admin:students_needcategory_change", args=[NeedCategory.objects.first().pk]),
        reverse("admin:students_teachingassignment_add"),
        reverse("admin:accounts_user_change", args=[sysadmin.pk]),
        reverse("admin:otp_totp_totpdevice_changelist"),
        reverse("admin:password_change"),
    ]


def test_every_stylesheet_of_the_admin_pages_answers_200(client, sysadmin):
    client.force_login(sysadmin)
    static = Client()
    for page in _pages(sysadmin):
        response = client.get(page)
        assert response.status_code == 200, page
        sheets = LINK.findall(response.content.decode())
        assert f"{settings.STATIC_URL}admin/css/widgets.css" in sheets, page
        for sheet in sheets:
            css = static.get(sheet)
            assert css.status_code == 200, (page, sheet)
            text = b"".join(css.streaming_content if css.streaming else [css.content]).decode()
            text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
            # A relative @import is fetched by some tools against the page's address (a 404 under /admin/…).
            relative = [url for url in IMPORT.findall(text) if not url.startswith(("/", "http:", "https:"))]
            assert relative == [], (page, sheet, relative)


def test_the_copy_of_djangos_forms_css_is_djangos_without_its_import():
    ours = Path(finders.find("admin/css/forms.css"))
    theirs = Path(django.contrib.admin.__file__).parent / "static" / "admin" / "css" / "forms.css"
    assert ours != theirs
    original = theirs.read_text().splitlines()
    assert original[0] == "@import url('widgets.css');"
    header, _end, copy = ours.read_text().partition("*/\n")
    assert header.startswith("/* Django's admin/css/forms.css")
    assert copy.splitlines() == original[1:]


def test_editable_list_columns_are_named_for_their_row(client, sysadmin):
    client.force_login(sysadmin)
    page = client.get(reverse("admin:students_needcategory_changelist")).content.decode()
    category = NeedCategory.objects.order_by("order", "pk").first()
    inputs = re.findall(r"<input[^>]*name=\"form-\d+-(?:order|is_active)\"[^>]*>", page)
    assert inputs and all("aria-label=" in tag for tag in inputs)
    assert f'aria-label="{str(NeedCategory._meta.get_field("order").verbose_name).capitalize()}: ' in page
    assert str(category) in page


def test_the_centre_head_reaches_the_adaptation_catalogue(client, centre_head):
    User.objects.filter(pk=centre_head.pk).update(is_staff=True)
    client.force_login(centre_head)
    assert client.get(reverse("admin:routes_adaptation_changelist")).status_code == 200
