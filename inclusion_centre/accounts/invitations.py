"""Invitations: the first sign-in of a person whose account was made for them (imported students and lecturers).

`invite(users=…, actor=…)` records an Invitation per person and queues the e-mails through the outbox; each e-mail
carries a link that lets the person set a password once. The link expires after INVITATION_VALID_DAYS and stops
working as soon as a password is set (the token is derived from the stored password, as Django's reset links are).
An expired or used link leads to a page that offers "Forgot your password?", which works for these accounts too.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from inclusion_centre.history import acting_as
from inclusion_centre.outbox.services import enqueue

from .models import Invitation, User
from .tasks import send_invitation_emails
from .tokens import invitation_tokens

__all__ = ["can_be_invited", "invitation_accepted", "invitation_tokens", "invite", "invite_by_ids"]


def can_be_invited(user: User) -> bool:
    """Active accounts that have no password yet: the others sign in, or use "Forgot your password?"."""
    return user.is_active and not user.has_usable_password()


def invite(*, users: Iterable[User], actor: User | None) -> list[Invitation]:
    """Record an invitation for each of `users` who can be invited and queue their e-mails after commit; returns
    the invitations made (the others are left out silently: the caller counts them if it must tell)."""
    invited = [user for user in users if can_be_invited(user)]
    with transaction.atomic(), acting_as(actor):
        invitations = bulk_create_with_history(
            [Invitation(user=user, invited_by=actor) for user in invited], Invitation, default_user=actor
        )
        if invitations:
            # One job, whatever the number: it splits itself into smaller ones (tasks.send_invitation_emails).
            enqueue(send_invitation_emails, [invitation.pk for invitation in invitations])
    return invitations


def invite_by_ids(*, user_ids: Iterable[int], actor: User | None) -> list[Invitation]:
    return invite(users=User.objects.filter(pk__in=list(user_ids)), actor=actor)


def invitation_accepted(*, user: User) -> None:
    """The person set their password through an invitation: its open invitations are marked used (history kept)."""
    now = timezone.now()
    with transaction.atomic(), acting_as(user):
        for invitation in Invitation.objects.select_for_update().filter(user=user, accepted_at__isnull=True):
            invitation.accepted_at = now
            invitation._change_reason = "password set through the invitation"
            invitation.save(update_fields=["accepted_at"])
