"""Notifications: rendered in the recipient's language, e-mailed once and only after commit, and the inbox pages."""

import smtplib
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from inclusion_centre.accounts.models import Notification
from inclusion_centre.accounts.notifications import mark_all_read, mark_read, notify, notify_many
from inclusion_centre.accounts.tasks import send_notification_email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("accounts:notifications")


def _notify(recipient, **overrides):
    arguments = {
        "recipient": recipient,
        "kind": "test_event",
        "subject": gettext_lazy("Check your e-mail"),
        "body": "Nothing is waiting for you.",
    }
    arguments.update(overrides)
    with transaction.atomic():
        return notify(**arguments)


def _make(recipient, count, *, read=False, subject="Item"):
    """Inbox rows for page tests, without going through the service (no e-mail, fixed texts)."""
    now = timezone.now()
    return [
        Notification.objects.create(
            recipient=recipient,
            kind="test_event",
            subject=f"{subject} {i}",
            body=f"Body {i}",
            url=f"/cases/{i}/",
            created_at=now - timezone.timedelta(minutes=i),
            read_at=now if read else None,
        )
        for i in range(count)
    ]


# --- The service ---------------------------------------------------------------------------------------------


def test_text_is_stored_in_the_recipient_language_whatever_language_is_active(
    settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://centre.example.edu.kz"
    russian = UserFactory(preferred_language="ru", email="ru@example.edu.kz")
    kazakh = UserFactory(preferred_language="kk", email="kk@example.edu.kz")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        to_russian = _notify(russian, url="/cases/7/")
        to_kazakh = _notify(kazakh, subject="Welcome, %(name)s", context={"name": "Айгерим"})
        assert translation.get_language() == "en"

    assert to_russian.subject == "Проверьте почту"
    assert to_russian.body == "Вас ничего не ожидает."
    assert to_kazakh.subject == "Қош келдіңіз, Айгерим"
    # The e-mail carries the same text, the prefix and the absolute link.
    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address["ru@example.edu.kz"].subject == "[Центр инклюзии] Проверьте почту"
    assert "Вас ничего не ожидает." in by_address["ru@example.edu.kz"].body
    assert "https://centre.example.edu.kz/cases/7/" in by_address["ru@example.edu.kz"].body
    assert "https://centre.example.edu.kz/accounts/me/" in by_address["ru@example.edu.kz"].body


def test_lazy_values_in_the_context_are_rendered_in_the_recipient_language():
    russian = UserFactory(preferred_language="ru")
    notification = _notify(
        russian, subject="Check your e-mail", body="Welcome, %(name)s", context={"name": gettext_lazy("Russian")}
    )
    assert notification.body == "Добро пожаловать, Русский"


def test_nothing_is_sent_before_commit(django_capture_on_commit_callbacks):
    recipient = UserFactory(email="a@example.edu.kz")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = _notify(recipient)
    assert Notification.objects.filter(pk=notification.pk).exists()
    assert mail.outbox == []
    assert len(callbacks) == 1

    callbacks[0]()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a@example.edu.kz"]
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_a_rolled_back_transaction_leaves_no_notification_and_sends_nothing(django_capture_on_commit_callbacks):
    recipient = UserFactory()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(recipient=recipient, kind="test_event", subject="Check your e-mail", body="")
        raise RuntimeError("the caller's step failed")
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_running_the_task_twice_sends_one_email(django_capture_on_commit_callbacks):
    recipient = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(recipient)
    assert len(mail.outbox) == 1

    assert send_notification_email.delay(notification.pk).get() is False
    assert send_notification_email(notification.pk) is False
    assert len(mail.outbox) == 1


def test_the_task_for_a_deleted_notification_does_nothing():
    assert send_notification_email(987654321) is False
    assert mail.outbox == []


def test_a_failing_mail_server_is_retried_and_the_email_leaves_once(django_capture_on_commit_callbacks):
    assert send_notification_email.autoretry_for == (OSError, smtplib.SMTPException)
    assert send_notification_email.retry_backoff is True
    assert send_notification_email.max_retries == 5
    recipient = UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = _notify(recipient)

    # Eager mode with propagation (the test settings) hands the retry back to us instead of sleeping.
    with (
        mock.patch("inclusion_centre.accounts.tasks.send_mail", side_effect=smtplib.SMTPServerDisconnected),
        pytest.raises(Retry),
    ):
        callbacks[0]()
    notification.refresh_from_db()
    assert notification.emailed_at is None
    assert mail.outbox == []

    send_notification_email.delay(notification.pk)  # what the worker does when the retry comes due
    send_notification_email.delay(notification.pk)
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_dedup_key_prevents_a_second_notification(django_capture_on_commit_callbacks):
    recipient = UserFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = _notify(recipient, dedup_key=f"application_submitted:1:{recipient.pk}")
        second = _notify(recipient, dedup_key=f"application_submitted:1:{recipient.pk}", body="Something else")
    assert second.pk == first.pk
    assert second.body == first.body
    assert Notification.objects.count() == 1
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1


def test_in_app_only_stores_the_notification_but_sends_nothing(django_capture_on_commit_callbacks):
    recipient = UserFactory(notify_by_email=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = _notify(recipient)
    assert Notification.objects.get(pk=notification.pk).email_wanted is False
    assert callbacks == []
    assert send_notification_email(notification.pk) is False
    assert mail.outbox == []


def test_turning_email_off_before_the_task_runs_is_respected(django_capture_on_commit_callbacks):
    recipient = UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify(recipient)
    recipient.notify_by_email = False
    recipient.save()
    callbacks[0]()
    assert mail.outbox == []


def test_notify_many_renders_each_in_their_own_language_once_per_person(django_capture_on_commit_callbacks):
    russian = UserFactory(preferred_language="ru")
    kazakh = UserFactory(preferred_language="kk", notify_by_email=False)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            created = notify_many(
                recipients=[russian, kazakh, russian],
                kind="test_event",
                subject="Welcome, %(name)s",
                body="",
                context={"name": "X"},
                dedup_key="event:5",
            )
        with transaction.atomic():
            again = notify_many(
                recipients=[russian, kazakh], kind="test_event", subject="Other", body="", dedup_key="event:5"
            )
    assert [n.subject for n in created] == ["Добро пожаловать, X", "Қош келдіңіз, X"]
    assert sorted(Notification.objects.values_list("dedup_key", flat=True)) == sorted(
        [f"event:5:{russian.pk}", f"event:5:{kazakh.pk}"]
    )
    assert [n.pk for n in again] == [n.pk for n in created]
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("url", ["https://evil.example.com/", "//evil.example.com/", "cases/1/"])
def test_links_must_be_paths_inside_the_app(url):
    with pytest.raises(ValueError):
        _notify(UserFactory(), url=url)
    assert not Notification.objects.exists()


def test_mark_read_services_touch_only_the_users_own(student, other_student):
    mine = _make(student, 3)
    theirs = _make(other_student, 2)
    with pytest.raises(PermissionDenied):
        mark_read(notification=theirs[0], user=student)
    mark_read(notification=mine[0], user=student)
    mine[0].refresh_from_db()
    assert mine[0].read_at is not None
    assert mine[0].history.first().history_user == student

    assert mark_all_read(user=student) == 2
    assert mark_all_read(user=student) == 0
    assert not student.notifications.filter(read_at__isnull=True).exists()
    assert other_student.notifications.filter(read_at__isnull=True).count() == 2
    assert mine[1].history.count() == 2  # created, then marked read: bulk update still writes history


# --- The pages ------------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, student):
    notification = _make(student, 1)[0]
    for response in (
        client.get(LIST),
        client.post(LIST),
        client.post(reverse("accounts:notification_read", args=[notification.pk])),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    notification.refresh_from_db()
    assert notification.read_at is None


def test_list_shows_unread_first_then_newest_and_is_paginated(client, student, other_student):
    read_newer = _make(student, 5, read=True, subject="Read")
    for item in read_newer:
        item.created_at += timezone.timedelta(days=1)
        item.save()
    _make(student, 20, subject="Unread")
    _make(other_student, 3, subject="Theirs")
    client.force_login(student)
    client.cookies["language"] = "en"

    first = client.get(LIST)
    assert first.status_code == 200
    page = first.context["page"]
    assert page.paginator.count == 25
    assert [n.subject for n in page.object_list] == [f"Unread {i}" for i in range(20)]
    content = first.content.decode()
    assert content.count("<h1") == 1
    assert content.count(">Unread</strong>") == 20
    assert "Theirs" not in content
    assert "Notifications (20 unread)" in content
    assert "Mark all as read" in content
    assert 'href="?page=2"' in content

    second = client.get(LIST, {"page": 2})
    assert [n.subject for n in second.context["page"].object_list] == [f"Read {i}" for i in range(5)]
    content = second.content.decode()
    assert content.count(">Read</strong>") == 5
    assert 'href="/cases/0/"' in content
    assert "Page 2 of 2" in content


def test_list_query_count_does_not_grow_with_rows(client, student, django_assert_max_num_queries):
    _make(student, 15)
    _make(student, 15, read=True)
    client.force_login(student)
    with django_assert_max_num_queries(6):  # session, user, roles (menu), unread count, page count, page
        response = client.get(LIST)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 20


def test_empty_inbox(client, outsider):
    client.force_login(outsider)
    client.cookies["language"] = "en"
    content = client.get(LIST).content.decode()
    assert "You have no notifications." in content
    assert "Mark all as read" not in content
    assert ">Notifications</a>" in content


def test_opening_marks_read_and_goes_to_its_link(client, student):
    notification = _make(student, 1)[0]
    client.force_login(student)
    response = client.post(reverse("accounts:notification_read", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/cases/0/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_marking_one_without_a_link_returns_to_the_list(client, student):
    notification = _make(student, 1)[0]
    notification.url = ""
    notification.save()
    client.force_login(student)
    response = client.post(reverse("accounts:notification_read", args=[notification.pk]))
    assert response["Location"] == LIST
    assert client.get(reverse("accounts:notification_read", args=[notification.pk])).status_code == 405


def test_someone_elses_notification_answers_404_and_changes_nothing(client, student, other_student):
    theirs = _make(other_student, 1)[0]
    client.force_login(student)
    response = client.post(reverse("accounts:notification_read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_as_read_page(client, student, other_student):
    _make(student, 3)
    _make(other_student, 2)
    client.force_login(student)
    client.cookies["language"] = "en"
    response = client.post(LIST, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    content = response.content.decode()
    assert "All your notifications are marked as read." in content
    assert ">Unread</strong>" not in content
    assert ">Notifications</a>" in content
    assert other_student.notifications.filter(read_at__isnull=True).count() == 2


def test_account_page_chooses_in_app_only(client):
    user = UserFactory(preferred_language="kk")
    client.force_login(user)
    client.cookies["language"] = "en"
    page = client.get(reverse("accounts:account")).content.decode()
    assert 'name="notify_by_email"' in page
    assert "checked" in page.split('name="notify_by_email"')[1].split(">")[0]

    response = client.post(reverse("accounts:account"), {"preferred_language": "ru"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.notify_by_email is False
    assert user.preferred_language == "ru"

    client.post(reverse("accounts:account"), {"preferred_language": "ru", "notify_by_email": "on"})
    user.refresh_from_db()
    assert user.notify_by_email is True


def test_menu_count_is_one_query_and_absent_for_anonymous(rf, student, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    from inclusion_centre.accounts.context_processors import notifications

    _make(student, 2)
    _make(student, 1, read=True)
    request = rf.get("/")
    request.user = student
    with django_assert_num_queries(1):
        assert notifications(request) == {"unread_notification_count": 2}
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert notifications(request) == {}
