"""Allowed moves of an application (DOMAIN.md, "States")."""

from .models import Application

S = Application.Status

ALLOWED: dict[str, set[str]] = {
    S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
    # A duplicate of an open case is merged into it, or rejected as a duplicate, before any assessment.
    S.SUBMITTED: {S.REGISTERED, S.REJECTED, S.WITHDRAWN, S.MERGED, S.DUPLICATE},
    S.REGISTERED: {S.UNDER_ASSESSMENT, S.REJECTED, S.MERGED, S.DUPLICATE},
    S.UNDER_ASSESSMENT: {S.CONCLUDED},
    S.CONCLUDED: {S.CLOSED},
    S.CLOSED: set(),
    S.REJECTED: set(),
    S.WITHDRAWN: set(),
    S.MERGED: set(),
    S.DUPLICATE: set(),
}
