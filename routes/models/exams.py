"""Exam arrangements (issue #22, item 1): the rooms exams can be sat in, the exam sessions of each course and term,
and each student's arrangement for a session, proposed from the route's exam measures and booked by the centre.

Double bookings are refused by the booking service, which locks the room, the invigilator and the student rows in
that order before it counts what overlaps (routes/services/exams.py); see docs/exam-arrangements.md.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from inclusion_centre.history import tracked


class Room(models.Model):
    """A room exams can be sat in, with its seats and features. Kept by the exam office in the admin site."""

    name = models.CharField(_("room"), max_length=100, unique=True)
    capacity = models.PositiveSmallIntegerField(_("seats"), default=1)
    accessible = models.BooleanField(_("step-free access"), default=False)
    quiet = models.BooleanField(_("quiet room"), default=False)
    computer = models.BooleanField(_("computer with assistive software"), default=False)
    is_active = models.BooleanField(_("in use"), default=True)

    history = tracked()

    class Meta:
        verbose_name = _("exam room")
        verbose_name_plural = _("exam rooms")
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(capacity__gte=1), name="routes_room_capacity_positive")]

    def __str__(self):
        return self.name


class ExamSession(models.Model):
    """One exam of a course in a term, as the timetable has it: when, how long for everyone, what form, where."""

    class Form(models.TextChoices):
        WRITTEN = "written", _("Written")
        ORAL = "oral", _("Oral")
        COMPUTER = "computer", _("On a computer")

    course = models.ForeignKey("students.Course", on_delete=models.PROTECT, related_name="+", verbose_name=_("course"))
    term = models.ForeignKey(
        "students.AcademicTerm", on_delete=models.PROTECT, related_name="+", verbose_name=_("term")
    )
    starts_at = models.DateTimeField(_("starts at"))
    duration = models.PositiveSmallIntegerField(_("standard duration, minutes"))
    form = models.CharField(_("form of the exam"), max_length=10, choices=Form.choices, default=Form.WRITTEN)
    location = models.CharField(_("location"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("exam session")
        verbose_name_plural = _("exam sessions")
        ordering = ["starts_at", "pk"]
        permissions = [("manage_examsession", _("Can enter and import every course's exam sessions (exam office)"))]
        constraints = [
            models.UniqueConstraint(fields=["course", "term", "starts_at"], name="routes_one_exam_per_course_time"),
            models.CheckConstraint(
                condition=Q(duration__gte=10, duration__lte=600), name="routes_examsession_duration_range"
            ),
        ]

    def __str__(self):
        return f"{self.course} {self.starts_at:%d.%m.%Y}"

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration)


class ExamArrangement(models.Model):
    """One student's arrangement for one exam session: their own times after extra time and breaks, the room type
    and assistant they need, and, once booked, the room and the invigilator. `sequence` is the iCalendar SEQUENCE
    of the notices: it goes up with every change that is sent again."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed by the centre")
        BOOKED = "booked", _("Room and invigilator booked")
        HELD = "held", _("The exam took place")
        CANCELLED = "cancelled", _("Cancelled")

    class Assistant(models.TextChoices):
        NONE = "", _("No assistant")
        READER = "reader", _("Reader")
        SCRIBE = "scribe", _("Scribe")
        READER_SCRIBE = "reader_scribe", _("Reader and scribe")

    ACTIVE = frozenset({Status.PROPOSED, Status.CONFIRMED, Status.BOOKED})

    uid = models.UUIDField(_("calendar identifier"), default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(
        ExamSession, on_delete=models.PROTECT, related_name="arrangements", verbose_name=_("exam session")
    )
    section = models.ForeignKey(
        "routes.RouteSection",
        on_delete=models.PROTECT,
        related_name="exam_arrangements",
        verbose_name=_("course section"),
    )
    student = models.ForeignKey(
        "students.Student", on_delete=models.PROTECT, related_name="exam_arrangements", verbose_name=_("student")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    separate_room = models.BooleanField(_("separate room"), default=False)
    computer = models.BooleanField(_("computer with assistive software"), default=False)
    oral = models.BooleanField(_("oral instead of written"), default=False)
    assistant = models.CharField(_("assistant"), max_length=16, choices=Assistant.choices, blank=True)
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="arrangements", verbose_name=_("room")
    )
    invigilator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invigilations",
        verbose_name=_("invigilator"),
    )
    sequence = models.PositiveIntegerField(_("notice sequence"), default=0)
    note = models.CharField(_("note for the exam office"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = tracked()

    class Meta:
        verbose_name = _("exam arrangement")
        verbose_name_plural = _("exam arrangements")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "student"],
                condition=~Q(status="cancelled"),
                name="routes_one_arrangement_per_exam",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="routes_arrangement_ends_after"),
            models.CheckConstraint(
                condition=~Q(status="booked") | Q(room__isnull=False, invigilator__isnull=False),
                name="routes_booked_has_room_and_invigilator",
            ),
        ]
        indexes = [
            models.Index(fields=["room", "starts_at"]),
            models.Index(fields=["invigilator", "starts_at"]),
            models.Index(fields=["student", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]

    def __str__(self):
        return f"{self.session} — {self.get_status_display()}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("routes:exam_arrangement", args=[self.pk])
