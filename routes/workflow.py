"""Allowed moves of a route (DOMAIN.md, "States"). A request for changes or a return goes back to draft."""

from .models import Route

R = Route.Status

ALLOWED: dict[str, set[str]] = {
    R.DRAFT: {R.IN_AGREEMENT, R.CANCELLED},
    R.IN_AGREEMENT: {R.DRAFT, R.IN_APPROVAL, R.CANCELLED},
    R.IN_APPROVAL: {R.DRAFT, R.IN_FORCE, R.CANCELLED},
    R.IN_FORCE: {R.UNDER_REVIEW, R.COMPLETED, R.CANCELLED},
    # A revision that is cancelled before approval leaves the old version in force.
    R.UNDER_REVIEW: {R.IN_FORCE, R.SUPERSEDED, R.COMPLETED, R.CANCELLED},
    R.SUPERSEDED: set(),
    R.COMPLETED: set(),
    R.CANCELLED: set(),
}
