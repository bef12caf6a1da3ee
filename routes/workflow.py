"""Allowed moves of every stateful object of the routes app (DOMAIN.md, "States"), for audit.workflow.move().

A request for changes or a return sends a route back to draft.
"""

from .models import (
    AccommodationLetter,
    Agreement,
    Appeal,
    Assessment,
    Conclusion,
    Consultation,
    DeliverySurvey,
    ExamArrangement,
    PartnerLetter,
    Protocol,
    Route,
    ServiceRequest,
    TeamMeeting,
    TrainingEvent,
)

# --- Assessment and conclusion ------------------------------------------------------------------------------

AS = Assessment.Status

ASSESSMENT_ALLOWED: dict[str, set[str]] = {
    AS.DRAFT: {AS.FINISHED},
    AS.FINISHED: set(),
}

C = Conclusion.Status

# A change after signing is a new conclusion version (a new row), never a move back.
CONCLUSION_ALLOWED: dict[str, set[str]] = {
    C.DRAFT: {C.SIGNED},
    C.SIGNED: set(),
}

# --- Route and agreement ------------------------------------------------------------------------------------

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

A = Agreement.Status

# The lecturer answers a pending agreement once; any agreement stops being valid when its section or the route
# changes (a new pending agreement asks again) or the route ends.
AGREEMENT_ALLOWED: dict[str, set[str]] = {
    A.PENDING: {A.AGREED, A.AGREED_WITH_REMARKS, A.CHANGES_REQUESTED, A.WITHDRAWN},
    A.AGREED: {A.WITHDRAWN},
    A.AGREED_WITH_REMARKS: {A.WITHDRAWN},
    A.CHANGES_REQUESTED: {A.WITHDRAWN},
    A.WITHDRAWN: set(),
}

L = AccommodationLetter.Status

# A letter is acknowledged once; it stops being valid when the course is dropped or the route ends.
LETTER_ALLOWED: dict[str, set[str]] = {
    L.SENT: {L.ACKNOWLEDGED, L.WITHDRAWN},
    L.ACKNOWLEDGED: {L.WITHDRAWN},
    L.WITHDRAWN: set(),
}

PL = PartnerLetter.Status

# A letter to an external organisation is numbered when it is sent; the organisation's reply closes it.
PARTNER_LETTER_ALLOWED: dict[str, set[str]] = {
    PL.DRAFT: {PL.SENT},
    PL.SENT: {PL.ANSWERED},
    PL.ANSWERED: set(),
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

# --- Service requests ---------------------------------------------------------------------------------------

SR = ServiceRequest.Status

# The centre accepts or refuses a request, then schedules it (an interpreter for a date) or provides it at once;
# a scheduled service is provided, or refused when it cannot happen after all.
SERVICE_REQUEST_ALLOWED: dict[str, set[str]] = {
    SR.REQUESTED: {SR.ACCEPTED, SR.REFUSED},
    SR.ACCEPTED: {SR.SCHEDULED, SR.PROVIDED, SR.REFUSED},
    SR.SCHEDULED: {SR.PROVIDED, SR.REFUSED},
    SR.PROVIDED: set(),
    SR.REFUSED: set(),
}

# --- Delivery surveys ---------------------------------------------------------------------------------------

DS = DeliverySurvey.Status

# A survey is answered once; one left unanswered past its due date closes as expired.
SURVEY_ALLOWED: dict[str, set[str]] = {
    DS.OPEN: {DS.ANSWERED, DS.EXPIRED},
    DS.ANSWERED: set(),
    DS.EXPIRED: set(),
}

# --- Consultations for lecturers and training of staff ------------------------------------------------------

CS = Consultation.Status

# The centre answers a lecturer's question; the lecturer may withdraw it, or the centre close it with a reason,
# while it waits. An answer is final: a new question is a new request.
CONSULTATION_ALLOWED: dict[str, set[str]] = {
    CS.REQUESTED: {CS.ANSWERED, CS.CLOSED},
    CS.ANSWERED: set(),
    CS.CLOSED: set(),
}

TE = TrainingEvent.Status

# A planned event is held (then its attendance is recorded) or cancelled.
TRAINING_ALLOWED: dict[str, set[str]] = {
    TE.PLANNED: {TE.HELD, TE.CANCELLED},
    TE.HELD: set(),
    TE.CANCELLED: set(),
}


# --- Appeals --------------------------------------------------------------------------------------------------

AP = Appeal.Status

# The reviewer takes the appeal up, then upholds or dismisses it with a reasoned answer; the appellant may withdraw
# it while it is open.
APPEAL_ALLOWED: dict[str, set[str]] = {
    AP.FILED: {AP.UNDER_REVIEW, AP.WITHDRAWN},
    AP.UNDER_REVIEW: {AP.UPHELD, AP.DISMISSED, AP.WITHDRAWN},
    AP.UPHELD: set(),
    AP.DISMISSED: set(),
    AP.WITHDRAWN: set(),
}


# --- Exam arrangements --------------------------------------------------------------------------------------

EA = ExamArrangement.Status

# The system proposes; the centre confirms (adjusting times, room type, assistant), then books a room and an
# invigilator; a booked exam is held, or any arrangement not yet held is cancelled. A change of room or invigilator
# of a booked exam is a new booking of the same state (routes/services/exams.py), not a move.
EXAM_ARRANGEMENT_ALLOWED: dict[str, set[str]] = {
    EA.PROPOSED: {EA.CONFIRMED, EA.CANCELLED},
    EA.CONFIRMED: {EA.BOOKED, EA.CANCELLED},
    EA.BOOKED: {EA.HELD, EA.CANCELLED},
    EA.HELD: set(),
    EA.CANCELLED: set(),
}
