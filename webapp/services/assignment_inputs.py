"""Planning inputs read from the database: volunteers, their commitments and sessions."""

import math
from collections.abc import Collection, Sequence
from datetime import timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from routing.assignment_types import (
    Commitment,
    DatedException,
    SessionInput,
    TravelMode,
    VolunteerInput,
    WeeklySlot,
)
from routing.geo import GeoPoint
from webapp.models import Assignment, CanvassSession, IrisScore, Membership, User
from webapp.models.planning import AssignmentStatus, SessionStatus
from webapp.models.users import Role
from webapp.services.localtime import to_local_naive


def commitments_around(
    session: Session,
    campaign_id: int,
    planned: list[CanvassSession],
    user_ids: Collection[int] | None = None,
) -> dict[int, tuple[Commitment, ...]]:
    """Return, by volunteer, the campaign's other sessions they are on near the horizon.

    Sessions begun or done count for clashes, rest and the weekly cap of the sessions
    planned around them. Those ending over a week before the first planned session can
    share no ISO week with it, so they are not loaded. With `user_ids`, only those
    volunteers' sessions are read.
    """
    if not planned:
        return {}
    since = min(row.starts_at for row in planned) - timedelta(days=7)
    query = (
        select(Assignment.user_id, CanvassSession.starts_at, CanvassSession.ends_at)
        .join(CanvassSession, CanvassSession.id == Assignment.session_id)
        .where(
            CanvassSession.campaign_id == campaign_id,
            CanvassSession.status != SessionStatus.CANCELLED,
            CanvassSession.id.not_in([row.id for row in planned]),
            CanvassSession.ends_at >= since,
            Assignment.status != AssignmentStatus.DECLINED,
        )
        .order_by(Assignment.user_id, CanvassSession.starts_at)
    )
    if user_ids is not None:
        query = query.where(Assignment.user_id.in_(list(user_ids)))
    found: dict[int, tuple[Commitment, ...]] = {}
    for user_id, starts_at, ends_at in session.execute(query):
        commitment = Commitment(to_local_naive(starts_at), to_local_naive(ends_at))
        found[user_id] = (*found.get(user_id, ()), commitment)
    return found


def campaign_volunteers(
    session: Session, campaign_id: int, *, narrowed_by: Sequence[ColumnElement[bool]] = ()
) -> list[User]:
    """Return the campaign's enabled volunteers with their profile and availability, by
    id, narrowed by the filters `narrowed_by` on `User`."""
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.campaign_id == campaign_id,
            Membership.role == Role.VOLUNTEER,
            User.is_enabled.is_(True),
        )
        .options(
            selectinload(User.profile),
            selectinload(User.availability),
            selectinload(User.availability_exceptions),
        )
        .order_by(User.id)
    )
    if narrowed_by:
        query = query.where(*narrowed_by)
    return list(session.scalars(query))


def assignments_on(session: Session, session_ids: list[int]) -> dict[int, list[Assignment]]:
    """Return the current assignments on the given sessions, by volunteer."""
    found: dict[int, list[Assignment]] = {}
    if not session_ids:
        return found
    query = select(Assignment).where(Assignment.session_id.in_(session_ids))
    for assignment in session.scalars(query):
        found.setdefault(assignment.user_id, []).append(assignment)
    return found


def volunteer_input(
    user: User,
    assignments: list[Assignment],
    user_ids: set[int],
    commitments: tuple[Commitment, ...],
) -> VolunteerInput:
    profile = user.profile
    home = None
    if profile is not None and profile.home_lon is not None and profile.home_lat is not None:
        home = GeoPoint(profile.home_lon, profile.home_lat)
    active = [a for a in assignments if a.status != AssignmentStatus.DECLINED]
    partner = profile.partner_user_id if profile else None
    return VolunteerInput(
        id=user.id,
        home=home,
        availability=weekly_slots(user),
        is_experienced=bool(profile and profile.is_experienced),
        max_distance_m=profile.max_distance_m if profile else None,
        locked_session_ids=tuple(sorted(a.session_id for a in active if a.is_locked)),
        exceptions=dated_exceptions(user),
        max_travel_minutes=profile.max_travel_minutes if profile else None,
        travel_mode=read_travel_mode(profile.travel_mode if profile else None),
        max_sessions_per_week=profile.max_sessions_per_week if profile else None,
        languages=frozenset(profile.languages or ()) if profile else frozenset(),
        # A friend who is no volunteer of this campaign (or disabled) cannot be planned.
        partner_id=partner if partner in user_ids and partner != user.id else None,
        previous_session_ids=tuple(sorted(a.session_id for a in active)),
        declined_session_ids=tuple(
            sorted(a.session_id for a in assignments if a.status == AssignmentStatus.DECLINED)
        ),
        commitments=commitments,
    )


def weekly_slots(user: User) -> tuple[WeeklySlot, ...]:
    """Return the user's recurring weekly availability, Paris wall-clock minutes."""
    return tuple(WeeklySlot(s.weekday, s.start_minute, s.end_minute) for s in user.availability)


def dated_exceptions(user: User) -> tuple[DatedException, ...]:
    """Return the user's dated days off and extra hours."""
    return tuple(
        DatedException(e.on_date, e.is_available, e.start_minute, e.end_minute)
        for e in user.availability_exceptions
    )


def read_travel_mode(value: str | None) -> TravelMode:
    try:
        return TravelMode(value or TravelMode.WALK)
    except ValueError:
        return TravelMode.WALK


def session_input(row: CanvassSession, score: IrisScore | None) -> SessionInput:
    weight = score.score if score is not None else 0.0
    return SessionInput(
        id=row.id,
        starts_at=to_local_naive(row.starts_at),
        ends_at=to_local_naive(row.ends_at),
        meeting_point=GeoPoint(row.meeting_lon, row.meeting_lat),
        min_volunteers=row.min_volunteers,
        max_volunteers=row.max_volunteers,
        weight=max(0.0, min(100.0, weight)) if math.isfinite(weight) else 0.0,
        languages=frozenset(score.languages or ()) if score is not None else frozenset(),
    )
