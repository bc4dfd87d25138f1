"""Outcomes a team records at its doors from the route's private link.

Recording a door again adds a visit rather than replacing one, so a slip of the thumb is
corrected by tapping the right outcome and the history stays whole. The latest visit is
the door's outcome (`door_progress.latest_outcomes_by_route`).

Visits are accepted from `RECORDING_OPENS_BEFORE_START` before the session starts, then
for as long as the link is valid, after the session's end too. A visit marks the session
as begun, which a planning run then leaves as it is (`started_sessions`), so a volunteer
trying the buttons days ahead must not record one.

NOTE: re-planning takes a team's latest visit as its position, so correcting an earlier
door moves that position back to the corrected door until the next door is recorded.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Address, DoorVisit, Route
from webapp.models.canvass import DoorOutcome
from webapp.models.planning import SessionStatus
from webapp.services.errors import ServiceError
from webapp.services.route_view import find_route_by_token
from webapp.services.routes import door_for

logger = logging.getLogger(__name__)

# Lets a team that is early at the meeting point record its first doors.
RECORDING_OPENS_BEFORE_START = timedelta(minutes=30)


class DoorNotOnRouteError(ServiceError):
    """The address is not one of the route's stored doors."""

    def __init__(self, route_id: int, address_id: int) -> None:
        super().__init__(f"route {route_id}: address {address_id} is not on the route")
        self.route_id = route_id
        self.address_id = address_id


class RouteSessionCancelledError(ServiceError):
    """The route's session is cancelled, so no door is canvassed on it."""

    def __init__(self, route_id: int) -> None:
        super().__init__(f"route {route_id}: session cancelled")
        self.route_id = route_id


class VisitBeforeSessionError(ServiceError):
    """The visit comes before recording opens, shortly before the session starts."""

    def __init__(self, route_id: int, opens_at: datetime) -> None:
        super().__init__(f"route {route_id}: recording opens at {opens_at.isoformat()}")
        self.route_id = route_id
        self.opens_at = opens_at


@dataclass(frozen=True)
class RecordedVisit:
    """A visit just recorded, with the door label shown to the volunteer."""

    route_id: int
    address_id: int
    outcome: DoorOutcome
    # "5 Rue Jules Guesde", as the route page writes the door.
    door_label: str
    # The door had an outcome already, which this visit corrects. A visit after COME_BACK
    # is the team's return to the door, not a correction.
    is_correction: bool = False


def recording_opens_at(starts_at: datetime) -> datetime:
    """Return the instant from which the teams of a session starting then may record doors."""
    return starts_at - RECORDING_OPENS_BEFORE_START


def find_recording_route(session: Session, token: str, *, now: datetime) -> Route:
    """Return the route that `token` opens if its team may record at `now`.

    Raises when the link is unknown or expired, the session cancelled, or `now` before
    `recording_opens_at`. Door visits and questionnaire answers follow the same rules.
    """
    route = find_route_by_token(session, token, now=now)
    if route.session.status == SessionStatus.CANCELLED:
        raise RouteSessionCancelledError(route.id)
    opens_at = recording_opens_at(route.session.starts_at)
    if now < opens_at:
        raise VisitBeforeSessionError(route.id, opens_at)
    return route


def record_door_visit(
    session: Session, token: str, address_id: int, outcome: DoorOutcome, *, now: datetime
) -> RecordedVisit:
    """Record `outcome` at a door of the route that `token` opens, as a new visit.

    Raises when the link is unknown or expired, the session cancelled, the door not on
    the route, or `now` before `recording_opens_at`.
    """
    route = find_recording_route(session, token, now=now)
    address = session.get(Address, address_id) if address_id in route.address_ids else None
    if address is None:
        raise DoorNotOnRouteError(route.id, address_id)
    # Ordered as `door_progress.latest_outcomes_by_route` orders visits, so both agree on
    # the latest.
    earlier = session.scalar(
        select(DoorVisit.outcome)
        .where(DoorVisit.route_id == route.id, DoorVisit.address_id == address_id)
        .order_by(DoorVisit.visited_at.desc(), DoorVisit.id.desc())
        .limit(1)
    )
    session.add(
        DoorVisit(route_id=route.id, address_id=address_id, outcome=outcome, visited_at=now)
    )
    session.flush()
    logger.info(
        "Door visit recorded on route %s at address %s: %s",
        route.id,
        address_id,
        outcome.value,
        extra={"session_id": route.session_id, "route_id": route.id, "address_id": address_id},
    )
    door = door_for(address)
    label = f"{door.number} {door.street}" if door.number else door.street
    is_correction = earlier is not None and earlier != DoorOutcome.COME_BACK
    return RecordedVisit(route.id, address_id, outcome, label, is_correction=is_correction)
