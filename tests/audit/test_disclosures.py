"""The register of disclosures (regulation §10.3, issue #25): centre staff record each disclosure of a student's
personal data to a third party; the centre head, the administration and the auditor read the register (filters,
XLSX export); the student sees their own in "who has opened my file". Everyone else: 404."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import Disclosure
from audit.services import disclosure_record
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


NEW = "audit:disclosure_new"


def _data(student, **overrides):
    data = {
        "student_id": student.student.external_id,
        "recipient": "Алматы қаласының әлеуметтік қорғау басқармасы",
        "categories": ["identity", "conclusion"],
        "details": "Қорытындының көшірмесі",
        "ground": "request",
        "ground_text": "№ 12-04/331, 01.12.2026",
        "disclosed_on": timezone.localdate().isoformat(),
    }
    data.update(overrides)
    return data


@pytest.fixture
def disclosure(student, specialist):
    return disclosure_record(
        actor=specialist,
        student=student.student,
        recipient='=HYPERLINK("http://evil")',
        categories=["health"],
        ground="consent",
        disclosed_on=timezone.localdate(),
    )


def test_a_specialist_records_a_disclosure_from_the_case_page(client, registered, student, specialist, centre_head):
    client.force_login(centre_head)
    case = client.get(reverse("students:application_detail", args=[registered.public_id])).content.decode()
    link = f"{reverse(NEW)}?student={student.student.pk}"
    assert link in case
    client.force_login(specialist)
    form = client.get(link)
    assert form.status_code == 200 and form.context["form"].initial["student_id"] == student.student.external_id
    response = client.post(reverse(NEW), _data(student))
    assert response.status_code == 302
    item = Disclosure.objects.get()
    assert item.student == student.student and item.recorded_by == specialist
    assert item.categories == ["conclusion", "identity"] and item.ground == "request"
    assert item.history.first().history_user == specialist


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"recipient": ""}, "Name the organisation or person who received the data."),
        ({"categories": []}, "Choose what data was disclosed."),
        ({"categories": ["passwords"]}, "Choose what data was disclosed."),
        ({"ground": "other", "ground_text": ""}, "Describe the legal ground."),
        ({"ground": "whim"}, "Choose the legal ground."),
        ({"disclosed_on": "2026-13-45"}, "Enter a real date."),
        ({"student_id": "nobody"}, "No student has this ID number or e-mail."),
    ],
)
def test_bad_input_answers_422_next_to_the_field_and_saves_nothing(client, student, specialist, overrides, message):
    client.force_login(specialist)
    response = client.post(reverse(NEW), _data(student, **overrides))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Disclosure.objects.count() == 0


def test_a_disclosure_cannot_be_dated_in_the_future(client, student, specialist):
    client.force_login(specialist)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(reverse(NEW), _data(student, disclosed_on=tomorrow))
    assert response.status_code == 422 and "today or earlier" in response.content.decode()
    assert Disclosure.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "record", "register"),
    [
        ("specialist", 200, 404),
        ("centre_head", 200, 200),
        ("administration", 404, 200),
        ("auditor", 404, 200),
        ("student", 404, 404),
        ("representative", 404, 404),
        ("lecturer", 404, 404),
        ("sysadmin", 404, 404),
        ("outsider", 404, 404),
    ],
)
def test_who_records_and_who_reads_the_register(client, request, student, who, record, register):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(reverse(NEW)).status_code == record
    assert client.get(reverse("audit:disclosures")).status_code == register
    assert client.get(reverse("audit:disclosures_export")).status_code == register
    if record == 404:
        assert client.post(reverse(NEW), _data(student)).status_code == 404
        assert Disclosure.objects.count() == 0


def test_the_register_filters_exports_and_keeps_its_query_count(
    client, disclosure, student, specialist, centre_head, django_assert_max_num_queries
):
    others = [factories.StudentFactory() for _ in range(3)]
    for index in range(30):
        disclosure_record(
            actor=specialist,
            student=others[index % 3],
            recipient=f"Мекеме {index}",
            categories=["identity"],
            ground="law" if index % 2 else "other",
            ground_text="Заң, 5-бап",
            disclosed_on=timezone.localdate() - datetime.timedelta(days=index),
        )
    client.force_login(centre_head)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("audit:disclosures"))
    assert response.status_code == 200 and response.context["page"].paginator.count == 31
    assert client.get(reverse("audit:disclosures"), {"ground": "law"}).context["page"].paginator.count == 15
    assert client.get(reverse("audit:disclosures"), {"recipient": "Мекеме 2"}).context["page"].paginator.count == 11
    since = (timezone.localdate() - datetime.timedelta(days=4)).isoformat()
    assert client.get(reverse("audit:disclosures"), {"since": since}).context["page"].paginator.count == 6
    bad = client.get(reverse("audit:disclosures"), {"since": "2026-12-05", "until": "2026-01-01"})
    assert bad.status_code == 422 and "The end date cannot be before the start date." in bad.content.decode()
    export = client.get(reverse("audit:disclosures_export"), {"ground": "consent"})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][2] == '\'=HYPERLINK("http://evil")'  # a formula is written as text
    assert rows[1][1] == student.full_name


def test_the_student_sees_their_disclosures_in_who_has_opened_my_file(
    client, disclosure, student, other_student, representative
):
    for user in (student, representative):
        client.force_login(user)
        page = client.get(reverse("audit:my_file"))
        assert [item.pk for item in page.context["disclosures"]] == [disclosure.pk]
        assert "Health and disability information" in page.content.decode()
    client.force_login(other_student)
    assert client.get(reverse("audit:my_file")).context["disclosures"] == []


def test_the_subject_access_export_holds_the_disclosures(disclosure, student):
    from inclusion_centre.pages.subject_access import subject_access_data

    data = subject_access_data(student.student)
    assert [item["recipient"] for item in data["disclosures"]] == [disclosure.recipient]
    assert data["disclosures"][0]["legal_ground"]
