"""The centre's assessment of needs and its conclusion (regulation §5.2, §10, §10.1)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
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


# --- Interdisciplinary team meetings ---
#
# The team (centre head as chair, specialists, tutor, lecturers, and where relevant the student or their
# representative as guests) meets about the cases on its agenda (regulation §10). The meeting is the plan and the
# invitations; the protocol is what was recorded there, signed by the chair and the secretary, registered and
# frozen. A correction of a signed protocol is a new Protocol row (a new version) with its own attendance and
# item records, signed and registered again; the version it replaces stays readable as superseded.


class TeamMeeting(models.Model):
    """An interdisciplinary team meeting: planned → held → protocol signed (or cancelled before it is held).

    `sequence` is the iCalendar SEQUENCE of the invitation: it grows when the time or the place changes, so the
    members' calendars replace the old invitation. `revision` counts saves of the plan, so a form shown before
    someone else's change is refused rather than written over it.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held, the protocol is being written")
        SIGNED = "signed", _("Protocol signed")
        CANCELLED = "cancelled", _("Cancelled")

    uid = models.UUIDField(_("calendar identifier"), default=uuid.uuid4, unique=True, editable=False)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online meeting link"), max_length=500, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("chair")
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("secretary")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True)
    sequence = models.PositiveIntegerField(_("invitation sequence"), default=0)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("planned by")
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = tracked()

    class Meta:
        verbose_name = _("team meeting")
        verbose_name_plural = _("team meetings")
        ordering = ["-starts_at", "-pk"]
        permissions = [("manage_teammeeting", _("Can plan and manage every team meeting (centre head)"))]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="routes_meeting_ends_after_start"),
            models.CheckConstraint(condition=~Q(chair=F("secretary")), name="routes_meeting_chair_is_not_secretary"),
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(online_link=""), name="routes_meeting_has_place_or_link"
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self):
        return str(_("Team meeting of %(date)s") % {"date": timezone.localtime(self.starts_at).strftime("%d.%m.%Y")})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PLANNED


