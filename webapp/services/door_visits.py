"""Outcomes a team records at its doors from the route's private link.

Recording a door again adds a visit rather than replacing one, so a slip of the thumb is
corrected by tapping the right outcome and the history stays whole. The latest visit is
the door's outcome (`route_view.latest_outcomes`).

NOTE: re-planning takes a team's latest visit as its position, so correcting an earlier
door moves that position back to the corrected door until the next door is recorded.
Visits are accepted at any time, before the session too, so a volunteer trying the
buttons ahead of the day counts as having started.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Address, DoorVisit
from webapp.models.canvass import DoorOutcome
from webapp.models.planning import SessionStatus
from webapp.services.errors import ServiceError
from webapp.services.route_view import find_route_by_token
from webapp.services.routes import door_for

logger = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class RecordedVisit:
    """A visit just recorded, with the door label shown to the volunteer."""

    route_id: int
    address_id: int
    outcome: DoorOutcome
    # "5 Rue Jules Guesde", as the route page writes the door.
    door_label: str
    # The door had an outcome already, which this visit corrects.
    is_correction: bool = False


def record_door_visit(
    session: Session, token: str, address_id: int, outcome: DoorOutcome, *, now: datetime
) -> RecordedVisit:
    """Record `outcome` at a door of the route that `token` opens, as a new visit."""
    route = find_route_by_token(session, token, now=now)
    if route.session.status == SessionStatus.CANCELLED:
        raise RouteSessionCancelledError(route.id)
    address = session.get(Address, address_id) if address_id in route.address_ids else None
    if address is None:
        raise DoorNotOnRouteError(route.id, address_id)
    earlier = session.scalar(
        select(DoorVisit.id)
        .where(DoorVisit.route_id == route.id, DoorVisit.address_id == address_id)
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
    return RecordedVisit(route.id, address_id, outcome, label, is_correction=earlier is not None)
