"""Consultations for lecturers (regulation §5.2 c, §7.2): a lecturer asks the centre how to adapt the teaching of a
course, optionally about one student of theirs with a route; a centre specialist takes the request and answers it,
due within working days. The library of guidance notes, one per entry of the adaptation catalogue."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from inclusion_centre.history import tracked

from .assessment import Adaptation

NOTE_LANGUAGES = ("kk", "ru", "en", "ky")


class GuidanceNote(models.Model):
    """How to provide one adaptation in teaching: a title and a text in each language, as the catalogue keeps its
    names (Kazakh required; a missing language falls back like the catalogue's names). Edited by the centre head."""

    adaptation = models.OneToOneField(
        Adaptation, on_delete=models.PROTECT, related_name="guidance_note", verbose_name=_("adaptation")
    )
    title_kk = models.CharField(_("title (Kazakh)"), max_length=200)
    title_ru = models.CharField(_("title (Russian)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_ky = models.CharField(_("title (Kyrgyz)"), max_length=200, blank=True)
    body_kk = models.TextField(_("text (Kazakh)"), max_length=10000)
    body_ru = models.TextField(_("text (Russian)"), max_length=10000, blank=True)
    body_en = models.TextField(_("text (English)"), max_length=10000, blank=True)
    body_ky = models.TextField(_("text (Kyrgyz)"), max_length=10000, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("updated by")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = tracked()

    class Meta:
        verbose_name = _("guidance note")
        verbose_name_plural = _("guidance notes")
        ordering = ["adaptation__group", "adaptation__order", "adaptation__code"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("routes:guidance_note", args=[self.adaptation_id])

    def _localized(self, field: str) -> str:
        language = (get_language() or "kk")[:2]
        value = {
            "ru": getattr(self, f"{field}_ru"),
            "ky": getattr(self, f"{field}_ky") or getattr(self, f"{field}_ru"),
            "en": getattr(self, f"{field}_en") or getattr(self, f"{field}_ru"),
        }.get(language)
        return value or getattr(self, f"{field}_kk")

    @property
    def title(self) -> str:
        return self._localized("title")

    @property
    def body(self) -> str:
        return self._localized("body")


class Consultation(models.Model):
    """A lecturer's question to the centre about a course they teach, and the centre's answer."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for an answer")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    lecturer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultations", verbose_name=_("lecturer")
    )
    course = models.ForeignKey("students.Course", on_delete=models.PROTECT, related_name="+", verbose_name=_("course"))
    student = models.ForeignKey(
        "students.Student",
        on_delete=models.PROTECT,
        related_name="consultations",
        verbose_name=_("student"),
        null=True,
        blank=True,
    )
    question = models.TextField(_("question"), max_length=4000)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    due_on = models.DateField(_("answer due by"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("taken by"),
        null=True,
        blank=True,
    )
    answer = models.TextField(_("answer"), max_length=8000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("answered by"),
        null=True,
        blank=True,
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_reason = models.TextField(_("reason for closing"), max_length=2000, blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("consultation request")
        verbose_name_plural = _("consultation requests")
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["lecturer", "-requested_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="answered") | ~Q(answer=""), name="routes_consultation_answer_text"
            ),
        ]

    def __str__(self):
        return f"{self.course} #{self.pk}"

    def get_absolute_url(self):
        return reverse("routes:consultation", args=[self.pk])
