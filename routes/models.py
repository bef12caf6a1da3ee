"""The centre's assessment of needs and its conclusion (regulation §5.2, §10, §10.1)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.history import tracked
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


# --- The individual educational route (ЖББМ, regulation §6.2, §6.3, §7.1, §10.1) ----------------------------


class Route(models.Model):
    """One version of a student's individual educational route.

    A revision is a new Route row with `previous` pointing at the version it replaces; the old row stays in the
    file (under review while the new version is agreed, then superseded). `revision` counts saves, so a form
    shown before someone else's change is refused rather than written over it.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_AGREEMENT = "in_agreement", _("With the lecturers for agreement")
        IN_APPROVAL = "in_approval", _("With the administration for approval")
        IN_FORCE = "in_force", _("Approved, in force")
        UNDER_REVIEW = "under_review", _("In force, being revised")
        SUPERSEDED = "superseded", _("Replaced by a newer version")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    FINAL = frozenset({Status.SUPERSEDED, Status.COMPLETED, Status.CANCELLED})
    APPROVED = frozenset({Status.IN_FORCE, Status.UNDER_REVIEW, Status.SUPERSEDED, Status.COMPLETED})

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="routes", verbose_name=_("application")
    )
    conclusion = models.ForeignKey(
        Conclusion, on_delete=models.PROTECT, related_name="routes", verbose_name=_("conclusion it follows")
    )
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name=_("previous version"),
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)

    academic_year = models.CharField(_("academic year"), max_length=9)
    term = models.ForeignKey(
        "students.AcademicTerm",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("term"),
        help_text=_("Empty when the route covers the whole academic year."),
    )
    goals = models.TextField(_("goals"), blank=True)
    support_level = models.CharField(
        _("level of support"), max_length=1, choices=Conclusion.SupportLevel.choices, blank=True
    )
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tutor"),
    )
    timetable = models.TextField(_("individual timetable arrangements"), blank=True)
    methods = models.TextField(_("special methods and technologies"), blank=True)
    first_review_on = models.DateField(_("review date"), null=True, blank=True)
    second_review_on = models.DateField(_("second review date"), null=True, blank=True)
    revision_reason = models.TextField(_("reason for the new version"), blank=True)

    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("drafted by")
    )
    agreement_round = models.PositiveSmallIntegerField(_("agreement round"), default=0)
    sent_for_agreement_at = models.DateTimeField(_("sent for agreement at"), null=True, blank=True)
    sent_for_approval_at = models.DateTimeField(_("sent for approval at"), null=True, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=40, unique=True, null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    closed_reason = models.TextField(_("reason for closing"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = tracked()

    class Meta:
        verbose_name = _("individual educational route")
        verbose_name_plural = _("individual educational routes")
        ordering = ["application", "-version"]
        permissions = [
            ("approve_route", _("Can approve or return individual educational routes")),
            ("manage_route", _("Can see and cancel every route (centre head)")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["application", "version"], name="routes_route_version_unique"),
            # At most one version of a case is being worked on at a time.
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status__in=["draft", "in_agreement", "in_approval"]),
                name="routes_one_open_route_per_case",
            ),
        ]
        indexes = [models.Index(fields=["status", "sent_for_approval_at"])]

    def __str__(self):
        return self.registration_number or str(_("Route (draft), version %(version)s") % {"version": self.version})

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

    @property
    def period_label(self) -> str:
        return str(self.term) if self.term_id else self.academic_year


class SupportMeasure(models.Model):
    """A psychological-pedagogical support measure of the route's general part: who, what, how often, until when."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="measures", verbose_name=_("route"))
    who = models.CharField(_("who"), max_length=200)
    what = models.TextField(_("what"))
    frequency = models.CharField(_("how often"), max_length=200, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = tracked()

    class Meta:
        verbose_name = _("support measure")
        verbose_name_plural = _("support measures")
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.who}: {self.what[:60]}"


class RouteSection(models.Model):
    """The part of the route for one course: what its lecturer adapts, and agrees."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="sections", verbose_name=_("route"))
    course = models.ForeignKey("students.Course", on_delete=models.PROTECT, related_name="+", verbose_name=_("course"))
    term = models.ForeignKey(
        "students.AcademicTerm", on_delete=models.PROTECT, related_name="+", verbose_name=_("term")
    )
    lecturer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="route_sections", verbose_name=_("lecturer")
    )
    content_adaptation = models.TextField(_("adaptation of the content"), blank=True)
    methods = models.TextField(_("methods and materials"), blank=True)
    assessment_forms = models.TextField(_("forms of assessment"), blank=True)
    added_manually = models.BooleanField(_("added by hand (not in the enrolment data)"), default=False)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removal_reason = models.TextField(_("reason for removal"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = tracked()

    class Meta:
        verbose_name = _("course section")
        verbose_name_plural = _("course sections")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["route", "course", "term"],
                condition=Q(removed_at__isnull=True),
                name="routes_one_section_per_course",
            )
        ]
        indexes = [models.Index(fields=["lecturer", "route"])]

    def __str__(self):
        return str(self.course)

    @property
    def is_active(self) -> bool:
        return self.removed_at is None


