"""More doors for a team that finished its walk while the session still runs.

A member taps a button on the route page once every door of the route is done, or a
coordinator requests them on the team's behalf from the session page. The team first
takes doors that no route has, near where it is, and the other teams walk on
undisturbed. Only when none fits are the session's routes cut again
(`webapp.services.replanning.recut_routes`): the team then takes a share of the doors
the other teams have not visited yet. The caller queues the notices of the changed
routes and commits, or rolls back on an error.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import CanvassSession, Route
from webapp.services.errors import NotFoundError
from webapp.services.replanning import (
    ReplanError,
    ReplanErrorCode,
    ReplanReport,
    lock_for_replanning,
    recut_routes,
)
from webapp.services.route_view import find_route_by_token, sheet_of_route
from webapp.services.routes import RouteSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MoreDoors:
    """The re-planning that gave a finished team doors, and how many it got."""

    report: ReplanReport
    door_count: int


def give_more_doors(
    session: Session, token: str, *, settings: RouteSettings, now: datetime
) -> MoreDoors:
    """Cut the session's routes again so that the team of `token` gets doors to visit.

    Raises RouteLinkNotFoundError or RouteLinkExpiredError for a link that opens no route,
    and the errors of `_give`. Flushes only.
    """
    return _give(session, find_route_by_token(session, token, now=now), settings, now)


def give_team_more_doors(
    session: Session,
    campaign_id: int,
    session_id: int,
    team: int,
    *,
    settings: RouteSettings,
    now: datetime,
) -> ReplanReport:
    """Cut the session's routes again for a finished team, at a coordinator's request.

    Raises NotFoundError for a session of another campaign, UNKNOWN_TEAM for a team
    without a route, and the errors of `_give`. Flushes only.
    """
    canvass = session.get(CanvassSession, session_id)
    if canvass is None or canvass.campaign_id != campaign_id:
        raise NotFoundError(f"session {session_id} not found")
    route = session.scalars(
        select(Route).where(Route.session_id == session_id, Route.team == team)
    ).first()
    if route is None:
        raise ReplanError(ReplanErrorCode.UNKNOWN_TEAM)
    return _give(session, route, settings, now).report


def _give(session: Session, route: Route, settings: RouteSettings, now: datetime) -> MoreDoors:
    """Re-cut the routes of the route's session for the route's team, which requests more doors.

    Raises TEAM_ALREADY_ABSENT for a team marked absent or left without members,
    TEAM_NOT_DONE while the team has doors to visit or to come back to, and
    NO_DOOR_LEFT when the new cut gives it none. Raises the errors of
    `lock_for_replanning` too (SESSION_OVER, SESSION_NOT_PLANNED).
    """
    canvass = route.session
    campaign_id, session_id = canvass.campaign_id, canvass.id
    log_ids = {"campaign_id": campaign_id, "session_id": session_id, "route_id": route.id}
    # Both rows were read before the lock. Expired, they are read again under it, so a
    # change committed meanwhile is seen: the session cancelled or moved, or a
    # re-planning that gave the team doors.
    session.expire(route)
    session.expire(canvass)
    lock_for_replanning(session, campaign_id, session_id, now)
    sheet = sheet_of_route(session, route)
    if sheet.is_team_absent or sheet.is_team_empty:
        logger.info("Team %s requested more doors while absent", route.team, extra=log_ids)
        raise ReplanError(ReplanErrorCode.TEAM_ALREADY_ABSENT)
    if not sheet.is_done:
        logger.info("Team %s requested more doors before finishing", route.team, extra=log_ids)
        raise ReplanError(ReplanErrorCode.TEAM_NOT_DONE)
    report = recut_routes(
        session, route.session, settings, now, asking_team=route.team, hold_others=True
    )
    count = _to_visit(report, route.team)
    if not count:
        report = recut_routes(session, route.session, settings, now, asking_team=route.team)
        count = _to_visit(report, route.team)
    if not count:
        logger.info("Team %s requested more doors: none left", route.team, extra=log_ids)
        raise ReplanError(ReplanErrorCode.NO_DOOR_LEFT, report.status)
    logger.info("Team %s finished its walk and got %s doors more", route.team, count, extra=log_ids)
    return MoreDoors(report=report, door_count=count)


def _to_visit(report: ReplanReport, team: int) -> int:
    return next((walk.to_visit_count for walk in report.walks if walk.team == team), 0)
