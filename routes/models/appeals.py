"""Appeals (regulation §8, issue #25): the student or their legal representative contests a decision of the centre
(the rejection of their application, a signed conclusion, an approved route). The appeal has its own deadline in
working days, goes to a reviewer who is not the author of the decision, and ends in a recorded, reasoned answer."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inclusion_centre.history import tracked


class Appeal(models.Model):
    class Subject(models.TextChoices):
        REJECTION = "rejection", _("Rejection of the application")
        CONCLUSION = "conclusion", _("The centre's conclusion")
        ROUTE = "route", _("The approved route")

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        UNDER_REVIEW = "under_review", _("Under review")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN = frozenset({Status.FILED, Status.UNDER_REVIEW})  # still owed an answer: may be overdue
    ANSWERED = frozenset({Status.UPHELD, Status.DISMISSED})

    application = models.ForeignKey(
        "students.Application", on_delete=models.PROTECT, related_name="appeals", verbose_name=_("application")
    )
    subject = models.CharField(_("decision appealed"), max_length=16, choices=Subject.choices)
    conclusion = models.ForeignKey(
        "routes.Conclusion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("conclusion"),
    )
    route = models.ForeignKey(
        "routes.Route", on_delete=models.PROTECT, null=True, blank=True, related_name="appeals", verbose_name=_("route")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author of the decision"),
    )
    grounds = models.TextField(_("grounds of the appeal"), max_length=4000)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.FILED)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("filed by")
    )
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    due_on = models.DateField(_("answer due by"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    answer = models.TextField(_("answer"), max_length=4000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-filed_at", "-pk"]
        indexes = [
            models.Index(fields=["reviewer", "status", "due_on"]),
            models.Index(fields=["application", "filed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["upheld", "dismissed"]) | ~Q(answer=""), name="routes_appeal_answer_reasoned"
            ),
            models.CheckConstraint(
                condition=Q(subject="rejection", conclusion__isnull=True, route__isnull=True)
                | Q(subject="conclusion", conclusion__isnull=False, route__isnull=True)
                | Q(subject="route", conclusion__isnull=True, route__isnull=False),
                name="routes_appeal_subject_object",
            ),
        ]

    def __str__(self):
        return f"{self.get_subject_display()} #{self.pk}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("routes:appeal", args=[self.pk])

    @property
    def decision_label(self) -> str:
        """The decision by its number where it has one."""
        if self.subject == self.Subject.CONCLUSION and self.conclusion is not None:
            return self.conclusion.registration_number or ""
        if self.subject == self.Subject.ROUTE and self.route is not None:
            return self.route.registration_number or ""
        return self.application.registration_number or ""
