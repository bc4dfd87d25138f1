"""ORM models, one module per aggregate; importing this package registers them all."""

from webapp.models.audit import AuditEvent
from webapp.models.campaign import Campaign
from webapp.models.canvass import DoorVisit, SurveyResponse
from webapp.models.feedback import SessionFeedback
from webapp.models.jobs import JobRun
from webapp.models.messaging import (
    Broadcast,
    ErasedContact,
    InboundSms,
    Message,
    ProviderEvent,
    Suppression,
)
from webapp.models.planning import (
    Assignment,
    CanvassSession,
    LeftOutVolunteer,
    ReplacedRouteLink,
    Route,
    StreetClosure,
)
from webapp.models.targeting import IrisScore
from webapp.models.territory import (
    Address,
    Commune,
    ElectionResult,
    GridSquare,
    Iris,
    PollingStation,
    StreetWay,
)
from webapp.models.transit import (
    TransitConnection,
    TransitServiceDay,
    TransitStop,
    TransitTransfer,
    TransitTrip,
)
from webapp.models.users import (
    AvailabilityException,
    AvailabilitySlot,
    Consent,
    Invitation,
    Membership,
    RecoveryCode,
    User,
    VolunteerProfile,
)

__all__ = [
    "Address",
    "Assignment",
    "AuditEvent",
    "AvailabilityException",
    "Broadcast",
    "AvailabilitySlot",
    "Campaign",
    "CanvassSession",
    "Commune",
    "Consent",
    "DoorVisit",
    "ElectionResult",
    "ErasedContact",
    "GridSquare",
    "InboundSms",
    "Invitation",
    "Iris",
    "IrisScore",
    "JobRun",
    "LeftOutVolunteer",
    "Membership",
    "Message",
    "PollingStation",
    "RecoveryCode",
    "ReplacedRouteLink",
    "ProviderEvent",
    "Route",
    "SessionFeedback",
    "StreetClosure",
    "StreetWay",
    "SurveyResponse",
    "Suppression",
    "TransitConnection",
    "TransitServiceDay",
    "TransitStop",
    "TransitTransfer",
    "TransitTrip",
    "User",
    "VolunteerProfile",
]
