"""Per-term activation of a route in force: the letter of accommodations a lecturer acknowledges when a course
the student has just enrolled on joins the route (routes/services/activation.py)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inclusion_centre.history import tracked

from .route import Route, RouteSection


class AccommodationLetter(models.Model):
    """What the lecturer of a newly enrolled course must provide under a route in force, sent without the student
    asking again. The lecturer acknowledges it; it is withdrawn when the course is dropped or the route ends."""

    class Status(models.TextChoices):
        SENT = "sent", _("Waiting for the lecturer to acknowledge")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged by the lecturer")
        WITHDRAWN = "withdrawn", _("No longer valid")

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="letters", verbose_name=_("route"))
    section = models.ForeignKey(
        RouteSection, on_delete=models.CASCADE, related_name="letters", verbose_name=_("course section")
    )
    lecturer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("lecturer")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SENT)
    sent_at = models.DateTimeField(_("sent at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("why it is no longer valid"), max_length=300, blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("letter of accommodations")
        verbose_name_plural = _("letters of accommodations")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["section"], condition=~Q(status="withdrawn"), name="routes_one_valid_letter_per_section"
            )
        ]
        indexes = [models.Index(fields=["lecturer", "status"])]

    def __str__(self):
        return f"{self.section} — {self.get_status_display()}"
