"""Helpers shared by the route's and the meeting's writes."""

from django.db import models


def copy_rows(rows, fields: tuple[str, ...], **values) -> list[tuple[models.Model, models.Model]]:
    """A new row of each row's model with `fields` copied (attnames: foreign keys by id, no query) and `values`
    set, for a new version of a route or a protocol; (original, copy) pairs, in the order of `rows`."""
    return [(row, type(row).objects.create(**{name: getattr(row, name) for name in fields}, **values)) for row in rows]
