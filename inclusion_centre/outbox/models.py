"""The outbox: every background job, written in the same transaction as the change that caused it.

A job is a row before it is a Celery message. The row commits with the caller's change or not at all; after the
commit it is published to the broker. When the broker cannot be reached, the row stays pending and the periodic
relay (`relay_outbox`) publishes it later, so nothing is lost while Redis is down.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inclusion_centre.history import tracked


class OutboxMessage(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", pgettext_lazy("outbox state", "Sent")
        FAILED = "failed", _("Failed")

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("positional arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    queue = models.CharField(_("queue"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    # Whose action caused the job: the history of the row and the task's own history rows name them.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acting user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = tracked()

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["pk"]
        indexes = [
            # The relay's question: pending rows, oldest first.
            models.Index(fields=["state", "created_at"], name="outbox_state_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk} ({self.state})"
