"""First sign-in of an imported account: an invitation with a one-time, expiring link to set a password, sent from
the import and from the administration site, translated, logged, and explained on the sign-in page."""

import io
import re
from io import StringIO
from unittest import mock

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from inclusion_centre.accounts.invitations import invitation_tokens, invite
from inclusion_centre.accounts.models import Invitation, User
from inclusion_centre.accounts.tasks import send_invitation_emails
from inclusion_centre.outbox.models import OutboxMessage
from students.importing import import_reference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+(/accounts/invitation/[^/\s]+/[^/\s]+/)")
LECTURERS = (
    "email,full_name,preferred_language\nnew.kk@example.edu.kz,Сәуле Ахметова,kk\nnew.ru@example.edu.kz,Роза Ким,ru\n"
).encode()
STRONG = "Жаңа-құпиясөз-2026!"


def _imported(email="imported@example.edu.kz", language="kk") -> User:
    user = UserFactory(email=email, preferred_language=language)
    user.set_unusable_password()
    user.save()
    return user


def _link(message) -> str:
    return LINK.search(message.body).group(1)


def _invite(users, actor, capture):
    with capture(execute=True):
        return invite(users=users, actor=actor)


def test_an_invitation_is_sent_in_the_recipient_language_and_logged(sysadmin, django_capture_on_commit_callbacks):
    kazakh, russian = _imported("kk@example.edu.kz", "kk"), _imported("ru@example.edu.kz", "ru")
    invitations = _invite([kazakh, russian], sysadmin, django_capture_on_commit_callbacks)
    assert len(invitations) == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    assert (
        by_address["kk@example.edu.kz"].subject
        == "[Инклюзия орталығы] Орталықтағы есептік жазбаңыз: құпиясөзіңізді орнатыңыз"
    )
    assert "Сілтеме бір рет және 14 күн ішінде жұмыс істейді." in by_address["kk@example.edu.kz"].body
    assert by_address["ru@example.edu.kz"].subject == "[Центр инклюзии] Ваша учётная запись в центре: установите пароль"
    assert "Ссылка действует один раз и в течение 14 дней." in by_address["ru@example.edu.kz"].body
    assert _link(by_address["ru@example.edu.kz"])
    for invitation in Invitation.objects.all():
        assert invitation.invited_by == sysadmin and invitation.emailed_at is not None
        assert invitation.history.filter(history_type="+").get().history_user == sysadmin
    # The job is safe to run twice: nothing more leaves.
    assert send_invitation_emails([i.pk for i in invitations]) == 0
    assert len(mail.outbox) == 2


def test_accounts_with_a_password_or_disabled_are_not_invited(sysadmin, student, django_capture_on_commit_callbacks):
    disabled = _imported("off@example.edu.kz")
    disabled.is_active = False
    disabled.save()
    assert _invite([student, disabled], sysadmin, django_capture_on_commit_callbacks) == []
    assert mail.outbox == [] and not Invitation.objects.exists()


def test_the_link_sets_a_password_once(client, sysadmin, django_capture_on_commit_callbacks):
    user = _imported(language="ru")
    _invite([user], sysadmin, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    client.cookies["language"] = "ru"
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert "Установите пароль" in form_page.content.decode()
    form_url = form_page.redirect_chain[-1][0]
    assert "first-password" in form_url  # the token left the address bar (and the Referer)
    mismatch = client.post(form_url, {"new_password1": STRONG, "new_password2": STRONG + "x"})
    assert mismatch.status_code == 422
    done = client.post(form_url, {"new_password1": STRONG, "new_password2": STRONG})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:invitation_done")
    user.refresh_from_db()
    assert user.check_password(STRONG)
    invitation = Invitation.objects.get(user=user)
    assert invitation.accepted_at is not None
    assert invitation.history.first().history_user == user
    # Used: the same link now says so, in the reader's language, and offers a new one.
    again = client.get(link, follow=True).content.decode()
    assert "Эта ссылка-приглашение больше не действует" in again
    assert reverse("accounts:password_reset") in again


def test_an_expired_link_says_so_and_offers_a_new_one(client, sysadmin, settings, django_capture_on_commit_callbacks):
    user = _imported()
    _invite([user], sysadmin, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    later = invitation_tokens._now() + timezone.timedelta(days=settings.INVITATION_VALID_DAYS, hours=1)
    client.cookies["language"] = "kk"
    with mock.patch.object(type(invitation_tokens), "_now", return_value=later):
        body = client.get(link, follow=True).content.decode()
    assert "Бұл шақыру сілтемесі енді жұмыс істемейді" in body
    assert reverse("accounts:password_reset") in body
    assert "new_password1" not in body
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_a_password_reset_token_is_no_invitation(client):
    user = _imported()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    body = client.get(reverse("accounts:invitation", args=[uid, token]), follow=True).content.decode()
    assert "new_password1" not in body


def test_the_sign_in_page_explains_the_first_sign_in(client):
    client.cookies["language"] = "ru"
    body = client.get(reverse("accounts:login")).content.decode()
    assert "Впервые здесь?" in body
    assert "письма-приглашения" in body
    assert f'<a href="{reverse("accounts:password_reset")}">Забыли пароль?</a>' in body


def test_the_admin_action_invites_the_selected_accounts_without_a_password(
    client, student, django_capture_on_commit_callbacks
):
    admin = UserFactory(is_staff=True, is_superuser=True, preferred_language="en")
    waiting = _imported()
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "send_invitation", "_selected_action": [waiting.pk, student.pk]},
            follow=True,
        )
    body = response.content.decode()
    assert "An invitation is on its way to 1 person." in body
    assert "1 account was left out" in body
    assert [message.to for message in mail.outbox] == [[waiting.email]]
    assert Invitation.objects.get().invited_by == admin