class MeetingMember(models.Model):
    """A person invited to a meeting, in the capacity that decides what of it they see, and their answer."""

    class Capacity(models.TextChoices):
        CENTRE = "centre", _("Centre staff")
        LECTURER = "lecturer", _("Lecturer")
        GUEST = "guest", _("Invited guest (student or representative)")

    class Invitation(models.TextChoices):
        INVITED = "invited", _("Invited, no answer yet")
        CONFIRMED = "confirmed", _("Will attend")
        DECLINED = "declined", _("Declined")

    meeting = models.ForeignKey(
        TeamMeeting, on_delete=models.CASCADE, related_name="members", verbose_name=_("meeting")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="meeting_memberships",
        verbose_name=_("member"),
    )
    capacity = models.CharField(_("capacity"), max_length=10, choices=Capacity.choices)
    invitation = models.CharField(
        _("answer to the invitation"), max_length=10, choices=Invitation.choices, default=Invitation.INVITED
    )
    answer_comment = models.CharField(_("comment on the answer"), max_length=500, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    invited_at = models.DateTimeField(_("invited at"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("meeting member")
        verbose_name_plural = _("meeting members")
        ordering = ["capacity", "user__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="routes_one_membership_per_meeting"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_invitation_display()}"

    @property
    def votes(self) -> bool:
        """Guests take part in the discussion of their case but do not vote."""
        return self.capacity != self.Capacity.GUEST


class AgendaItem(models.Model):
    """A question on the agenda: always about one case, optionally about one version of its route."""

    class Topic(models.TextChoices):
        MEASURES = "measures", _("Approval of support measures")
        ROUTE_REVIEW = "route_review", _("Review of the route")
        CHANGED_NEEDS = "changed_needs", _("A change in the student's needs")
        CONCLUSION = "conclusion", _("Discussion of the centre's conclusion")
        OTHER = "other", _("Another question about the case")

    meeting = models.ForeignKey(TeamMeeting, on_delete=models.CASCADE, related_name="items", verbose_name=_("meeting"))
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="meeting_items", verbose_name=_("case")
    )
    route = models.ForeignKey(
        Route,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_items",
        verbose_name=_("route"),
    )
    topic = models.CharField(_("question"), max_length=16, choices=Topic.choices)
    # May say why the case is discussed, which can be health information: only centre staff read it.
    note = models.TextField(_("note for the centre staff"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = tracked()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["application", "meeting"])]

    def __str__(self):
        return f"{self.order}. {self.get_topic_display()}"


class Protocol(models.Model):
    """One version of a meeting's protocol: drafted by the secretary, signed by the chair and the secretary.

    The second signature registers it (number and date) and freezes it. A correction is a new version that must
    be signed again; on its registration the version it corrects becomes superseded.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft, waiting for signatures")
        SIGNED = "signed", _("Signed and registered")
        SUPERSEDED = "superseded", _("Replaced by a corrected version")

    meeting = models.ForeignKey(
        TeamMeeting, on_delete=models.PROTECT, related_name="protocols", verbose_name=_("meeting")
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name=_("corrects the version"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    registration_number = models.CharField(_("registration number"), max_length=40, unique=True, null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    chair_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by the chair"),
    )
    chair_signed_at = models.DateTimeField(_("chair signed at"), null=True, blank=True)
    secretary_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by the secretary"),
    )
    secretary_signed_at = models.DateTimeField(_("secretary signed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = tracked()

    class Meta:
        verbose_name = _("protocol")
        verbose_name_plural = _("protocols")
        ordering = ["meeting", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="routes_protocol_version_unique"),
            models.UniqueConstraint(fields=["meeting"], condition=Q(status="draft"), name="routes_one_draft_protocol"),
        ]

    def __str__(self):
        return self.registration_number or str(_("Protocol (draft), version %(version)s") % {"version": self.version})

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Attendance(models.Model):
    """Whether a member was at the meeting, as one protocol version records it."""

    class Presence(models.TextChoices):
        UNKNOWN = "unknown", _("Not recorded yet")
        PRESENT = "present", _("Present")
        ABSENT_WITH_REASON = "absent_reason", _("Absent, with a reason")
        ABSENT = "absent", _("Absent, without a reason")

    protocol = models.ForeignKey(
        Protocol, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("protocol")
    )
    member = models.ForeignKey(
        MeetingMember, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("member")
    )
    presence = models.CharField(_("attendance"), max_length=14, choices=Presence.choices, default=Presence.UNKNOWN)
    reason = models.CharField(_("reason for the absence"), max_length=500, blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["member__capacity", "member__user__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "member"], name="routes_attendance_once_per_protocol"),
        ]

    def __str__(self):
        return f"{self.member.user} — {self.get_presence_display()}"


class ProtocolItem(models.Model):
    """What one protocol version records about one agenda item: heard, decided, the vote and any dissent.

    A decision that approves or changes support measures names the route's rows it is about (`measures`); on
    signing their wording is copied into `measures_snapshot`, so the registered protocol keeps saying what was
    decided even if a draft route's row is later removed.
    """

    class Outcome(models.TextChoices):
        APPROVE_MEASURES = "approve_measures", _("Approves the support measures")
        CHANGE_MEASURES = "change_measures", _("Changes the support measures")
        OTHER = "other", _("Another decision")

    MEASURE_OUTCOMES = frozenset({Outcome.APPROVE_MEASURES, Outcome.CHANGE_MEASURES})

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="records", verbose_name=_("protocol"))
    item = models.ForeignKey(
        AgendaItem, on_delete=models.PROTECT, related_name="records", verbose_name=_("agenda item")
    )
    # What was heard discusses the student's needs and may hold health information: only centre staff read it.
    heard = models.TextField(_("heard"), blank=True)
    decision = models.TextField(_("decided"), blank=True)
    outcome = models.CharField(_("kind of decision"), max_length=20, choices=Outcome.choices, default=Outcome.OTHER)
    measures = models.ManyToManyField(
        SupportMeasure, related_name="meeting_decisions", verbose_name=_("support measures decided on"), blank=True
    )
    measures_snapshot = models.JSONField(_("support measures as decided"), default=list, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("votes for"), default=0)
    votes_against = models.PositiveSmallIntegerField(_("votes against"), default=0)
    votes_abstained = models.PositiveSmallIntegerField(_("abstained"), default=0)
    dissent = models.TextField(_("dissenting opinion"), blank=True)

    history = tracked(m2m_fields=[measures])

    class Meta:
        verbose_name = _("protocol item")
        verbose_name_plural = _("protocol items")
        ordering = ["item__order", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "item"], name="routes_protocol_item_once"),
        ]

    def __str__(self):
        return str(self.item)

    @property
    def votes_cast(self) -> int:
        return self.votes_for + self.votes_against + self.votes_abstained
