"""One planning run: assign volunteers, cut routes, queue the messages."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from routing.assignment_types import AssignmentPlan
from webapp.models import Message, Route
from webapp.services.assignment import AssignmentLimits, plan_assignments
from webapp.services.notifications import queue_assignment_messages
from webapp.services.routes import RouteSettings, plan_campaign_routes
from webapp.settings import Settings


@dataclass(frozen=True)
class PlanningReport:
    assignment: AssignmentPlan
    routes: list[Route]
    messages: list[Message]


def run_planning(session: Session, campaign_id: int, settings: Settings) -> PlanningReport:
    """Plan the campaign's sessions end to end; the caller commits once."""
    assignment = plan_assignments(
        session,
        campaign_id,
        AssignmentLimits(
            max_distance_m=settings.max_distance_m, time_limit_s=settings.assignment_time_limit_s
        ),
    )
    routes = plan_campaign_routes(
        session,
        campaign_id,
        RouteSettings(
            walking_speed_m_per_min=settings.walking_speed_m_per_min,
            minutes_per_address=settings.minutes_per_address,
            time_limit_s=settings.route_time_limit_s,
            token_days=settings.route_token_days,
        ),
    )
    messages = queue_assignment_messages(session, campaign_id)
    return PlanningReport(assignment=assignment, routes=routes, messages=messages)
