"""The centre's assessment of needs and its conclusion (regulation §5.2, §10, §10.1)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inclusion_centre.history import tracked
from students.models import Application, CatalogueEntry


class Adaptation(CatalogueEntry):
    """An entry of the adaptation catalogue, grouped as in the regulation (§5.3, §6.2)."""

    class Group(models.TextChoices):
        FORMATS = "formats", _("Alternative formats of materials")
        CONTENT = "content", _("Adaptation of content")
        TIMETABLE = "timetable", _("Individual timetable")
        METHODS = "methods", _("Special methods and technologies")
        ASSESSMENT = "assessment", _("Forms of assessment")
        SUPPORT = "support", _("Psychological-pedagogical support")
        PHYSICAL = "physical", _("Physical accessibility")

    group = models.CharField(_("group"), max_length=16, choices=Group.choices)

    history = tracked()

    class Meta(CatalogueEntry.Meta):
        verbose_name = _("adaptation")
        verbose_name_plural = _("adaptation catalogue")
        ordering = ["group", "order", "code"]


class Area(models.TextChoices):
    COGNITIVE = "cognitive", _("Cognitive")
    SPEECH = "speech", _("Speech")
    SOCIAL_COMMUNICATIVE = "social_communicative", _("Social and communicative")
    EMOTIONAL = "emotional", _("Emotional and personal")
    PHYSICAL_SENSORY = "physical_sensory", _("Physical and sensory")
    SOCIAL_SITUATION = "social_situation", _("Social situation")


class Assignment(models.Model):
    """A specialist assigned by the centre head to assess one area of a case."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("application")
    )
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("specialist")
    )
    area = models.CharField(_("area"), max_length=24, choices=Area.choices)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assigned by")
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("unassigned at"), null=True, blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "specialist", "area"],
                condition=Q(ended_at__isnull=True),
                name="routes_one_active_assignment_per_area",
            )
        ]

    def __str__(self):
        return f"{self.specialist} — {self.get_area_display()}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class Assessment(models.Model):
    """One specialist's findings in one area. Drafts save incomplete; the specialist marks theirs finished."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FINISHED = "finished", _("Finished")

    assignment = models.OneToOneField(
        Assignment, on_delete=models.PROTECT, related_name="assessment", verbose_name=_("assignment")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    findings = models.TextField(_("findings"), blank=True)
    strengths = models.TextField(_("strengths"), blank=True)
    barriers = models.TextField(_("barriers"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = tracked()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        # Object grant of the specialist whose assignment it is (routes/models/grants.py).
        permissions = [("edit_assessment", _("Can write this assessment (the specialist assigned)"))]

    def __str__(self):
        return str(self.assignment)


class Recommendation(models.Model):
    """A recommendation of an assessment: a catalogue entry, or free text, or both (free text explains)."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="recommendations", verbose_name=_("assessment")
    )
    adaptation = models.ForeignKey(
        Adaptation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("adaptation")
    )
    text = models.TextField(_("in the specialist's words"), blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(adaptation__isnull=False) | ~Q(text=""), name="routes_recommendation_not_empty"
            )
        ]

    def __str__(self):
        return self.adaptation.name if self.adaptation_id else self.text[:80]


class Conclusion(models.Model):
    """The centre's written conclusion. Signed means registered and frozen; a change is a new version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")

    class SupportLevel(models.TextChoices):
        # The three-level model of psychological-pedagogical support (seeds/002, seeds/004).
        UNIVERSAL = "1", _("Level 1: universal support in ordinary classes")
        TARGETED = "2", _("Level 2: targeted support and adaptations")
        INTENSIVE = "3", _("Level 3: intensive individual support")

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="conclusions", verbose_name=_("application")
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    analysis = models.TextField(_("analysis of educational needs"), blank=True)
    support_level = models.CharField(
        _("recommended level of support"), max_length=1, choices=SupportLevel.choices, blank=True
    )
    revision_reason = models.TextField(_("reason for the new version"), blank=True)
    specialists = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("specialists who took part"), blank=True
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("drafted by")
    )
    registration_number = models.CharField(_("registration number"), max_length=40, unique=True, null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("signed by"),
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = tracked(m2m_fields=[specialists])

    class Meta:
        verbose_name = _("conclusion")
        verbose_name_plural = _("conclusions")
        ordering = ["application", "-version"]
        permissions = [("sign_conclusion", _("Can sign conclusions"))]
        constraints = [
            models.UniqueConstraint(fields=["application", "version"], name="routes_conclusion_version_unique"),
            models.UniqueConstraint(
                fields=["application"], condition=Q(status="draft"), name="routes_one_draft_conclusion"
            ),
        ]

    def __str__(self):
        return self.registration_number or str(_("Conclusion (draft)"))


class ConclusionItem(models.Model):
    """A recommended adaptation of a conclusion, traceable to the assessment recommendations it merges."""

    conclusion = models.ForeignKey(
        Conclusion, on_delete=models.CASCADE, related_name="items", verbose_name=_("conclusion")
    )
    adaptation = models.ForeignKey(
        Adaptation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("adaptation")
    )
    text = models.TextField(_("wording"), blank=True)
    sources = models.ManyToManyField(
        Recommendation, related_name="+", verbose_name=_("from the assessments"), blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = tracked(m2m_fields=[sources])

    class Meta:
        verbose_name = _("recommended adaptation")
        verbose_name_plural = _("recommended adaptations")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.adaptation.name if self.adaptation_id else self.text[:80]
