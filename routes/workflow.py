"""Allowed moves of a route (DOMAIN.md, "States"). A request for changes or a return goes back to draft."""

from .models import Protocol, Route, TeamMeeting

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

# --- Interdisciplinary team meetings ------------------------------------------------------------------------

M = TeamMeeting.Status

MEETING_ALLOWED: dict[str, set[str]] = {
    M.PLANNED: {M.HELD, M.CANCELLED},
    M.HELD: {M.SIGNED},
    # A correction of the protocol is a new protocol version; the meeting stays signed.
    M.SIGNED: set(),
    M.CANCELLED: set(),
}

P = Protocol.Status

PROTOCOL_ALLOWED: dict[str, set[str]] = {
    P.DRAFT: {P.SIGNED},
    P.SIGNED: {P.SUPERSEDED},
    P.SUPERSEDED: set(),
}
