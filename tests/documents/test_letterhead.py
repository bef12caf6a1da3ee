"""The letterhead comes from the Letterhead row the system administrator edits in the admin (issue #21): names,
addressee, address, contacts, form codes and an uploaded emblem, checked like every upload, with history."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from documents.letterhead import printed_letterhead
from documents.models import Letterhead
from tests.factories import UserFactory, pdf_bytes, png_bytes

from .conftest import pdf_text, stored_bytes

pytestmark = pytest.mark.django_db

FIELDS = {
    "institution_name_kk": "Сынақ институты",
    "institution_name_ru": "Тестовый институт",
    "institution_name_en": "Test Institute",
    "centre_name_kk": "Сынақ орталығы",
    "centre_name_ru": "Тестовый центр",
    "centre_name_en": "Test centre",
    "addressee_kk": "Сынақ орталығының басшысына",
    "addressee_ru": "Руководителю тестового центра",
    "address_kk": "Астана, Сынақ к-сі, 1",
    "address_ru": "Астана, ул. Тестовая, 1",
    "phone": "+7 7172 11 22 33",
    "email": "centre@example.edu.kz",
    "website": "example.edu.kz",
    "form_code_application": "Ф-ТЕСТ-01",
    "form_code_conclusion": "",
    "form_code_route": "",
    "form_code_protocol": "",
    "form_code_protocol_extract": "",
}


@pytest.fixture
def sysadmin():
    return UserFactory(is_staff=True, is_superuser=True)


def test_the_sysadmin_fills_the_letterhead_once_with_an_emblem_and_history(client, sysadmin):
    client.force_login(sysadmin)
    emblem = SimpleUploadedFile("emblem.png", png_bytes(), "image/png")
    response = client.post(reverse("admin:documents_letterhead_add"), {**FIELDS, "emblem_upload": emblem})
    assert response.status_code == 302, response.content.decode()[:2000]
    letterhead = Letterhead.objects.get()
    assert bytes(letterhead.emblem) == png_bytes() and letterhead.emblem_type == "image/png"
    assert letterhead.history.get().history_user == sysadmin
    # One letterhead: no second one, and it cannot be deleted.
    assert client.get(reverse("admin:documents_letterhead_add")).status_code == 403
    assert client.get(reverse("admin:documents_letterhead_delete", args=[letterhead.pk])).status_code == 403


def test_an_emblem_that_is_not_an_image_is_refused(client, sysadmin):
    client.force_login(sysadmin)
    disguised = SimpleUploadedFile("emblem.pdf", pdf_bytes("x"), "application/pdf")
    response = client.post(reverse("admin:documents_letterhead_add"), {**FIELDS, "emblem_upload": disguised})
    assert response.status_code == 200
    assert "PNG or JPEG" in response.content.decode()
    assert not Letterhead.objects.exists()


def test_without_a_letterhead_the_settings_and_the_placeholder_are_printed(settings):
    with translation.override("ru"):
        printed = printed_letterhead("ru", "application")
    assert printed.institution == settings.INSTITUTION_NAME["ru"]
    assert printed.emblem_url.startswith("file:") and printed.form_code == ""


@pytest.fixture
def letterhead():
    return Letterhead.objects.create(**FIELDS, emblem=png_bytes(), emblem_type="image/png")


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_application_is_a_petition_on_the_letterhead(letterhead, application_document, language):
    # The fixture's PDFs were rendered before the letterhead existed: render this language again.
    from documents.rendering import render_pdf

    text = pdf_text(render_pdf(document=application_document, language=language))
    assert FIELDS[f"addressee_{language}"] in text
    assert FIELDS[f"institution_name_{language}"] in text and FIELDS[f"address_{language}"] in text
    assert "Ф-ТЕСТ-01" in text and "+7 7172 11 22 33" in text
    request = {"kk": "Маған төменде көрсетілген", "ru": "Прошу создать для меня"}[language]
    assert request in text
    signature = {"kk": "Орталықтың жүйесінде қол қойылды", "ru": "Подписано в системе центра"}[language]
    assert signature in text
    assert application_document.student.user.full_name in text


def test_the_stored_application_pdf_has_the_signature_line(application_document):
    text = pdf_text(stored_bytes(application_document, "ru"))
    assert "ЗАЯВЛЕНИЕ" in text and "подпись" in text
