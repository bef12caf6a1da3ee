"""The MSE conclusion's validity (issue 25, regulation §2.3, §10 e): the centre records the re-examination date;
30 days before it the student and the centre are reminded once; after it the conclusion lapses and the route in
force waits for a review in the centre's work list."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import StatusChange
from inclusion_centre.accounts.models import Notification
from routes import services, tasks
from routes.selectors.work import work_of
from students.models import MseConclusion

pytestmark = pytest.mark.django_db

M = MseConclusion.Status


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def record(application, actor, valid_until, group="II"):
    return services.mse_record(application=application, actor=actor, valid_until=valid_until, disability_group=group)


def _url(application):
    return reverse("routes:mse", args=[application.public_id])


# --- Recording ----------------------------------------------------------------------------------------------


def test_the_centre_records_and_changes_the_date(concluded, centre_head, specialist):
    first = record(concluded, centre_head, days(200))
    assert (first.status, first.valid_until, first.disability_group) == (M.VALID, days(200), "II")
    assert first.history.first().history_user == centre_head
    assert StatusChange.objects.filter(object_id=first.pk, to_status=M.VALID).exists()
    changed = record(concluded, specialist, days(300), group="III")
    assert (changed.valid_until, changed.disability_group, changed.recorded_by) == (days(300), "III", specialist)
    assert MseConclusion.objects.count() == 1


@pytest.mark.parametrize("who", ["student", "representative", "lecturer", "administration", "outsider"])
def test_nobody_else_records_it(request, concluded, who):
    with pytest.raises(PermissionDenied):
        record(concluded, request.getfixturevalue(who), days(200))
    assert not MseConclusion.objects.exists()


def test_a_date_long_past_or_a_wrong_group_is_refused(concluded, centre_head):
    with pytest.raises(ValidationError):
        record(concluded, centre_head, days(-400))
    with pytest.raises(ValidationError):
        record(concluded, centre_head, days(100), group="V")
    assert not MseConclusion.objects.exists()


@pytest.mark.parametrize("who", ["centre_head", "specialist"])
def test_the_centre_uses_the_form(client, request, concluded, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(concluded)).status_code == 200
    response = client.post(_url(concluded), {"valid_until": days(90).isoformat(), "disability_group": "I"})
    assert response.status_code == 302
    assert MseConclusion.objects.get().valid_until == days(90)
    case = client.get(reverse("students:application_detail", args=[concluded.public_id])).content.decode()
    assert days(90).strftime("%d.%m.%Y") in case


@pytest.mark.parametrize(
    "who", ["student", "representative", "lecturer", "administration", "auditor", "sysadmin", "outsider"]
)
def test_everyone_else_gets_404_and_records_nothing(client, request, concluded, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(concluded)).status_code == 404
    data = {"valid_until": days(90).isoformat(), "disability_group": "I"}
    assert client.post(_url(concluded), data).status_code == 404
    assert not MseConclusion.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"valid_until": "", "disability_group": "I"},
        {"valid_until": "31.02.2027", "disability_group": "I"},
        {"valid_until": "1850-01-01", "disability_group": "I"},
        {"valid_until": "2999-01-01", "disability_group": "I"},
        {"valid_until": (timezone.localdate() - datetime.timedelta(days=500)).isoformat(), "disability_group": ""},
        {"valid_until": "2027-06-01", "disability_group": "IV"},
    ],
)
def test_bad_input_is_422_and_saves_nothing(client, concluded, centre_head, data):
    client.force_login(centre_head)
    response = client.post(_url(concluded), data)
    assert response.status_code == 422
    assert 'class="error-summary"' in response.content.decode() or "error" in response.content.decode()
    assert not MseConclusion.objects.exists()


# --- Reminder and lapse -------------------------------------------------------------------------------------


def test_the_reminder_comes_once_30_days_before(concluded, centre_head, specialist, student):
    mse = record(concluded, centre_head, days(40))
    assert services.remind_mse_expiry(as_of=days(9)) == (0, 0)
    assert services.remind_mse_expiry(as_of=days(10)) == (1, 0)
    assert services.remind_mse_expiry(as_of=days(11)) == (0, 0)
    mse.refresh_from_db()
    assert mse.status == M.REMINDED and mse.reminded_at
    for person in (student, centre_head, specialist):
        assert Notification.objects.filter(kind="mse_expiring", recipient=person).count() == 1


def test_a_lapse_opens_a_review_of_the_route_in_force(client, in_force, centre_head, specialist, student, lecturer):
    mse = record(in_force.application, centre_head, days(5))
    assert services.remind_mse_expiry(as_of=days(6)) == (0, 1)
    assert services.remind_mse_expiry(as_of=days(7)) == (0, 0)
    mse.refresh_from_db()
    assert mse.status == M.LAPSED
    assert Notification.objects.filter(kind="mse_lapsed", recipient=student).count() == 1
    review_url = reverse("routes:route_review", args=[in_force.pk])
    for person in (centre_head, specialist):
        items = [item for item in work_of(person) if item.kind == "mse_lapsed"]
        assert [item.url for item in items] == [review_url]
    assert not [item for item in work_of(lecturer) if item.kind == "mse_lapsed"]
    client.force_login(specialist)
    assert "The MSE conclusion lapsed" in client.get(reverse("routes:route", args=[in_force.pk])).content.decode()
    client.force_login(lecturer)
    assert "The MSE conclusion lapsed" not in client.get(reverse("routes:route", args=[in_force.pk])).content.decode()
    # The review for that reason closes the item.
    client.force_login(specialist)
    form = client.get(review_url).content.decode()
    assert 'value="mse_lapsed" checked' in form or 'checked value="mse_lapsed"' in form or "mse_lapsed" in form
    response = client.post(review_url, {"reason": "mse_lapsed", "outcome": "continue", "comment": ""})
    assert response.status_code == 302
    assert not [item for item in work_of(specialist) if item.kind == "mse_lapsed"]


def test_a_new_date_makes_a_lapsed_conclusion_valid_and_closes_the_item(in_force, centre_head):
    record(in_force.application, centre_head, days(-3))
    services.remind_mse_expiry()
    assert [item for item in work_of(centre_head) if item.kind == "mse_lapsed"]
    renewed = record(in_force.application, centre_head, days(365))
    assert (renewed.status, renewed.lapsed_at) == (M.VALID, None)
    assert not [item for item in work_of(centre_head) if item.kind == "mse_lapsed"]


def test_the_command_and_the_task(concluded, centre_head, capsys):
    record(concluded, centre_head, days(20))
    call_command("remind_mse_expiry", "--as-of", days(0).isoformat())
    assert "reminded: 1, lapsed: 0" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("remind_mse_expiry", "--as-of", "tomorrow")
    record(concluded, centre_head, days(-1))
    assert tasks.remind_mse_expiry() == 1


def test_the_work_list_costs_one_query_for_mse_whatever_the_rows(in_force, centre_head, django_assert_max_num_queries):
    record(in_force.application, centre_head, days(-3))
    services.remind_mse_expiry()
    from routes.selectors.mse import mse_review_tasks

    with django_assert_max_num_queries(1):
        rows = list(mse_review_tasks(centre_head))
    assert len(rows) == 1 and rows[0].mse_lapsed_at


def test_the_page_makes_a_bounded_number_of_queries(client, concluded, centre_head, django_assert_max_num_queries):
    record(concluded, centre_head, days(100))
    client.force_login(centre_head)
    with django_assert_max_num_queries(14):
        assert client.get(_url(concluded)).status_code == 200
