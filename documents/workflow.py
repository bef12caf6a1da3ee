"""Allowed moves of a registered document's status. A registered document is never edited, only superseded by a
new version or cancelled."""

from .models import RegisteredDocument

S = RegisteredDocument.Status

ALLOWED: dict[str, set[str]] = {
    S.IN_FORCE: {S.SUPERSEDED, S.CANCELLED, S.REJECTED, S.MERGED},
    S.SUPERSEDED: set(),
    S.CANCELLED: set(),
    S.REJECTED: set(),
    S.MERGED: set(),
}
