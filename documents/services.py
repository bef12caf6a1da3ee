"""Writes of the documents app."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import DocumentType, RegistrationCounter

# Used for every document type that settings.DOCUMENT_NUMBER_FORMATS does not name.
DEFAULT_NUMBER_FORMATS = {
    DocumentType.APPLICATION: "ӨТ-{year}/{number:04d}",
    DocumentType.CONCLUSION: "ҚОР-{year}/{number:04d}",
    DocumentType.ROUTE: "ЖББМ-{year}/{number:04d}",
    DocumentType.PROTOCOL: "ХТ-{year}/{number:04d}",
}


def next_registration_number(*, document_type: str, year: int | None = None) -> tuple[int, str]:
    """Take the next registration number of `document_type` in `year` (default: this year in TIME_ZONE).

    Returns `(number, formatted)`, e.g. `(7, "ЖББМ-2026/0007")`; the format comes from
    settings.DOCUMENT_NUMBER_FORMATS, falling back to DEFAULT_NUMBER_FORMATS.

    Must run inside the caller's `transaction.atomic()`, the one that saves the registered document: the
    counter row stays locked until that transaction ends, so numbers are unique under concurrency, and a
    registration that rolls back takes its number back with it, so they have no gaps. Raises RuntimeError
    when called outside a transaction and ValueError for an unknown document type.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "next_registration_number() must be called inside the registering transaction.atomic(); "
            "outside one the number would be committed even when the registration fails, leaving a gap."
        )
    if document_type not in DocumentType.values:
        raise ValueError(f"Unknown document type {document_type!r}; expected one of {DocumentType.values}.")
    if year is None:
        year = timezone.localdate().year

    # The first registration of a type in a year creates the row; two doing that at once must not fail on the
    # unique constraint (ON CONFLICT DO NOTHING waits for the other insert, then skips). The zero row carries no
    # history: bulk_create writes none, and nothing has been numbered yet.
    RegistrationCounter.objects.bulk_create(
        [RegistrationCounter(document_type=document_type, year=year)], ignore_conflicts=True
    )
    counter = RegistrationCounter.objects.select_for_update().get(document_type=document_type, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])  # save(), not update(): the history row names the acting user

    number_format = {**DEFAULT_NUMBER_FORMATS, **getattr(settings, "DOCUMENT_NUMBER_FORMATS", {})}[document_type]
    return counter.last_number, number_format.format(year=year, number=counter.last_number)
