"""The daily digest: each person is told once a day what they owe, and the centre head what is overdue."""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.notifications import notify
from inclusion_centre.accounts.roles import Role

from ..deadlines import Step, open_steps, steps_by_owner


def _line(step: Step, today: datetime.date, *, owner: User | None = None) -> str:
    text = _("• %(step)s: %(subject)s — due %(date)s") % {
        "step": step.label,
        "subject": step.subject,
        "date": step.due.strftime("%d.%m.%Y"),
    }
    if step.is_overdue(today):
        text += " " + _("(overdue)")
    if owner is not None:
        text += " " + _("— owed by %(name)s") % {"name": owner.full_name}
    return text


def _lines_for(recipient: User, build) -> str:
    with translation.override(recipient.preferred_language or settings.LANGUAGE_CODE):
        return "\n".join(build())


@transaction.atomic
def send_daily_digests(*, today: datetime.date | None = None) -> int:
    """Send today's digests; returns how many people got one. Running it twice on one day sends nothing twice.

    A person hears of a step from `settings.REMIND_DAYS_BEFORE` days before it is due; nothing is sent to someone
    who owes nothing. Each centre head also gets the list of every overdue step and who owes it.
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.REMIND_DAYS_BEFORE)
    steps = open_steps()
    sent = 0
    for owner, owed in steps_by_owner(steps).values():
        near = [step for step in owed if step.due <= horizon]
        if not near:
            continue
        lines = _lines_for(owner, lambda near=near: [_line(step, today) for step in near])
        notify(
            recipient=owner,
            kind="daily_digest",
            subject=gettext_noop("What is waiting for you today"),
            body=gettext_noop("These steps are waiting for you:\n%(lines)s"),
            url=near[0].url,
            dedup_key=f"daily_digest:{today.isoformat()}:{owner.pk}",
            context={"lines": lines},
        )
        sent += 1
    overdue = [step for step in steps if step.is_overdue(today)]
    if overdue:
        heads = User.objects.filter(groups__name=Role.CENTRE_HEAD.value, is_active=True)
        for head in heads:
            lines = _lines_for(
                head,
                lambda: [_line(step, today, owner=owner) for step in overdue for owner in step.owners],
            )
            notify(
                recipient=head,
                kind="overdue_escalation",
                subject=gettext_noop("Overdue steps in the centre"),
                body=gettext_noop("These steps are overdue:\n%(lines)s"),
                url=reverse("routes:dashboard"),
                dedup_key=f"overdue_escalation:{today.isoformat()}:{head.pk}",
                context={"lines": lines},
            )
            sent += 1
    return sent
