"""The individual educational route, its course sections, the lecturers' agreements and its reviews."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inclusion_centre.history import tracked
from students.models import Application

from .assessment import Conclusion


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
    # Exam arrangements (issue #22, item 1): structured, so the exam office can plan from them.
    exam_extra_time = models.PositiveSmallIntegerField(
        _("extra time at exams, per cent"),
        default=0,
        help_text=_("0 when the student sits exams in the standard time; at most 100."),
    )
    exam_separate_room = models.BooleanField(_("separate room at exams"), default=False)
    exam_reader = models.BooleanField(_("reader at exams"), default=False)
    exam_scribe = models.BooleanField(_("scribe at exams"), default=False)
    exam_assistive_technology = models.BooleanField(_("assistive technology at exams (computer)"), default=False)
    exam_oral = models.BooleanField(_("oral exam instead of written"), default=False)
    exam_rest_breaks = models.PositiveSmallIntegerField(
        _("rest breaks at exams, minutes"),
        default=0,
        help_text=_("Minutes of rest added to each exam; 0 for none; at most 60."),
    )
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
            models.CheckConstraint(
                condition=Q(exam_extra_time__lte=100, exam_rest_breaks__lte=60), name="routes_route_exam_limits"
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

    @property
    def has_exam_measures(self) -> bool:
        return bool(self.exam_extra_time or self.exam_rest_breaks or any(self.exam_flags))

    @property
    def exam_flags(self) -> list[bool]:
        return [
            self.exam_separate_room,
            self.exam_reader,
            self.exam_scribe,
            self.exam_assistive_technology,
            self.exam_oral,
        ]


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
        # Object grant of the lecturer asked to agree it (routes/models/grants.py).
        permissions = [("agree_routesection", _("Can agree or ask for changes to this course section"))]
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
        MSE_LAPSED = "mse_lapsed", _("The medical-social expertise conclusion lapsed")
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