def test_the_import_invites_each_new_account_once(sysadmin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = import_reference(kind="lecturers", file=io.BytesIO(LECTURERS), actor=sysadmin)
    assert report.created == 2 and report.invited == 2
    assert sorted(message.to[0] for message in mail.outbox) == ["new.kk@example.edu.kz", "new.ru@example.edu.kz"]
    assert set(Invitation.objects.values_list("invited_by", flat=True)) == {sysadmin.pk}
    # The same file again creates nobody, and invites nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        again = import_reference(kind="lecturers", file=io.BytesIO(LECTURERS), actor=sysadmin)
    assert again.invited == 0 and len(mail.outbox) == 2


def test_the_import_can_skip_the_invitations(sysadmin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = import_reference(kind="lecturers", file=io.BytesIO(LECTURERS), actor=sysadmin, invite=False)
    assert report.created == 2 and report.invited == 0
    assert mail.outbox == [] and not Invitation.objects.exists()
    dry = import_reference(
        kind="lecturers", file=io.BytesIO(LECTURERS.replace(b"new.", b"dry.")), actor=sysadmin, dry_run=True
    )
    assert dry.invited == 0 and mail.outbox == []


@pytest.mark.parametrize("ticked,sent", [(True, 2), (False, 0)])
def test_the_import_page_sends_invitations_unless_told_not_to(
    client, sysadmin, ticked, sent, django_capture_on_commit_callbacks
):
    client.force_login(sysadmin)
    client.cookies["language"] = "en"
    data = {"kind": "lecturers", "file": SimpleUploadedFile("lecturers.csv", LECTURERS, "text/csv")}
    if ticked:
        data["invite"] = "on"
    assert client.post(reverse("students:reference_import"), data).status_code == 302
    token = client.get(reverse("students:reference_import_preview")).context["token"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("students:reference_import_confirm"), {"token": token})
    report = client.get(reverse("students:reference_import_report"))
    assert report.context["report"].invited == sent
    assert len(mail.outbox) == sent
    assert ("Invitations sent to new accounts" in report.content.decode()) == bool(sent)


def test_the_import_command_can_skip_the_invitations(tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "lecturers.csv"
    path.write_bytes(LECTURERS)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_reference", "lecturers", str(path), "--no-invitations", stdout=StringIO())
    assert User.objects.filter(email__startswith="new.").count() == 2 and mail.outbox == []
    path.write_bytes(LECTURERS.replace(b"new.", b"cli."))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_reference", "lecturers", str(path), stdout=out)
    assert sorted(message.to[0] for message in mail.outbox) == ["cli.kk@example.edu.kz", "cli.ru@example.edu.kz"]


def test_a_large_invitation_is_one_job_that_splits_itself(sysadmin, django_capture_on_commit_callbacks):
    people = [_imported(f"p{n}@example.edu.kz") for n in range(5)]
    with (
        mock.patch("inclusion_centre.accounts.tasks.INVITATIONS_PER_JOB", 2),
        django_capture_on_commit_callbacks(execute=True),
    ):
        invitations = invite(users=people, actor=sysadmin)
    jobs = list(OutboxMessage.objects.filter(task=send_invitation_emails.name).order_by("pk"))
    # The import (or the admin) queued one job with every invitation; it split itself into jobs of two.
    assert jobs[0].args == [[invitation.pk for invitation in invitations]]
    assert [len(job.args[0]) for job in jobs[1:]] == [2, 2, 1]
    assert sorted(message.to[0] for message in mail.outbox) == sorted(person.email for person in people)
    assert not Invitation.objects.filter(emailed_at__isnull=True).exists()
