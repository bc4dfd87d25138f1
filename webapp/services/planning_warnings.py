"""Sessions whose teams a planning run would form again although they changed on the day.

A planning run assigns the volunteers of every planned session anew, except the sessions
where a door visit is recorded (`webapp.services.started_sessions`). It takes no account
of what a coordinator changed on a session's page: a volunteer left alone who joined
another team goes back into a pair, and the places of a team marked absent may go to
others. A session under way or about to start also gets new teams and routes, while its
volunteers rely on the link they were sent. The planning page lists these sessions and
requires a confirmation before the run.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Assignment, CanvassSession, Iris
from webapp.models.planning import AssignmentStatus, SessionStatus
from webapp.services.assignment import TEAM_SIZE
from webapp.services.route_notices import ROUTE_NOTICE_WINDOW
from webapp.services.started_sessions import sessions_with_visits

# A session starting within this time counts as about to start: from then on, a route
# whose doors changed is sent to its team, whether the change came from the session's page
# or from a planning run (`webapp.services.reformed_teams`).
STARTS_SOON_WINDOW = ROUTE_NOTICE_WINDOW


class ReformReason(StrEnum):
    """Reason that forming a session's teams again would undo a change or surprise people."""

    TEAM_JOINED = "team_joined"
    TEAM_MARKED_ABSENT = "team_marked_absent"
    UNDER_WAY = "under_way"
    STARTS_SOON = "starts_soon"


@dataclass(frozen=True)
class SessionNotice:
    """A planned session the coordinator should know about before a planning run."""

    session_id: int
    starts_at: datetime
    iris_name: str
    reasons: tuple[ReformReason, ...] = ()


@dataclass(frozen=True)
class PlanningWarnings:
    """The sessions a run would form again despite day-of changes, and those it leaves alone."""

    # Planned sessions with no door recorded yet, which the run re-plans.
    to_reform: tuple[SessionNotice, ...]
    # Planned sessions with a door recorded, whose teams and routes the run keeps.
    begun: tuple[SessionNotice, ...]


def list_planning_warnings(session: Session, campaign_id: int, now: datetime) -> PlanningWarnings:
    """Return the campaign's planned sessions a planning run started at `now` would re-plan
    despite a change on the day or an imminent start, and those it would leave alone."""
    rows = session.execute(
        select(CanvassSession, Iris.name)
        .join(Iris, Iris.code == CanvassSession.iris_code)
        .where(
            CanvassSession.campaign_id == campaign_id,
            CanvassSession.status == SessionStatus.PLANNED,
        )
        .order_by(CanvassSession.starts_at, CanvassSession.id)
    ).all()
    begun_ids = sessions_with_visits(session, campaign_id)
    changes = _day_of_changes(
        session, [canvass.id for canvass, _ in rows if canvass.id not in begun_ids]
    )
    staffed = _sessions_with_volunteers(session, [canvass.id for canvass, _ in rows])
    to_reform: list[SessionNotice] = []
    begun: list[SessionNotice] = []
    for canvass, iris_name in rows:
        if canvass.id in begun_ids:
            begun.append(SessionNotice(canvass.id, canvass.starts_at, iris_name))
            continue
        # A session nobody is on yet has no team to form again, however soon it starts.
        timing = _timing_reasons(canvass, now) if canvass.id in staffed else ()
        reasons = (*changes.get(canvass.id, ()), *timing)
        if reasons:
            to_reform.append(SessionNotice(canvass.id, canvass.starts_at, iris_name, reasons))
    return PlanningWarnings(to_reform=tuple(to_reform), begun=tuple(begun))


def _sessions_with_volunteers(session: Session, session_ids: list[int]) -> set[int]:
    """Return the sessions with at least one volunteer who has not declined."""
    if not session_ids:
        return set()
    query = select(Assignment.session_id).where(
        Assignment.session_id.in_(session_ids), Assignment.status != AssignmentStatus.DECLINED
    )
    return set(session.scalars(query.distinct()))


def _day_of_changes(
    session: Session, session_ids: list[int]
) -> dict[int, tuple[ReformReason, ...]]:
    """Return, by session, the changes to its teams made from its page.

    A team with more than `TEAM_SIZE` members coming was joined by a volunteer left
    alone: the planning forms teams of `TEAM_SIZE` at most, and a lock by hand only
    fills a team with room. A declined member with a status kept from before belongs to
    a team marked absent.
    """
    if not session_ids:
        return {}
    coming: dict[tuple[int, int], int] = {}
    marked_absent: set[int] = set()
    query = select(
        Assignment.session_id,
        Assignment.team,
        Assignment.status,
        Assignment.status_before_absence,
    ).where(Assignment.session_id.in_(session_ids))
    for session_id, team, status, status_before_absence in session.execute(query):
        if status != AssignmentStatus.DECLINED:
            coming[(session_id, team)] = coming.get((session_id, team), 0) + 1
        elif status_before_absence is not None:
            marked_absent.add(session_id)
    joined = {session_id for (session_id, _), count in coming.items() if count > TEAM_SIZE}
    changes: dict[int, tuple[ReformReason, ...]] = {}
    for session_id in session_ids:
        reasons = []
        if session_id in joined:
            reasons.append(ReformReason.TEAM_JOINED)
        if session_id in marked_absent:
            reasons.append(ReformReason.TEAM_MARKED_ABSENT)
        if reasons:
            changes[session_id] = tuple(reasons)
    return changes


def _timing_reasons(canvass: CanvassSession, now: datetime) -> tuple[ReformReason, ...]:
    if canvass.starts_at <= now < canvass.ends_at:
        return (ReformReason.UNDER_WAY,)
    if now < canvass.starts_at <= now + STARTS_SOON_WINDOW:
        return (ReformReason.STARTS_SOON,)
    return ()