class Agreement(models.Model):
    """A lecturer's answer on one course section, for one round of agreement of one route version.

    `fingerprint` is the hash of what the lecturer was asked to agree (the section and the general part they
    read); when the route comes back for agreement, an answer whose fingerprint still matches is kept and only
    changed sections are asked again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the lecturer")
        AGREED = "agreed", _("Agreed")
        AGREED_WITH_REMARKS = "agreed_remarks", _("Agreed with remarks")
        CHANGES_REQUESTED = "changes", _("Changes requested")
        WITHDRAWN = "withdrawn", _("No longer valid")

    ANSWERS = (Status.AGREED, Status.AGREED_WITH_REMARKS, Status.CHANGES_REQUESTED)

    section = models.ForeignKey(
        RouteSection, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("course section")
    )
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("route"))
    lecturer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("lecturer")
    )
    round = models.PositiveSmallIntegerField(_("round"))
    fingerprint = models.CharField(_("fingerprint of the agreed text"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    comment = models.TextField(_("comment"), blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    due_on = models.DateField(_("due on"))
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("why it is no longer valid"), max_length=300, blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("lecturer agreement")
        verbose_name_plural = _("lecturer agreements")
        ordering = ["section__order", "section_id", "-round"]
        constraints = [
            models.UniqueConstraint(
                fields=["section"],
                condition=~Q(status="withdrawn"),
                name="routes_one_valid_agreement_per_section",
            )
        ]
        indexes = [models.Index(fields=["lecturer", "status", "due_on"])]

    def __str__(self):
        return f"{self.section} — {self.get_status_display()}"

    @property
    def is_positive(self) -> bool:
        return self.status in {self.Status.AGREED, self.Status.AGREED_WITH_REMARKS}


class RouteReview(models.Model):
    """A review of a route in force: at a review date or after the student reported changed needs (§9)."""

    class Reason(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled review date")
        CHANGED_NEEDS = "changed_needs", _("The student reported changed needs")
        OTHER = "other", _("Other reason")

    class Outcome(models.TextChoices):
        CONTINUE = "continue", _("Continue the route as it is")
        REVISE = "revise", _("Revise: draft a new version")
        COMPLETE = "complete", _("Complete the route: support is no longer needed in this form")

    route = models.ForeignKey(Route, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("route"))
    reason = models.CharField(_("reason for the review"), max_length=16, choices=Reason.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    comment = models.TextField(_("comment"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewed by")
    )
    created_at = models.DateTimeField(_("reviewed at"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("route review")
        verbose_name_plural = _("route reviews")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.route} — {self.get_outcome_display()}"


class ChangedNeedsReport(models.Model):
    """The student (or their representative) tells the centre their needs have changed (regulation §9)."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="changed_needs", verbose_name=_("application")
    )
    text = models.TextField(_("what has changed"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    review = models.ForeignKey(
        RouteReview,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("answered by the review"),
    )

    history = tracked()

    class Meta:
        verbose_name = _("report of changed needs")
        verbose_name_plural = _("reports of changed needs")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.application} {self.created_at:%Y-%m-%d}"
