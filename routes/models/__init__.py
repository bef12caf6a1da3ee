"""The routes app's models, one module per domain: the assessment and conclusion (`assessment`), the
individual educational route with its agreements and reviews (`route`), the team meetings and protocols (`meeting`),
the support delivered under the route's measures (`support`), the service requests and the equipment
the centre lends (`requests`), the letters of accommodations of per-term activation (`activation`), the
end-of-term delivery surveys (`delivery`), the consultations for lecturers and the guidance notes
(`consultation`), the training of staff (`training`), the appeals against the centre's decisions (`appeals`).
end-of-term delivery surveys (`delivery`), the student's comments and acknowledgements (`voice`).
Django finds the models here."""

from .activation import AccommodationLetter
from .appeals import Appeal
from .archive import HandOver
from .assessment import (
    Adaptation,
    Area,
    Assessment,
    Assignment,
    Conclusion,
    ConclusionItem,
    Recommendation,
)
from .consultation import Consultation, GuidanceNote
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
from .partners import ContactPerson, Organisation, PartnerLetter
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
from .training import TrainingAttendance, TrainingEvent
from .voice import StudentVoice

__all__ = [
    "AccommodationLetter",
    "Adaptation",
    "AgendaItem",
    "Agreement",
    "Appeal",
    "Area",
    "Assessment",
    "AssessmentUserObjectPermission",
    "Assignment",
    "Attendance",
    "ChangedNeedsReport",
    "Conclusion",
    "ConclusionItem",
    "Consultation",
    "ContactPerson",
    "DeliveryAnswer",
    "DeliverySurvey",
    "Equipment",
    "EquipmentLoan",
    "ExamArrangement",
    "ExamSession",
    "GuidanceNote",
    "HandOver",
    "MeetingMember",
    "Organisation",
    "PartnerLetter",
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
    "StudentVoice",
    "SupportMeasure",
    "SupportSession",
    "TeamMeeting",
    "TeamMeetingUserObjectPermission",
    "TrainingAttendance",
    "TrainingEvent",
]
