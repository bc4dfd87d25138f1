"""Outcomes a team records at its doors from the route's private link.

Recording a door again adds a visit rather than replacing one, so a slip of the thumb is
corrected by tapping the right outcome and the history stays whole. The latest visit is
the door's outcome (`door_progress.latest_outcomes_by_route`). At an address of several
dwellings a visit may count its dwellings per outcome instead, and its outcome is derived
from the counts (`dwelling_tallies`).

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
from webapp.services.dwelling_tallies import (
    DwellingTally,
    accepts_tally,
    check_tally,
    tally_limit,
)
from webapp.services.errors import ServiceError
from webapp.services.insert_once import insert_once
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


class TallyNotOfferedError(ServiceError):
    """The address is estimated at too few dwellings to be recorded with a tally."""

    def __init__(self, route_id: int, address_id: int) -> None:
        super().__init__(f"route {route_id}: address {address_id} takes one outcome only")
        self.route_id = route_id
        self.address_id = address_id


class SubmissionKeyReusedError(ServiceError):
    """The form's key already recorded a visit at another door or on another route."""


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
    # The same form was posted again: the visit it recorded before is returned, and
    # nothing is added.
    is_repeat: bool = False


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
    address = _door_on_route(session, route, address_id)
    earlier = _latest_outcome(session, route.id, address_id)
    session.add(
        DoorVisit(route_id=route.id, address_id=address_id, outcome=outcome, visited_at=now)
    )
    session.flush()
    _log_visit(route, address_id, outcome)
    return _recorded(route, address, outcome, earlier)


def record_dwelling_tally(
    session: Session,
    token: str,
    address_id: int,
    tally: DwellingTally,
    *,
    submission_key: str,
    now: datetime,
) -> RecordedVisit:
    """Record the dwellings per outcome at a door of the route that `token` opens, as a new
    visit whose outcome is derived from them (`DwellingTally.outcome`).

    A `submission_key` already recorded returns that visit and adds nothing, even when
    the same form is posted twice at once (the key is unique in the database). Raises as
    `record_door_visit` does, TallyNotOfferedError when the address is estimated at fewer
    than `MIN_TALLY_DWELLINGS` dwellings, and as `check_tally` does.
    """
    route = find_recording_route(session, token, now=now)
    address = _door_on_route(session, route, address_id)
    if not accepts_tally(address.dwellings):
        raise TallyNotOfferedError(route.id, address_id)
    check_tally(tally, limit=tally_limit(address.dwellings))
    repeated = _visit_by_submission_key(session, route, address, submission_key)
    if repeated is not None:
        return repeated
    earlier = _latest_outcome(session, route.id, address_id)
    outcome = tally.outcome
    values = {
        "route_id": route.id,
        "address_id": address_id,
        "outcome": outcome,
        "visited_at": now,
        "dwelling_counts": tally.as_json(),
        "submission_key": submission_key,
    }
    if insert_once(session, DoorVisit, values, ["submission_key"]) is None:
        # The same form was posted by another request, which committed first.
        repeated = _visit_by_submission_key(session, route, address, submission_key)
        if repeated is None:
            raise RuntimeError(f"route {route.id}: submission key conflict without a visit")
        return repeated
    _log_visit(route, address_id, outcome, dwelling_count=tally.total)
    return _recorded(route, address, outcome, earlier)


def _door_on_route(session: Session, route: Route, address_id: int) -> Address:
    address = session.get(Address, address_id) if address_id in route.address_ids else None
    if address is None:
        raise DoorNotOnRouteError(route.id, address_id)
    return address


def _latest_outcome(session: Session, route_id: int, address_id: int) -> DoorOutcome | None:
    # Ordered as `door_progress.latest_outcomes_by_route` orders visits, so both agree on
    # the latest.
    return session.scalar(
        select(DoorVisit.outcome)
        .where(DoorVisit.route_id == route_id, DoorVisit.address_id == address_id)
        .order_by(DoorVisit.visited_at.desc(), DoorVisit.id.desc())
        .limit(1)
    )


def _visit_by_submission_key(
    session: Session, route: Route, address: Address, submission_key: str
) -> RecordedVisit | None:
    """Return the visit that `submission_key` recorded already, None when it recorded none."""
    visit = session.scalar(select(DoorVisit).where(DoorVisit.submission_key == submission_key))
    if visit is None:
        return None
    if (visit.route_id, visit.address_id) != (route.id, address.id):
        raise SubmissionKeyReusedError(
            f"route {route.id}: submission key of address {visit.address_id} sent for "
            f"address {address.id}"
        )
    logger.info(
        "Door visit on route %s at address %s already recorded by this form",
        route.id,
        address.id,
        extra={"session_id": route.session_id, "route_id": route.id, "address_id": address.id},
    )
    return _recorded(route, address, visit.outcome, None, is_repeat=True)


def _log_visit(
    route: Route, address_id: int, outcome: DoorOutcome, *, dwelling_count: int | None = None
) -> None:
    counted = "" if dwelling_count is None else f" ({dwelling_count} dwellings counted)"
    logger.info(
        "Door visit recorded on route %s at address %s: %s%s",
        route.id,
        address_id,
        outcome.value,
        counted,
        extra={"session_id": route.session_id, "route_id": route.id, "address_id": address_id},
    )


def _recorded(
    route: Route,
    address: Address,
    outcome: DoorOutcome,
    earlier: DoorOutcome | None,
    *,
    is_repeat: bool = False,
) -> RecordedVisit:
    door = door_for(address)
    label = f"{door.number} {door.street}" if door.number else door.street
    is_correction = earlier is not None and earlier != DoorOutcome.COME_BACK
    return RecordedVisit(
        route.id, address.id, outcome, label, is_correction=is_correction, is_repeat=is_repeat
    )
