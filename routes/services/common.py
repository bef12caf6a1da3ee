"""Helpers shared by the route's and the meeting's writes."""

from django.core.exceptions import ValidationError
from django.db import models


def copy_rows(rows, fields: tuple[str, ...], **values) -> list[tuple[models.Model, models.Model]]:
    """A new row of each row's model with `fields` copied (attnames: foreign keys by id, no query) and `values`
    set, for a new version of a route or a protocol; (original, copy) pairs, in the order of `rows`."""
    return [(row, type(row).objects.create(**{name: getattr(row, name) for name in fields}, **values)) for row in rows]


def required_reason(reason: str, missing: str) -> str:
    """The reason of a decision that must be explained, stripped; a ValidationError on the `reason` field saying
    `missing` (a translated text) when it is empty."""
    if not reason.strip():
        raise ValidationError({"reason": missing}, code="no_reason")
    return reason.strip()
