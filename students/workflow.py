"""Allowed moves of an application (DOMAIN.md, "States")."""

from .models import Application, MseConclusion

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

M = MseConclusion.Status

# The reminder comes once before the date, the lapse on it; a new date recorded by the centre makes it valid again.
MSE_ALLOWED: dict[str, set[str]] = {
    M.VALID: {M.REMINDED, M.LAPSED},
    M.REMINDED: {M.VALID, M.LAPSED},
    M.LAPSED: {M.VALID},
}
