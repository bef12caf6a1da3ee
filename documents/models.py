"""Registered documents: for now the registration counters that number them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.history import tracked


class DocumentType(models.TextChoices):
    """The four documents of the lifecycle (regulation §10), each numbered in its own sequence."""

    APPLICATION = "application", _("Application for inclusive-education conditions")
    CONCLUSION = "conclusion", _("Conclusion of the support centre")
    ROUTE = "route", _("Individual educational route")
    PROTOCOL = "protocol", _("Protocol of the interdisciplinary team meeting")


class RegistrationCounter(models.Model):
    """The last registration number given to a document type in a year.

    Only `documents.services.next_registration_number` moves it, inside the registering transaction, so a
    registration that rolls back gives its number back.
    """

    document_type = models.CharField(_("document type"), max_length=32, choices=DocumentType.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number issued"), default=0)

    history = tracked()

    class Meta:
        verbose_name = _("registration counter")
        verbose_name_plural = _("registration counters")
        ordering = ["-year", "document_type"]
        constraints = [
            models.UniqueConstraint(fields=["document_type", "year"], name="documents_counter_unique_type_year"),
        ]

    def __str__(self):
        return f"{self.get_document_type_display()} {self.year}: {self.last_number}"
