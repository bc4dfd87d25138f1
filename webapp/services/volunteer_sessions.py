"""A volunteer's own upcoming sessions, as their personal page shows them."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session, selectinload

from webapp.models import Assignment, CanvassSession, Route, User
from webapp.models.planning import AssignmentStatus, SessionStatus
from webapp.name_lists import distinct_first_names


@dataclass(frozen=True)
class UpcomingAssignment:
    """One session the volunteer is assigned to. Team mates are named by first name only."""

    session_id: int
    starts_at: datetime
    ends_at: datetime
    iris_name: str
    meeting_point: str
    status: AssignmentStatus
    team_mate_first_names: tuple[str, ...]
    route_token: str | None
    assignment_id: int = 0
    # True once the session has started, when its reply links no longer confirm or cancel.
    has_started: bool = False


def list_upcoming_assignments(
    session: Session, user_id: int, *, now: datetime
) -> list[UpcomingAssignment]:
    """Return the volunteer's assignments to planned sessions not yet over, soonest first."""
    rows = session.execute(
        select(Assignment, CanvassSession)
        .join(CanvassSession, Assignment.session_id == CanvassSession.id)
        .options(selectinload(CanvassSession.iris))
        .where(
            Assignment.user_id == user_id,
            Assignment.status != AssignmentStatus.DECLINED,
            CanvassSession.status == SessionStatus.PLANNED,
            CanvassSession.ends_at > now,
        )
        .order_by(CanvassSession.starts_at, CanvassSession.id)
    ).all()
    teams = [(assignment.session_id, assignment.team) for assignment, _ in rows]
    mates = list_team_mates(session, [assignment for assignment, _ in rows])
    tokens = _route_tokens(session, teams, now)
    return [
        UpcomingAssignment(
            session_id=canvass.id,
            starts_at=canvass.starts_at,
            ends_at=canvass.ends_at,
            iris_name=canvass.iris.name,
            meeting_point=canvass.meeting_point_label,
            status=assignment.status,
            team_mate_first_names=mates.get(assignment.id, ()),
            route_token=tokens.get((canvass.id, assignment.team)),
            assignment_id=assignment.id,
            has_started=canvass.starts_at <= now,
        )
        for assignment, canvass in rows
    ]


def list_team_mates(
    session: Session, assignments: Sequence[Assignment]
) -> dict[int, tuple[str, ...]]:
    """Return, by assignment id, the first names of the others still coming in its team.

    Names are sorted, and members who declined are left out. Two who share a first name
    are distinguished by their last names (`distinct_first_names`).
    """
    teams = list({(assignment.session_id, assignment.team) for assignment in assignments})
    if not teams:
        return {}
    rows = session.execute(
        select(
            Assignment.session_id,
            Assignment.team,
            Assignment.user_id,
            User.first_name,
            User.last_name,
        )
        .join(User, Assignment.user_id == User.id)
        .where(
            tuple_(Assignment.session_id, Assignment.team).in_(teams),
            Assignment.status != AssignmentStatus.DECLINED,
        )
        .order_by(User.first_name, User.id)
    )
    people: dict[tuple[int, int], list[tuple[int, str, str]]] = defaultdict(list)
    for session_id, team, user_id, first_name, last_name in rows:
        people[(session_id, team)].append((user_id, first_name, last_name))
    names: dict[tuple[int, int], dict[int, str]] = {}
    for key, team_people in people.items():
        user_ids = [user_id for user_id, _first, _last in team_people]
        shown = distinct_first_names([(first, last) for _id, first, last in team_people])
        names[key] = dict(zip(user_ids, shown, strict=True))
    return {
        assignment.id: tuple(
            name
            for user_id, name in names.get((assignment.session_id, assignment.team), {}).items()
            if user_id != assignment.user_id
        )
        for assignment in assignments
    }


def _route_tokens(
    session: Session, teams: list[tuple[int, int]], now: datetime
) -> dict[tuple[int, int], str]:
    if not teams:
        return {}
    rows = session.execute(
        select(Route.session_id, Route.team, Route.access_token).where(
            tuple_(Route.session_id, Route.team).in_(teams), Route.token_expires_at > now
        )
    )
    return {(session_id, team): token for session_id, team, token in rows}
