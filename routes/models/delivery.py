"""End-of-term delivery surveys: the student and each lecturer of a route in force say, per support measure and
per course, whether what the route promised was provided (routes/services/delivery.py)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inclusion_centre.history import tracked

from .route import Route, RouteSection, SupportMeasure


class DeliverySurvey(models.Model):
    """One person's survey for one route and one ended term. The student is asked about every measure and every
    course of the term; a lecturer about their own courses of the term only."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the answer")
        ANSWERED = "answered", pgettext_lazy("state of a delivery survey", "Answered")
        EXPIRED = "expired", _("Closed without an answer")

    class Role(models.TextChoices):
        STUDENT = "student", pgettext_lazy("who answers a survey", "Student")
        LECTURER = "lecturer", pgettext_lazy("who answers a survey", "Lecturer")

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="surveys", verbose_name=_("route"))
    term = models.ForeignKey(
        "students.AcademicTerm", on_delete=models.PROTECT, related_name="+", verbose_name=_("term")
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delivery_surveys", verbose_name=_("asked")
    )
    role = models.CharField(_("asked as"), max_length=8, choices=Role.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(_("opened at"))
    due_on = models.DateField(_("answer due by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    fell_short = models.BooleanField(_("delivery fell short"), default=False)

    history = tracked()

    class Meta:
        verbose_name = _("delivery survey")
        verbose_name_plural = _("delivery surveys")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            # Opening surveys again for the same term finds them there and adds nothing.
            models.UniqueConstraint(fields=["route", "term", "respondent"], name="routes_one_survey_per_person_term")
        ]
        indexes = [
            models.Index(fields=["respondent", "status"]),
            models.Index(fields=["route", "fell_short"]),
        ]

    def __str__(self):
        return f"{self.route} — {self.term} — {self.get_role_display()}"


class DeliveryAnswer(models.Model):
    """One question of a survey: a support measure of the route, or a course section (its adaptations). Blank
    until the survey is answered."""

    class Answer(models.TextChoices):
        YES = "yes", pgettext_lazy("was it provided", "Yes")
        PARTLY = "partly", pgettext_lazy("was it provided", "Partly")
        NO = "no", pgettext_lazy("was it provided", "No")

    SHORT = frozenset({Answer.PARTLY, Answer.NO})

    survey = models.ForeignKey(
        DeliverySurvey, on_delete=models.CASCADE, related_name="answers", verbose_name=_("delivery survey")
    )
    measure = models.ForeignKey(
        SupportMeasure,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="delivery_answers",
        verbose_name=_("support measure"),
    )
    section = models.ForeignKey(
        RouteSection,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="delivery_answers",
        verbose_name=_("course section"),
    )
    answer = models.CharField(_("was it provided?"), max_length=8, choices=Answer.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = tracked()

    class Meta:
        verbose_name = _("delivery survey answer")
        verbose_name_plural = _("delivery survey answers")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(measure__isnull=True, section__isnull=False)
                | Q(measure__isnull=False, section__isnull=True),
                name="routes_delivery_answer_measure_or_section",
            )
        ]

    def __str__(self):
        return str(self.measure or self.section)

    @property
    def is_short(self) -> bool:
        return self.answer in self.SHORT
