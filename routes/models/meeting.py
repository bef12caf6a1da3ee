"""The interdisciplinary team's meetings and their protocols."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inclusion_centre.history import tracked
from students.models import Application

from .route import Route, SupportMeasure


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
