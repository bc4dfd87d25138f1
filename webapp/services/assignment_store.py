"""Store an assignment plan, and tell the teams it leaves each session before it is stored.

A planning run solves with no transaction open, then stores. It cuts the routes for the
teams `teams_after_plan` predicts, and `store_assignments` stores exactly those teams
as long as the assignments it read have not changed meanwhile.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from routing.assignment_types import AssignmentPlan
from webapp.models import Assignment, LeftOutVolunteer
from webapp.models.planning import AssignmentStatus
from webapp.services.reminders import withdraw_assignment_reminders
from webapp.services.started_sessions import sessions_with_visits


@dataclass(frozen=True)
class TeamSeat:
    """An assignment as a planning run reads it before the solve."""

    session_id: int
    user_id: int
    team: int
    is_locked: bool
    has_declined: bool


def read_team_seats(session: Session, session_ids: Iterable[int]) -> tuple[TeamSeat, ...]:
    """Return the assignments of the given sessions, ordered by id."""
    ids = list(session_ids)
    if not ids:
        return ()
    rows = session.scalars(
        select(Assignment).where(Assignment.session_id.in_(ids)).order_by(Assignment.id)
    )
    return tuple(
        TeamSeat(
            session_id=row.session_id,
            user_id=row.user_id,
            team=row.team,
            is_locked=row.is_locked,
            has_declined=row.status == AssignmentStatus.DECLINED,
        )
        for row in rows
    )


def teams_after_plan(
    seats: Iterable[TeamSeat], plan: AssignmentPlan, session_ids: Iterable[int]
) -> dict[int, list[int]]:
    """Return each session's team numbers once `store_assignments` stores `plan`.

    These are the teams `routes.list_session_teams` then reads: those with a member who
    has not declined. A placement counts unless it lands on a declined row, which stays
    declined. A locked row the plan does not place stays in its team, and the other rows
    it does not place are deleted or stay declined.
    """
    teams: dict[int, set[int]] = {session_id: set() for session_id in session_ids}
    declined = set()
    placed = {(p.session_id, p.volunteer_id) for p in plan.placements}
    for seat in seats:
        key = (seat.session_id, seat.user_id)
        if seat.has_declined:
            declined.add(key)
        elif seat.is_locked and key not in placed and seat.session_id in teams:
            teams[seat.session_id].add(seat.team)
    for placement in plan.placements:
        key = (placement.session_id, placement.volunteer_id)
        if key not in declined and placement.session_id in teams:
            teams[placement.session_id].add(placement.team)
    return {session_id: sorted(numbers) for session_id, numbers in teams.items()}


def store_assignments(
    session: Session, campaign_id: int, session_ids: list[int], plan: AssignmentPlan
) -> None:
    """Replace the unlocked assignments of `session_ids` by the plan's, and its left-outs.

    Locked and declined assignments stay. A placement keeps the volunteer's row, moved
    to its team, or adds one. Flushes only.
    """
    existing = {
        (a.session_id, a.user_id): a
        for a in session.scalars(select(Assignment).where(Assignment.session_id.in_(session_ids)))
    }
    placed = {(p.session_id, p.volunteer_id): p for p in plan.placements}
    for key, stale in existing.items():
        # A decline stays on record: it is what keeps the pair out of later plans.
        if key not in placed and not stale.is_locked and stale.status != AssignmentStatus.DECLINED:
            session.delete(stale)
    moved: list[int] = []
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
        elif assignment.team != placement.team:
            assignment.team = placement.team
            moved.append(assignment.id)
    # Their queued reminders link to their former team's route; the run writes them anew.
    withdraw_assignment_reminders(session, moved)

    session.execute(delete(LeftOutVolunteer).where(LeftOutVolunteer.campaign_id == campaign_id))
    # Volunteers out on a session already begun are placed, even if the run gave them
    # nothing more.
    out_canvassing = _placed_on(session, sessions_with_visits(session, campaign_id))
    for left_out in plan.left_out:
        if left_out.volunteer_id in out_canvassing:
            continue
        session.add(
            LeftOutVolunteer(
                campaign_id=campaign_id, user_id=left_out.volunteer_id, reason=str(left_out.reason)
            )
        )
    session.flush()


def _placed_on(session: Session, session_ids: set[int]) -> set[int]:
    """Return the volunteers with an assignment they have not declined on these sessions."""
    if not session_ids:
        return set()
    query = select(Assignment.user_id).where(
        Assignment.session_id.in_(session_ids), Assignment.status != AssignmentStatus.DECLINED
    )
    return set(session.scalars(query))
