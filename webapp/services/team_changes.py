"""Changes to a session's teams on the day: a team absent or present again, a volunteer
left alone joined to another team. Each change re-cuts the session's routes
(`webapp.services.replanning`) in the caller's transaction. A coordinator makes these
changes, except that a team marked absent can also mark itself present again from its
route link (`declare_team_present`).

Canvassers go in pairs. When a volunteer's partner cancels and nobody takes the place,
the volunteer is left alone with a route of their own; joining them to another team
gives that team three members and shares the doors among one route fewer. On the day,
`webapp.services.route_notices` tells the volunteer who their team mates are, and
their team mates who joins them.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.models import Assignment, Route
from webapp.models.planning import AssignmentStatus
from webapp.services.coordinator_notices import tell_team_present
from webapp.services.reminders import queue_assignment_reminders, withdraw_assignment_reminders
from webapp.services.replanning import (
    ReplanError,
    ReplanErrorCode,
    ReplanReport,
    lock_for_replanning,
    recut_routes,
)
from webapp.services.route_view import find_route_by_token
from webapp.services.routes import RouteSettings
from webapp.services.team_partners import count_coming_per_team, partner_team

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TeamJoin:
    """A volunteer left alone moved into another team, and the re-planning that followed."""

    report: ReplanReport
    # The team the volunteer joined.
    joined_team: int


def mark_team_absent(
    session: Session,
    campaign_id: int,
    session_id: int,
    team: int,
    *,
    settings: RouteSettings,
    now: datetime,
) -> ReplanReport:
    """Decline the team's members and re-cut the session's routes.

    Each member who had not declined keeps their status in `status_before_absence`, so
    that `mark_team_present` can give it back. A member who declined alone stays as is.
    The members' queued reminders and thanks are withdrawn, and the time the team last
    declared itself present, if any, is cleared.
    """
    canvass = lock_for_replanning(session, campaign_id, session_id, now)
    members = _team_members(session, session_id, team)
    coming = [a for a in members if a.status != AssignmentStatus.DECLINED]
    if not coming:
        raise ReplanError(ReplanErrorCode.TEAM_ALREADY_ABSENT)
    for assignment in coming:
        assignment.status_before_absence = assignment.status
        assignment.status = AssignmentStatus.DECLINED
    withdraw_assignment_reminders(session, [a.id for a in coming])
    session.execute(
        update(Route)
        .where(Route.session_id == session_id, Route.team == team)
        .values(present_declared_at=None)
    )
    session.flush()
    logger.info(
        "Team %s of session %s marked absent",
        team,
        session_id,
        extra={"campaign_id": campaign_id, "session_id": session_id},
    )
    return recut_routes(session, canvass, settings, now, hold_teams_out=True)


def mark_team_present(
    session: Session,
    campaign_id: int,
    session_id: int,
    team: int,
    *,
    settings: RouteSettings,
    now: datetime,
) -> ReplanReport:
    """Undo `mark_team_absent`: give the members their statuses back and re-cut the routes.

    The team gets a route again from the doors nobody visited yet; doors already visited
    stay on the routes they were visited on. A member who declined alone stays declined.
    The members get back their reminders and thanks still to come, with the new route.
    Needs an app context, to write those messages.
    """
    canvass = lock_for_replanning(session, campaign_id, session_id, now)
    restored: list[int] = []
    for assignment in _team_members(session, session_id, team):
        previous = assignment.status_before_absence
        if assignment.status != AssignmentStatus.DECLINED or previous is None:
            continue
        assignment.status, assignment.status_before_absence = previous, None
        restored.append(assignment.id)
    if not restored:
        raise ReplanError(ReplanErrorCode.TEAM_NOT_ABSENT)
    session.flush()
    logger.info(
        "Team %s of session %s marked present again",
        team,
        session_id,
        extra={"campaign_id": campaign_id, "session_id": session_id},
    )
    report = recut_routes(session, canvass, settings, now, only_changed_teams=True)
    queue_assignment_reminders(session, campaign_id, restored, now=now)
    return report


def declare_team_present(
    session: Session, token: str, *, settings: RouteSettings, now: datetime
) -> ReplanReport:
    """Mark present again the team whose route `token` opens, at a member's request.

    Runs `mark_team_present`, with its errors: TEAM_NOT_ABSENT for a team present
    already, SESSION_OVER once the session has ended. Raises RouteLinkNotFoundError or
    RouteLinkExpiredError for a link that opens no route. Stamps the route with `now`,
    so that the session page shows the team came back by itself, and e-mails the
    coordinators. Needs an app context.
    """
    route = find_route_by_token(session, token, now=now)
    canvass = route.session
    campaign_id, session_id, team = canvass.campaign_id, canvass.id, route.team
    # Both rows were read before the re-planning lock. Expired, they are read again
    # under it, so a change committed in the meantime, such as the coordinator marking
    # the team present, is seen rather than overwritten.
    session.expire(route)
    session.expire(canvass)
    try:
        report = mark_team_present(
            session, campaign_id, session_id, team, settings=settings, now=now
        )
    except ReplanError as error:
        logger.info(
            "Team %s of session %s not marked present from its route link: %s",
            team,
            session_id,
            error.code,
            extra={"campaign_id": campaign_id, "session_id": session_id},
        )
        raise
    route.present_declared_at = now
    session.flush()
    tell_team_present(session, route.session, report, team, now=now)
    logger.info(
        "Team %s of session %s marked present again from its route link",
        team,
        session_id,
        extra={"campaign_id": campaign_id, "session_id": session_id, "route_id": route.id},
    )
    return report


def join_other_team(
    session: Session,
    campaign_id: int,
    session_id: int,
    team: int,
    *,
    settings: RouteSettings,
    now: datetime,
) -> TeamJoin:
    """Move the only member still coming of `team` into the team `partner_team` picks.

    Raises TEAM_NOT_ALONE unless exactly one member of the team is coming, and
    NO_OTHER_TEAM when no other team has anyone coming. The volunteer's queued
    reminders are written again, so they carry the route of the new team. The old
    team's route row stays, cut to the doors it visited. Needs an app context.
    """
    canvass = lock_for_replanning(session, campaign_id, session_id, now)
    members = _team_members(session, session_id, team)
    coming = [a for a in members if a.status != AssignmentStatus.DECLINED]
    if len(coming) != 1:
        raise ReplanError(ReplanErrorCode.TEAM_NOT_ALONE)
    target = _find_partner_team(session, session_id, team)
    if target is None:
        raise ReplanError(ReplanErrorCode.NO_OTHER_TEAM)
    moved = coming[0]
    moved.team = target
    withdraw_assignment_reminders(session, [moved.id])
    session.flush()
    logger.info(
        "Volunteer %s of session %s joined team %s from team %s",
        moved.user_id,
        session_id,
        target,
        team,
        extra={"campaign_id": campaign_id, "session_id": session_id},
    )
    report = recut_routes(session, canvass, settings, now, hold_teams_out=True)
    queue_assignment_reminders(session, campaign_id, [moved.id], now=now)
    return TeamJoin(report=report, joined_team=target)


def _find_partner_team(session: Session, session_id: int, team: int) -> int | None:
    """Return the team the lone member of `team` would join now (see `partner_team`)."""
    rows = session.execute(
        select(Assignment.team, Assignment.status).where(Assignment.session_id == session_id)
    )
    coming = count_coming_per_team(
        (number, status == AssignmentStatus.DECLINED) for number, status in rows
    )
    return partner_team(coming, team)


def _team_members(session: Session, session_id: int, team: int) -> list[Assignment]:
    """Return the team's assignments; raise UNKNOWN_TEAM when the session has no such team."""
    members = session.scalars(
        select(Assignment)
        .where(Assignment.session_id == session_id, Assignment.team == team)
        .order_by(Assignment.id)
    ).all()
    if not members:
        raise ReplanError(ReplanErrorCode.UNKNOWN_TEAM)
    return list(members)
