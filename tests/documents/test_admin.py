"""The counters are visible in the admin but only the numbering service moves them."""

import pytest
from django.db import transaction
from django.urls import reverse

from documents.models import DocumentType, RegistrationCounter
from documents.services import next_registration_number
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def counter():
    with transaction.atomic():
        next_registration_number(document_type=DocumentType.ROUTE, year=2026)
    return RegistrationCounter.objects.get()


def test_even_a_superuser_can_only_read_the_counters(client, counter):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:documents_registrationcounter_changelist")).status_code == 200
    assert client.get(reverse("admin:documents_registrationcounter_history", args=[counter.pk])).status_code == 200
    assert client.get(reverse("admin:documents_registrationcounter_add")).status_code == 403
    assert client.get(reverse("admin:documents_registrationcounter_delete", args=[counter.pk])).status_code == 403
    change_url = reverse("admin:documents_registrationcounter_change", args=[counter.pk])
    assert client.get(change_url).status_code == 200
    response = client.post(change_url, {"document_type": "route", "year": 2026, "last_number": 0})
    assert response.status_code == 403
    counter.refresh_from_db()
    assert counter.last_number == 1
