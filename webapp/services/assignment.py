"""Run the assignment for a campaign, store proposals and reasons, and pin choices by hand."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from routing.assignment import assign_volunteers
from routing.assignment_types import (
    AssignmentPlan,
    AssignmentProblem,
)
from routing.assignment_weights import PlanningWeights, WeightName, weights_with
from webapp.models import (
    Assignment,
    Campaign,
    CanvassSession,
    IrisScore,
    LeftOutVolunteer,
    Membership,
    User,
)
from webapp.models.planning import AssignmentStatus, SessionStatus
from webapp.models.users import Role
from webapp.services.assignment_inputs import (
    assignments_on,
    campaign_volunteers,
    commitments_around,
    session_input,
    volunteer_input,
)
from webapp.services.assignment_store import store_assignments
from webapp.services.errors import NotFoundError, ServiceError
from webapp.services.routes import StreetGraphSource
from webapp.services.started_sessions import sessions_with_visits
from webapp.services.transit_limits import timetable_transit_table
from webapp.services.walking_limits import street_walking_table

logger = logging.getLogger(__name__)

TEAM_SIZE = 2


@dataclass(frozen=True)
class AssignmentLimits:
    max_distance_m: int = 3000
    time_limit_s: float = 10.0


class LockProblem(StrEnum):
    SESSION_NOT_PLANNED = "session_not_planned"
    NOT_A_VOLUNTEER = "not_a_volunteer"
    CLASHES_WITH_LOCK = "clashes_with_lock"
    # Every place of the session is taken by locks: one more would make planning impossible.
    SESSION_FULL = "session_full"
    # The session has begun: its teams are out, and no planning run changes them.
    SESSION_STARTED = "session_started"


class LockError(ServiceError):
    """A manual choice that cannot be recorded; nothing was changed."""

    def __init__(self, problem: LockProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def plan_assignments(
    session: Session,
    campaign_id: int,
    limits: AssignmentLimits,
    weights: PlanningWeights | None = None,
    street_graph: StreetGraphSource | None = None,
) -> AssignmentPlan:
    """Replace the unlocked assignments of the campaign's planned sessions by a new solve.

    Locked assignments are kept, declined ones are kept and never proposed again, and
    the others count as the previous plan, which the solver moves as little as it can.
    Without `weights`, the campaign's own weights apply. `street_graph` gives the street
    graph for walking-time limits, when the caller has one to share.
    """
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFoundError(f"campaign {campaign_id}")
    problem = build_problem(session, campaign, limits, weights, street_graph)
    plan = assign_volunteers(problem)
    if plan.status.has_solution:
        store_assignments(session, campaign_id, [s.id for s in problem.sessions], plan)
    logger.info(
        "Assignment for campaign %s: %s placed, %s left out, status %s, objective %s",
        campaign_id,
        len(plan.placements),
        len(plan.left_out),
        plan.status,
        round(plan.objective),
        extra={"campaign_id": campaign_id},
    )
    return plan


def build_problem(
    session: Session,
    campaign: Campaign,
    limits: AssignmentLimits,
    weights: PlanningWeights | None = None,
    street_graph: StreetGraphSource | None = None,
) -> AssignmentProblem:
    """Gather the campaign's planned sessions, volunteers and rules into one problem.

    Walking-time limits are checked along the imported streets, when there are any
    (through `street_graph` when given), and transit-time limits on the imported
    timetable for the days it has service.
    """
    sessions = _planned_sessions(session, campaign.id)
    session_ids = [s.id for s in sessions]
    users = campaign_volunteers(session, campaign.id)
    user_ids = {user.id for user in users}
    existing = assignments_on(session, session_ids)
    commitments = commitments_around(session, campaign.id, sessions)
    scores = {
        row.iris_code: row
        for row in session.scalars(select(IrisScore).where(IrisScore.campaign_id == campaign.id))
    }
    volunteers = tuple(
        volunteer_input(user, existing.get(user.id, []), user_ids, commitments.get(user.id, ()))
        for user in users
    )
    inputs = tuple(session_input(row, scores.get(row.iris_code)) for row in sessions)
    return AssignmentProblem(
        volunteers=volunteers,
        sessions=inputs,
        walking_table=street_walking_table(session, volunteers, inputs, street_graph),
        transit_table=timetable_transit_table(session, volunteers, inputs),
        max_distance_m=limits.max_distance_m,
        time_limit_s=limits.time_limit_s,
        team_size=TEAM_SIZE,
        rest_minutes=max(campaign.rest_minutes, 0),
        max_sessions_per_week=max(campaign.max_sessions_per_week, 0),
        weights=weights if weights is not None else campaign_weights(campaign),
    )


def campaign_weights(campaign: Campaign) -> PlanningWeights:
    """Return the default weights with the campaign's valid overrides applied.

    An unknown name or a bad value is skipped and logged, so that one stale setting
    never stops the planning.
    """
    known = {name.value for name in WeightName}
    valid: dict[str, float] = {}
    for name, value in (campaign.planning_weights or {}).items():
        try:
            weights_with(PlanningWeights(), {name: value})
        except ValueError:
            logger.warning(
                "Campaign %s: planning weight %r ignored (%s)",
                campaign.id,
                name,
                "unknown name" if name not in known else "bad value",
                extra={"campaign_id": campaign.id},
            )
            continue
        valid[name] = value
    return weights_with(PlanningWeights(), valid)


def _planned_sessions(session: Session, campaign_id: int) -> list[CanvassSession]:
    """Return the planned sessions the run may change: those not begun yet.

    The placements on sessions already begun stay as they are, and count as the
    volunteers' commitments (see `commitments_around`).
    """
    begun = sessions_with_visits(session, campaign_id)
    query = (
        select(CanvassSession)
        .where(
            CanvassSession.campaign_id == campaign_id,
            CanvassSession.status == SessionStatus.PLANNED,
            CanvassSession.id.not_in(begun),
        )
        .order_by(CanvassSession.starts_at, CanvassSession.id)
    )
    return list(session.scalars(query))


def lock_assignment(
    session: Session,
    campaign_id: int,
    user_id: int,
    session_id: int,
    *,
    now: datetime | None = None,
) -> Assignment:
    """Pin a volunteer to a session by hand; every later planning run keeps the choice.

    The volunteer leaves their unlocked sessions that clash with this one (overlap or
    less rest than the campaign asks), and joins the first team with room. A declined
    assignment becomes a proposal again: the coordinator has agreed it with them. With
    `now`, a session that has started by then is refused (SESSION_STARTED).
    """
    canvass = find_planned_session(session, campaign_id, session_id)
    if now is not None and canvass.starts_at <= now:
        raise LockError(LockProblem.SESSION_STARTED)
    campaign = session.get(Campaign, campaign_id)
    assert campaign is not None  # the session belongs to it
    if not _is_volunteer(session, campaign_id, user_id):
        raise LockError(LockProblem.NOT_A_VOLUNTEER)
    if _locked_others(session, session_id, user_id) >= lock_capacity(canvass):
        raise LockError(LockProblem.SESSION_FULL)
    rest = timedelta(minutes=max(campaign.rest_minutes, 0))
    mine = session.execute(
        select(Assignment, CanvassSession)
        .join(CanvassSession, CanvassSession.id == Assignment.session_id)
        .where(
            Assignment.user_id == user_id,
            CanvassSession.campaign_id == campaign_id,
            CanvassSession.id != session_id,
            CanvassSession.status == SessionStatus.PLANNED,
            Assignment.status != AssignmentStatus.DECLINED,
        )
    ).all()
    clashing = [
        assignment
        for assignment, other in mine
        if other.starts_at < canvass.ends_at + rest and canvass.starts_at < other.ends_at + rest
    ]
    if any(a.is_locked for a in clashing):
        raise LockError(LockProblem.CLASHES_WITH_LOCK)
    for dropped in clashing:
        session.delete(dropped)
    assignment = session.scalars(
        select(Assignment).where(Assignment.session_id == session_id, Assignment.user_id == user_id)
    ).first()
    if assignment is None:
        assignment = Assignment(
            session_id=session_id, user_id=user_id, team=_team_with_room(session, session_id)
        )
        session.add(assignment)
    elif assignment.status == AssignmentStatus.DECLINED:
        # Locked back on the session, the volunteer is no longer part of an absence.
        assignment.status = AssignmentStatus.PROPOSED
        assignment.status_before_absence = None
        assignment.moved_to_session_id = None
    assignment.is_locked = True
    # Placed by hand, the volunteer is no longer one the last run left out.
    session.execute(
        delete(LeftOutVolunteer).where(
            LeftOutVolunteer.campaign_id == campaign_id, LeftOutVolunteer.user_id == user_id
        )
    )
    session.flush()
    logger.info(
        "Volunteer %s locked on session %s of campaign %s (%s clashing assignments dropped)",
        user_id,
        session_id,
        campaign_id,
        len(clashing),
        extra={"campaign_id": campaign_id, "session_id": session_id},
    )
    return assignment


def unlock_assignment(
    session: Session,
    campaign_id: int,
    user_id: int,
    session_id: int,
    *,
    now: datetime | None = None,
) -> None:
    """Release a manual choice: the assignment stays, and the next run may change it.

    With `now`, a session that has started by then is refused (SESSION_STARTED).
    """
    canvass = find_planned_session(session, campaign_id, session_id)
    if now is not None and canvass.starts_at <= now:
        raise LockError(LockProblem.SESSION_STARTED)
    assignment = session.scalars(
        select(Assignment).where(
            Assignment.session_id == session_id,
            Assignment.user_id == user_id,
            Assignment.is_locked.is_(True),
        )
    ).first()
    if assignment is None:
        raise NotFoundError(f"locked assignment of user {user_id} on session {session_id}")
    assignment.is_locked = False
    session.flush()
    logger.info(
        "Volunteer %s unlocked on session %s of campaign %s",
        user_id,
        session_id,
        campaign_id,
        extra={"campaign_id": campaign_id, "session_id": session_id},
    )


def find_planned_session(session: Session, campaign_id: int, session_id: int) -> CanvassSession:
    """Return the campaign's session if it is still planned.

    Raises NotFoundError for an unknown session or one of another campaign, and
    LockError when the session is cancelled or done.
    """
    canvass = session.get(CanvassSession, session_id)
    if canvass is None or canvass.campaign_id != campaign_id:
        raise NotFoundError(f"session {session_id} of campaign {campaign_id}")
    if canvass.status != SessionStatus.PLANNED:
        raise LockError(LockProblem.SESSION_NOT_PLANNED)
    return canvass


def _is_volunteer(session: Session, campaign_id: int, user_id: int) -> bool:
    found = session.scalars(
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.campaign_id == campaign_id,
            Membership.user_id == user_id,
            Membership.role == Role.VOLUNTEER,
            User.is_enabled.is_(True),
        )
    ).first()
    return found is not None


def lock_capacity(canvass: CanvassSession) -> int:
    """Return how many volunteers locks may pin to the session: its maximum in whole teams."""
    return canvass.max_volunteers // TEAM_SIZE * TEAM_SIZE


def count_session_coming(
    session: Session, session_id: int, *, except_user_id: int | None = None
) -> int:
    """Count the session's assignments that are not declined, except `except_user_id`'s."""
    query = select(func.count(Assignment.id)).where(
        Assignment.session_id == session_id, Assignment.status != AssignmentStatus.DECLINED
    )
    if except_user_id is not None:
        query = query.where(Assignment.user_id != except_user_id)
    return int(session.scalar(query) or 0)


def _locked_others(session: Session, session_id: int, user_id: int) -> int:
    count = session.scalar(
        select(func.count(Assignment.id)).where(
            Assignment.session_id == session_id,
            Assignment.user_id != user_id,
            Assignment.is_locked.is_(True),
            Assignment.status != AssignmentStatus.DECLINED,
        )
    )
    return int(count or 0)


def _team_with_room(session: Session, session_id: int) -> int:
    """Return the first team of the session with fewer than TEAM_SIZE members, or a new one."""
    teams = session.scalars(
        select(Assignment.team).where(
            Assignment.session_id == session_id, Assignment.status != AssignmentStatus.DECLINED
        )
    ).all()
    sizes: dict[int, int] = {}
    for team in teams:
        sizes[team] = sizes.get(team, 0) + 1
    for team in sorted(sizes):
        if sizes[team] < TEAM_SIZE:
            return team
    return max(sizes, default=0) + 1
