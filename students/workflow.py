"""Allowed moves of an application (DOMAIN.md, "States")."""

from .models import Application

S = Application.Status

ALLOWED: dict[str, set[str]] = {
    S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
    S.SUBMITTED: {S.REGISTERED, S.REJECTED, S.WITHDRAWN},
    S.REGISTERED: {S.UNDER_ASSESSMENT, S.REJECTED},
    S.UNDER_ASSESSMENT: {S.CONCLUDED},
    S.CONCLUDED: {S.CLOSED},
    S.CLOSED: set(),
    S.REJECTED: set(),
    S.WITHDRAWN: set(),
}
