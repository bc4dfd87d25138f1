"""The rows a planning run plans from, read again before it stores its plan.

A run reads its inputs, solves with no transaction open, then stores. A change made
meanwhile to the sessions it plans, to any assignment of the campaign, to their street
closures or routes, or a first door recorded on one of them, would make the stored plan
wrong: a volunteer locked by hand placed twice, a door visit deleted. The run compares
this snapshot before it writes, and stores nothing when it differs.

Volunteers' profiles and availability are not part of it: a change there after the
read is taken up by the next run, as a change just after the run would be. Nor is a
volunteer confirming a proposed place: the store keeps the row as it finds it.
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Assignment, CanvassSession, Route, StreetClosure
from webapp.models.planning import AssignmentStatus
from webapp.services.started_sessions import sessions_with_visits


@dataclass(frozen=True)
class PlanningSnapshot:
    """Rows of the planned sessions and of the campaign's assignments, as plain tuples."""

    sessions: tuple[tuple[Any, ...], ...]
    assignments: tuple[tuple[Any, ...], ...]
    closures: tuple[tuple[Any, ...], ...]
    routes: tuple[tuple[Any, ...], ...]
    begun_session_ids: tuple[int, ...]


def take_planning_snapshot(
    session: Session, campaign_id: int, session_ids: Collection[int]
) -> PlanningSnapshot:
    """Read the rows a run planning `session_ids` of the campaign depends on."""
    ids = sorted(session_ids)
    sessions = session.execute(
        select(
            CanvassSession.id,
            CanvassSession.status,
            CanvassSession.starts_at,
            CanvassSession.ends_at,
            CanvassSession.iris_code,
            CanvassSession.meeting_lon,
            CanvassSession.meeting_lat,
            CanvassSession.end_lon,
            CanvassSession.end_lat,
            CanvassSession.min_volunteers,
            CanvassSession.max_volunteers,
        )
        .where(CanvassSession.id.in_(ids))
        .order_by(CanvassSession.id)
    )
    assignments = session.execute(
        select(
            Assignment.id,
            Assignment.session_id,
            Assignment.user_id,
            Assignment.team,
            # Declined or not: a volunteer confirming a place changes nothing the run uses.
            (Assignment.status == AssignmentStatus.DECLINED).label("is_declined"),
            Assignment.status_before_absence,
            Assignment.is_locked,
        )
        .join(CanvassSession, CanvassSession.id == Assignment.session_id)
        .where(CanvassSession.campaign_id == campaign_id)
        .order_by(Assignment.id)
    )
    closures = session.execute(
        select(
            StreetClosure.id,
            StreetClosure.session_id,
            StreetClosure.street_way_id,
            StreetClosure.street_key,
        )
        .where(StreetClosure.session_id.in_(ids))
        .order_by(StreetClosure.id)
    )
    routes = session.execute(
        select(Route.id, Route.session_id, Route.team, Route.address_ids)
        .where(Route.session_id.in_(ids))
        .order_by(Route.id)
    )
    return PlanningSnapshot(
        sessions=_plain(sessions),
        assignments=_plain(assignments),
        closures=_plain(closures),
        routes=tuple((*row[:3], tuple(row[3] or ())) for row in routes),
        begun_session_ids=tuple(sorted(sessions_with_visits(session, campaign_id))),
    )


def _plain(rows: Any) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(row) for row in rows)
