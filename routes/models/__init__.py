"""The routes app's models, one module per domain: the assessment and conclusion (`assessment`), the
individual educational route with its agreements and reviews (`route`), the team meetings and protocols (`meeting`),
the support delivered under the route's measures (`support`), the service requests and the equipment
the centre lends (`requests`), the letters of accommodations of per-term activation (`activation`), the
end-of-term delivery surveys (`delivery`).
Django finds the models here."""

from .activation import AccommodationLetter
from .assessment import (
    Adaptation,
    Area,
    Assessment,
    Assignment,
    Conclusion,
    ConclusionItem,
    Recommendation,
)
from .delivery import DeliveryAnswer, DeliverySurvey
from .exams import ExamArrangement, ExamSession, Room
from .grants import (
    AssessmentUserObjectPermission,
    RouteSectionUserObjectPermission,
    RouteUserObjectPermission,
    TeamMeetingUserObjectPermission,
)
from .meeting import (
    AgendaItem,
    Attendance,
    MeetingMember,
    Protocol,
    ProtocolItem,
    TeamMeeting,
)
from .requests import Equipment, EquipmentLoan, ServiceKind, ServiceQueue, ServiceRequest
from .route import (
    Agreement,
    ChangedNeedsReport,
    Route,
    RouteReview,
    RouteSection,
    SupportMeasure,
)
from .support import SupportSession

__all__ = [
    "AccommodationLetter",
    "Adaptation",
    "AgendaItem",
    "Agreement",
    "Area",
    "Assessment",
    "AssessmentUserObjectPermission",
    "Assignment",
    "Attendance",
    "ChangedNeedsReport",
    "Conclusion",
    "ConclusionItem",
    "DeliveryAnswer",
    "DeliverySurvey",
    "Equipment",
    "EquipmentLoan",
    "ExamArrangement",
    "ExamSession",
    "MeetingMember",
    "Protocol",
    "ProtocolItem",
    "Recommendation",
    "Room",
    "Route",
    "RouteReview",
    "RouteSection",
    "RouteSectionUserObjectPermission",
    "RouteUserObjectPermission",
    "ServiceKind",
    "ServiceQueue",
    "ServiceRequest",
    "SupportMeasure",
    "SupportSession",
    "TeamMeeting",
    "TeamMeetingUserObjectPermission",
]
