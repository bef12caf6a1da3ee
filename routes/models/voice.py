"""The student's voice on their route (regulation §4.4): a comment on the draft before it goes to the lecturers,
and the acknowledgement of the approved route, with or without what they disagree with
(routes/services/voice.py)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inclusion_centre.history import tracked

from .route import Route


class StudentVoice(models.Model):
    """One thing the student (or their legal representative, for them) said about one route version."""

    class Kind(models.TextChoices):
        COMMENT = "comment", pgettext_lazy("the student's voice", "Comment on the draft")
        ACKNOWLEDGED = "acknowledged", pgettext_lazy("the student's voice", "Acknowledged")
        DISAGREED = "disagreed", pgettext_lazy("the student's voice", "Acknowledged with disagreement")

    ACKNOWLEDGEMENTS = frozenset({Kind.ACKNOWLEDGED, Kind.DISAGREED})
    TEXT_MAX_LENGTH = 3000

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="voices", verbose_name=_("route"))
    kind = models.CharField(pgettext_lazy("the student's voice", "kind"), max_length=16, choices=Kind.choices)
    text = models.TextField(pgettext_lazy("the student's voice", "text"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("student's comment or acknowledgement")
        verbose_name_plural = _("students' comments and acknowledgements")
        ordering = ["created_at", "pk"]
        constraints = [
            # A route version is acknowledged once; comments on the draft are as many as the student writes.
            models.UniqueConstraint(
                fields=["route"],
                condition=Q(kind__in=["acknowledged", "disagreed"]),
                name="routes_one_acknowledgement_per_route",
            )
        ]

    def __str__(self):
        return f"{self.route} — {self.get_kind_display()}"

    @property
    def is_acknowledgement(self) -> bool:
        return self.kind in self.ACKNOWLEDGEMENTS
