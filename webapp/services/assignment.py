"""Run the CP-SAT assignment for a campaign and store proposals and left-out reasons."""

import logging
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from routing.assignment import assign_volunteers
from routing.assignment_types import (
    AssignmentPlan,
    AssignmentProblem,
    SessionInput,
    VolunteerInput,
    WeeklySlot,
)
from routing.geo import GeoPoint
from webapp.models import Assignment, CanvassSession, IrisScore, LeftOutVolunteer, Membership, User
from webapp.models.planning import SessionStatus
from webapp.models.users import Role
from webapp.services.localtime import to_local_naive

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AssignmentLimits:
    max_distance_m: int = 3000
    time_limit_s: float = 10.0


def plan_assignments(
    session: Session, campaign_id: int, limits: AssignmentLimits
) -> AssignmentPlan:
    """Replace the unlocked assignments of the campaign's planned sessions by a new solve."""
    sessions = _planned_sessions(session, campaign_id)
    volunteers = _volunteers(session, campaign_id)
    locks = _locks(session, [s.id for s in sessions])
    weights = dict(
        session.execute(
            select(IrisScore.iris_code, IrisScore.score).where(IrisScore.campaign_id == campaign_id)
        )
        .all()
    )
    problem = AssignmentProblem(
        volunteers=tuple(_volunteer_input(user, locks.get(user.id, ())) for user in volunteers),
        sessions=tuple(_session_input(row, weights.get(row.iris_code, 0.0)) for row in sessions),
        max_distance_m=limits.max_distance_m,
        time_limit_s=limits.time_limit_s,
    )
    plan = assign_volunteers(problem)
    if plan.status.has_solution:
        _store(session, campaign_id, [s.id for s in sessions], plan)
    logger.info(
        "Assignment for campaign %s: %s placed, %s left out, status %s",
        campaign_id,
        len(plan.placements),
        len(plan.left_out),
        plan.status,
        extra={"campaign_id": campaign_id},
    )
    return plan


def _planned_sessions(session: Session, campaign_id: int) -> list[CanvassSession]:
    query = (
        select(CanvassSession)
        .where(
            CanvassSession.campaign_id == campaign_id,
            CanvassSession.status == SessionStatus.PLANNED,
        )
        .order_by(CanvassSession.starts_at, CanvassSession.id)
    )
    return list(session.scalars(query))


def _volunteers(session: Session, campaign_id: int) -> list[User]:
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.campaign_id == campaign_id,
            Membership.role == Role.VOLUNTEER,
            User.is_enabled.is_(True),
        )
        .options(selectinload(User.profile), selectinload(User.availability))
        .order_by(User.id)
    )
    return list(session.scalars(query))


def _locks(session: Session, session_ids: list[int]) -> dict[int, tuple[int, ...]]:
    locks: dict[int, list[int]] = {}
    query = select(Assignment.user_id, Assignment.session_id).where(
        Assignment.session_id.in_(session_ids), Assignment.is_locked.is_(True)
    )
    for user_id, session_id in session.execute(query):
        locks.setdefault(user_id, []).append(session_id)
    return {user_id: tuple(ids) for user_id, ids in locks.items()}


def _volunteer_input(user: User, locked: tuple[int, ...]) -> VolunteerInput:
    profile = user.profile
    home = None
    if profile is not None and profile.home_lon is not None and profile.home_lat is not None:
        home = GeoPoint(profile.home_lon, profile.home_lat)
    return VolunteerInput(
        id=user.id,
        home=home,
        availability=tuple(
            WeeklySlot(s.weekday, s.start_minute, s.end_minute) for s in user.availability
        ),
        is_experienced=bool(profile and profile.is_experienced),
        max_distance_m=profile.max_distance_m if profile else None,
        locked_session_ids=locked,
    )


def _session_input(row: CanvassSession, weight: float) -> SessionInput:
    return SessionInput(
        id=row.id,
        starts_at=to_local_naive(row.starts_at),
        ends_at=to_local_naive(row.ends_at),
        meeting_point=GeoPoint(row.meeting_lon, row.meeting_lat),
        min_volunteers=row.min_volunteers,
        max_volunteers=row.max_volunteers,
        weight=max(0.0, min(100.0, weight)),
    )


def _store(
    session: Session, campaign_id: int, session_ids: list[int], plan: AssignmentPlan
) -> None:
    existing = {
        (a.session_id, a.user_id): a
        for a in session.scalars(select(Assignment).where(Assignment.session_id.in_(session_ids)))
    }
    placed = {(p.session_id, p.volunteer_id): p for p in plan.placements}
    for key, stale in existing.items():
        if key not in placed and not stale.is_locked:
            session.delete(stale)
    for key, placement in placed.items():
        assignment = existing.get(key)
        if assignment is None:
            session.add(
                Assignment(
                    session_id=placement.session_id,
                    user_id=placement.volunteer_id,
                    team=placement.team,
                )
            )
        else:
            assignment.team = placement.team

    session.execute(delete(LeftOutVolunteer).where(LeftOutVolunteer.campaign_id == campaign_id))
    for left_out in plan.left_out:
        session.add(
            LeftOutVolunteer(
                campaign_id=campaign_id, user_id=left_out.volunteer_id, reason=str(left_out.reason)
            )
        )
    session.flush()
