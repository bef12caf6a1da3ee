"""The canonical form of what the audit chain hashes. Pure functions: the models, the services, the verifier and
the migration that chained the rows written before the chain existed all use these, so they agree byte for byte."""

import datetime
import functools
import hashlib
import ipaddress
import json
import uuid
from collections.abc import Mapping
from decimal import Decimal

from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.functional import Promise

GENESIS_HASH = "0" * 64


def canonical_json(data) -> str:
    """One spelling for one content: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def plain(value):
    """A JSON value that reads the same whether it comes from memory or back from the database."""
    if value is None or type(value) is bool:
        return value
    if isinstance(value, int):
        return int(value)  # IntegerChoices members as plain numbers
    if isinstance(value, str | Promise):
        return str(value)  # also TextChoices members and lazy strings, as their plain value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(plain(item) for item in value)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    raise TypeError(f"Cannot put a {type(value).__name__} into the audit chain.")


def _converter(field: models.Field):
    """How one column's value is put in canonical form, decided once per field rather than per row."""
    internal = field.get_internal_type()
    if internal == "DecimalField":
        # The database gives back as many decimal places as the column has; memory may hold fewer.
        exponent = Decimal(1).scaleb(-field.decimal_places)
        return lambda value: None if value is None else format(Decimal(value).quantize(exponent), "f")
    if internal == "GenericIPAddressField":
        return lambda value: None if value is None else str(ipaddress.ip_address(value))
    if isinstance(field, models.FileField):
        return lambda value: (value.name if isinstance(value, FieldFile) else value) or None
    return plain


@functools.cache
def _columns(model: type[models.Model]) -> tuple[tuple[str, object], ...]:
    return tuple((field.attname, _converter(field)) for field in model._meta.concrete_fields)


def chains_whole_row(model: type[models.Model]) -> bool:
    """Whether the model's rows are chained column by column (no `audit_chain_content()` of its own)."""
    return not callable(getattr(model, "audit_chain_content", None))


def column_names(model: type[models.Model]) -> list[str]:
    return [attname for attname, _convert in _columns(model)]


def values_content(model: type[models.Model], values: dict) -> dict:
    """`record_content` of a row read with `.values(*column_names(model))`, without building the instance."""
    return {attname: convert(values[attname]) for attname, convert in _columns(model)}


def record_content(obj: models.Model) -> dict:
    """The content of a saved row as the chain stores it: every concrete column by its attname.

    A model that defines `audit_chain_content()` (returning a dict of its own column values) chains only that,
    for rows of which some columns may legitimately change after they are chained.
    """
    if not chains_whole_row(type(obj)):
        return plain(obj.audit_chain_content())
    return {attname: convert(getattr(obj, attname)) for attname, convert in _columns(type(obj))}


def source_label(content_type) -> str:
    """A ContentType (or None) as the chain names it: stable across databases, unlike its id."""
    return f"{content_type.app_label}.{content_type.model}" if content_type is not None else ""


def entry_hash(
    *, seq: int, kind: str, source: str, source_id, created_at: datetime.datetime, content_hash: str, prev_hash: str
) -> str:
    """SHA-256 over an entry's own fields and the previous entry's hash; `source` is "app_label.model" or ""."""
    header = [seq, kind, source, source_id, created_at.astimezone(datetime.UTC).isoformat(), content_hash, prev_hash]
    return sha256_hex(json.dumps(header, separators=(",", ":"), ensure_ascii=False))
