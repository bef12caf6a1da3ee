"""Service requests (issue #22, item 2): a student asks the centre for a sign-language interpreter, materials in an
alternative format, a note-taker or the loan of assistive equipment; each kind has its queue with an owner and a
deadline in working days. The equipment the centre lends, and its loans."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from inclusion_centre.history import tracked


class ServiceKind(models.TextChoices):
    INTERPRETER = "interpreter", _("Sign-language interpreter")
    FORMATS = "formats", _("Materials in an alternative format")
    NOTE_TAKER = "note_taker", _("Note-taker")
    EQUIPMENT = "equipment", _("Loan of assistive equipment")


class ServiceQueue(models.Model):
    """One queue per kind of request: the centre specialist who owns it (told of each new request) and how many
    working days the centre has to answer. Set by the system administrator in the admin site."""

    kind = models.CharField(_("kind of request"), max_length=20, choices=ServiceKind.choices, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
        null=True,
        blank=True,
        help_text=_("The centre specialist who answers requests of this kind."),
    )
    deadline_days = models.PositiveSmallIntegerField(_("deadline in working days"), default=3)

    history = tracked()

    class Meta:
        verbose_name = _("service queue")
        verbose_name_plural = _("service queues")
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline_days__gte=1, deadline_days__lte=60), name="routes_servicequeue_deadline_range"
            )
        ]

    def __str__(self):
        return str(self.get_kind_display())


class ServiceRequest(models.Model):
    """What a student asked for, optionally for a course and a date, and how the centre answered."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACCEPTED = "accepted", _("Accepted")
        SCHEDULED = "scheduled", _("Scheduled")
        PROVIDED = "provided", _("Provided")
        REFUSED = "refused", _("Refused")

    OPEN = frozenset({Status.REQUESTED, Status.ACCEPTED})  # the centre still owes an answer: may be overdue

    student = models.ForeignKey(
        "students.Student", on_delete=models.PROTECT, related_name="service_requests", verbose_name=_("student")
    )
    kind = models.CharField(_("kind of request"), max_length=20, choices=ServiceKind.choices)
    course = models.ForeignKey(
        "students.Course", on_delete=models.PROTECT, related_name="+", verbose_name=_("course"), null=True, blank=True
    )
    needed_on = models.DateField(_("needed on"), null=True, blank=True)
    details = models.TextField(_("details"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    due_on = models.DateField(_("answer due by"))
    scheduled_for = models.DateField(_("scheduled for"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), max_length=2000, blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "status", "due_on"]),
            models.Index(fields=["student", "-requested_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""), name="routes_servicerequest_refusal_reason"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("routes:service_request", args=[self.pk])


class Equipment(models.Model):
    """One item of assistive equipment the centre lends."""

    class Kind(models.TextChoices):
        HEARING = "hearing", _("Hearing aid system (FM / loop)")
        MAGNIFIER = "magnifier", _("Video magnifier")
        BRAILLE = "braille", _("Braille display")
        LAPTOP = "laptop", _("Laptop with assistive software")
        RECORDER = "recorder", _("Voice recorder")
        OTHER = "other", _("Other")

    class Condition(models.TextChoices):
        GOOD = "good", _("Good")
        WORN = "worn", _("Worn but working")
        REPAIR = "repair", _("Needs repair")

    name = models.CharField(_("item"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    inventory_number = models.CharField(_("inventory number"), max_length=64, unique=True)
    serial_number = models.CharField(_("serial number"), max_length=64, blank=True)
    condition = models.CharField(_("condition"), max_length=20, choices=Condition.choices, default=Condition.GOOD)

    history = tracked()

    class Meta:
        verbose_name = _("assistive equipment")
        verbose_name_plural = _("assistive equipment")
        ordering = ["kind", "inventory_number"]

    def __str__(self):
        return f"{self.name} ({self.inventory_number})"


class EquipmentLoan(models.Model):
    """One loan of an item to a student: open until it is returned. An item has at most one open loan (the
    constraint below; the lending service also locks the item's row so the second of two lenders is told why)."""

    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="loans", verbose_name=_("item"))
    borrower = models.ForeignKey(
        "students.Student", on_delete=models.PROTECT, related_name="equipment_loans", verbose_name=_("borrower")
    )
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("lent by")
    )
    lent_on = models.DateField(_("lent on"))
    due_on = models.DateField(_("due back on"))
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    returned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("returned to"),
        null=True,
        blank=True,
    )

    history = tracked()

    class Meta:
        verbose_name = _("equipment loan")
        verbose_name_plural = _("equipment loans")
        ordering = ["-lent_on", "-pk"]
        indexes = [models.Index(fields=["returned_on", "due_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["equipment"], condition=Q(returned_on__isnull=True), name="routes_one_open_loan_per_item"
            ),
            models.CheckConstraint(condition=Q(due_on__gte=F("lent_on")), name="routes_loan_due_after_lent"),
        ]

    def __str__(self):
        return f"{self.equipment} → {self.borrower}"
