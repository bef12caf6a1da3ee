"""External organisations and specialists the centre works with (regulation §5.2 e): the register of organisations
and their contact persons, and the outgoing letters (referrals, requests, correspondence) about a case, each a
registered document with its own outgoing number."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inclusion_centre.history import tracked


class Organisation(models.Model):
    """An organisation outside the university: a medical-social expertise office, a rehabilitation centre, an NGO,
    an employer, a school. Kept by the centre staff."""

    class Kind(models.TextChoices):
        MEDICAL_SOCIAL = "medical_social", _("Medical-social expertise")
        REHABILITATION = "rehabilitation", _("Rehabilitation centre")
        NGO = "ngo", _("Non-governmental organisation")
        EMPLOYER = "employer", _("Employer")
        SCHOOL = "school", _("School")
        OTHER = "other", pgettext_lazy("organisation kind", "Other")

    kind = models.CharField(_("kind of organisation"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name of the organisation"), max_length=300)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("telephone"), max_length=60, blank=True)
    email = models.EmailField(_("E-mail"), blank=True)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = tracked()

    class Meta:
        verbose_name = _("external organisation")
        verbose_name_plural = _("external organisations")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self):
        return self.name


class ContactPerson(models.Model):
    """A person to write to at an organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("organisation")
    )
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    phone = models.CharField(_("telephone"), max_length=60, blank=True)
    email = models.EmailField(_("E-mail"), blank=True)

    history = tracked()

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["full_name", "pk"]

    def __str__(self):
        return f"{self.full_name}, {self.position}" if self.position else self.full_name


class PartnerLetter(models.Model):
    """An outgoing letter about a case to an external organisation: drafted by the centre, registered with an
    outgoing number when it is sent, and answered when the organisation's reply (its date and number) arrives."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("outgoing letter", "Draft")
        SENT = "sent", pgettext_lazy("outgoing letter", "Sent")
        ANSWERED = "answered", pgettext_lazy("outgoing letter", "Answered")

    application = models.ForeignKey(
        "students.Application", on_delete=models.PROTECT, related_name="partner_letters", verbose_name=_("case")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="letters", verbose_name=_("addressee organisation")
    )
    contact = models.ForeignKey(
        ContactPerson,
        on_delete=models.PROTECT,
        related_name="letters",
        verbose_name=_("addressee person"),
        null=True,
        blank=True,
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text of the letter"), max_length=10000)
    letter_date = models.DateField(_("date of the letter"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    registration_number = models.CharField(_("outgoing number"), max_length=40, blank=True)
    reply_date = models.DateField(_("date of the reply"), null=True, blank=True)
    reply_number = models.CharField(_("number of the reply"), max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent by"),
        null=True,
        blank=True,
    )

    history = tracked()

    class Meta:
        verbose_name = _("letter to an organisation")
        verbose_name_plural = _("letters to organisations")
        ordering = ["-letter_date", "-pk"]
        indexes = [models.Index(fields=["application", "-letter_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | ~Q(registration_number=""), name="routes_partnerletter_numbered"
            ),
            models.CheckConstraint(
                condition=~Q(status="answered") | Q(reply_date__isnull=False), name="routes_partnerletter_reply_date"
            ),
        ]

    def __str__(self):
        return self.registration_number or self.subject

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("routes:partner_letter", args=[self.pk])
