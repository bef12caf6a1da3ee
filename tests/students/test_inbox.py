import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from students import services
from students.models import Application, NeedCategory
from tests.factories import FacultyFactory, StudentFactory, submitted_application

pytestmark = pytest.mark.django_db


def _submitted_for(student_user, *, categories=("visual",), submitted_on=None):
    application = submitted_application(student_user, codes=categories)
    if submitted_on:
        Application.objects.filter(pk=application.pk).update(
            submitted_at=timezone.make_aware(datetime.datetime.combine(submitted_on, datetime.time(10)))
        )
    return application


def test_inbox_is_for_the_centre_head_only(client, student, specialist, lecturer, administration, auditor, outsider):
    for user in (student, specialist, lecturer, administration, auditor, outsider):
        client.force_login(user)
        assert client.get(reverse("students:inbox")).status_code == 404


def test_inbox_lists_filters_searches_and_paginates(client, centre_head, django_assert_max_num_queries):
    faculty = FacultyFactory(name_kk="Филология")
    hearing_user = StudentFactory(user__full_name="Есту Бойынша", programme__faculty=faculty).user
    _submitted_for(hearing_user, categories=("hearing",))
    for _ in range(30):
        _submitted_for(StudentFactory().user)
    draft_user = StudentFactory(user__full_name="Жоба Ғана").user
    services.application_start(actor=draft_user, student=draft_user.student)

    client.force_login(centre_head)
    with django_assert_max_num_queries(16):
        page_one = client.get(reverse("students:inbox"))
    assert page_one.status_code == 200
    assert page_one.context["page"].paginator.count == 31  # drafts belong to the applicant, not the inbox
    assert len(page_one.context["rows"]) == 25
    with django_assert_max_num_queries(16):
        assert len(client.get(reverse("students:inbox"), {"page": 2}).context["rows"]) == 6

    by_category = client.get(reverse("students:inbox"), {"category": NeedCategory.objects.get(code="hearing").pk})
    assert [a.student.user for a, _ in by_category.context["rows"]] == [hearing_user]
    by_faculty = client.get(reverse("students:inbox"), {"faculty": faculty.pk})
    assert [a.student.user for a, _ in by_faculty.context["rows"]] == [hearing_user]
    by_name = client.get(reverse("students:inbox"), {"q": "есту бойынша"})
    assert [a.student.user for a, _ in by_name.context["rows"]] == [hearing_user]
    assert client.get(reverse("students:inbox"), {"status": "registered"}).context["page"].paginator.count == 0
    assert client.get(reverse("students:inbox"), {"status": "nonsense"}).status_code == 422


def test_search_by_registration_number(client, centre_head, student):
    application = _submitted_for(student)
    registered = services.application_register(application=application, actor=centre_head)
    client.force_login(centre_head)
    response = client.get(reverse("students:inbox"), {"q": registered.registration_number})
    assert [a for a, _ in response.context["rows"]] == [registered]


def test_overdue_marker_and_filter(client, centre_head, settings):
    settings.HOLIDAYS = []
    today = timezone.localdate()
    old = _submitted_for(StudentFactory().user, submitted_on=today - datetime.timedelta(days=14))
    fresh = _submitted_for(StudentFactory().user, submitted_on=today)
    client.force_login(centre_head)
    rows = dict(client.get(reverse("students:inbox")).context["rows"])
    assert rows[old] is True
    assert rows[fresh] is False
    overdue_only = client.get(reverse("students:inbox"), {"overdue": "on"})
    assert [a for a, _ in overdue_only.context["rows"]] == [old]
    assert "tag--overdue" in overdue_only.content.decode()


def test_cached_filter_fields_keep_the_query_its_errors_and_new_catalogue_entries(client, centre_head, settings):
    client.force_login(centre_head)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("students:inbox")
    plain = client.get(url).content.decode()
    assert 'value="submitted" selected' not in plain
    chosen = client.get(url, {"status": "submitted"}).content.decode()
    assert '<option value="submitted" selected>' in chosen
    assert '<option value="submitted" selected>' not in client.get(url).content.decode()
    wrong = client.get(url, {"status": "nonsense"})
    assert wrong.status_code == 422 and "error-summary" in wrong.content.decode()
    FacultyFactory(name_en="Faculty of Astronomy")  # a new catalogue entry is offered at once
    assert "Faculty of Astronomy" in client.get(url).content.decode()
