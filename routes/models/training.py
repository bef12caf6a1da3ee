"""Training of staff on inclusion (regulation §3.4–3.5, §7.1): seminars and courses the centre keeps, who attended,
and each attendee's certificate number."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inclusion_centre.history import tracked


class TrainingEvent(models.Model):
    """A seminar or course: planned, then held (attendance recorded) or cancelled."""

    class Kind(models.TextChoices):
        SEMINAR = "seminar", _("Seminar")
        COURSE = "course", pgettext_lazy("kind of training", "Course")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SEMINAR)
    held_on = models.DateField(_("date"))
    hours = models.PositiveSmallIntegerField(_("hours"))
    organiser = models.CharField(_("organiser"), max_length=300)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("training event")
        verbose_name_plural = _("training events")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gte=1, hours__lte=500), name="routes_training_hours_range"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("routes:training_event", args=[self.pk])


class TrainingAttendance(models.Model):
    """A member of staff attended a held event; the number of the certificate they were given."""

    event = models.ForeignKey(
        TrainingEvent, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("training event")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="trainings", verbose_name=_("attendee")
    )
    certificate_number = models.CharField(_("certificate number"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendances")
        ordering = ["event", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="routes_training_attendance_once"),
            models.UniqueConstraint(
                fields=["certificate_number"],
                condition=~Q(certificate_number=""),
                name="routes_training_certificate_unique",
            ),
        ]
        indexes = [models.Index(fields=["user", "event"])]

    def __str__(self):
        return f"{self.user} — {self.event}"
