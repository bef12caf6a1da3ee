"""Support delivered: each session a specialist gives under one support measure of a route in force."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from inclusion_centre.history import tracked

from .route import SupportMeasure


class SupportSession(models.Model):
    """One occasion of support under a measure of the route: when, how long, what was done, whether the student
    came. Written and corrected by services only (routes/services/support.py)."""

    measure = models.ForeignKey(
        SupportMeasure, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("support measure")
    )
    held_on = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(_("length in minutes"))
    notes = models.TextField(_("what was done"), blank=True)
    attended = models.BooleanField(_("the student came"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("support session")
        verbose_name_plural = _("support sessions")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["measure", "-held_on"])]

    def __str__(self):
        return f"{self.measure.who} {self.held_on:%Y-%m-%d}"
