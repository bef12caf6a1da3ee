"""Forms of the routes app, one module per domain (`assessment`, `route`, `meeting`) and what they share (`common`)."""

from .assessment import (
    AssessmentForm,
    AssignForm,
    ConclusionForm,
)
from .common import (
    ReasonForm,
)
from .delivery import SurveyForm
from .meeting import (
    AgendaItemForm,
    AttendanceForm,
    MeetingForm,
    MemberAddForm,
    ProtocolRevisionForm,
    RecordForm,
    RsvpForm,
    votes_ok,
)
from .route import (
    AgreementForm,
    ChangedNeedsForm,
    MeasureForm,
    ReviewForm,
    RevisionForm,
    RevisionReasonForm,
    RouteGeneralForm,
    RouteStartForm,
    SectionAddForm,
    SectionForm,
)
from .support import SupportSessionForm
from .voice import AcknowledgeForm, MseForm, VoiceCommentForm

__all__ = [
    "AcknowledgeForm",
    "AgendaItemForm",
    "AgreementForm",
    "AssessmentForm",
    "AssignForm",
    "AttendanceForm",
    "ChangedNeedsForm",
    "ConclusionForm",
    "MeasureForm",
    "MeetingForm",
    "MemberAddForm",
    "MseForm",
    "ProtocolRevisionForm",
    "ReasonForm",
    "RecordForm",
    "ReviewForm",
    "RevisionForm",
    "RevisionReasonForm",
    "RouteGeneralForm",
    "RouteStartForm",
    "RsvpForm",
    "SectionAddForm",
    "SectionForm",
    "SupportSessionForm",
    "SurveyForm",
    "VoiceCommentForm",
    "votes_ok",
]
