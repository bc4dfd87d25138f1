"""Choices a coordinator makes by hand: lock a volunteer on a session, unlock, move.

A lock overrides the volunteer's availability, travel limit, rest and weekly cap,
because the coordinator agrees it with the volunteer. So a lock or a move outside the
volunteer's availability is recorded, and the outcome flags it for the page to warn.

A lock may also add a volunteer to a session whose volunteers already reach its
maximum, as long as the locks alone fit in it (`lock_capacity`). The outcome flags it
too: the next planning run keeps the lock and takes unlocked volunteers off the
session to come back within the maximum.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from routing.assignment_availability import covers, day_intervals
from webapp.models import Assignment, CanvassSession, User
from webapp.models.planning import AssignmentStatus
from webapp.services.assignment import (
    LockError,
    LockProblem,
    count_session_coming,
    find_planned_session,
    lock_assignment,
    unlock_assignment,
)
from webapp.services.assignment_inputs import dated_exceptions, weekly_slots
from webapp.services.errors import NotFoundError
from webapp.services.localtime import to_local_naive
from webapp.services.reminders import queue_assignment_reminders
from webapp.services.removal_notices import Placement, notify_removed

logger = logging.getLogger(__name__)

MINUTES_PER_HOUR = 60


@dataclass(frozen=True)
class ManualChoice:
    """A lock just recorded, with the volunteer's name for the page."""

    user_id: int
    session_id: int
    starts_at: datetime
    iris_name: str  # names the session among others at the same time
    team: int
    first_name: str
    last_name: str
    is_outside_availability: bool
    others_coming: int  # other volunteers coming to the session, declines left out
    max_volunteers: int
    is_beyond_maximum: bool  # the volunteer joined a session the others already filled
    # The volunteer had declined the session, and the lock puts them back on it.
    had_declined: bool = False


def lock_volunteer(
    session: Session,
    campaign_id: int,
    user_id: int,
    session_id: int,
    *,
    now: datetime | None = None,
) -> ManualChoice:
    """Pin the volunteer to the session, so that every later planning run keeps them there.

    Raises NotFoundError for a session of another campaign, and LockError for a
    volunteer unknown to the campaign, a session no longer planned or, when `now` is
    given, begun by then, a clash with another lock or a session whose places are all
    locked. A session that
    other volunteers already fill still takes this one, with `is_beyond_maximum` set.
    """
    status = session.scalar(
        select(Assignment.status).where(
            Assignment.session_id == session_id, Assignment.user_id == user_id
        )
    )
    was_coming = status is not None and status != AssignmentStatus.DECLINED
    had_declined = status == AssignmentStatus.DECLINED
    assignment = lock_assignment(session, campaign_id, user_id, session_id, now=now)
    return replace(_choice(session, assignment, was_coming), had_declined=had_declined)


def unlock_volunteer(
    session: Session,
    campaign_id: int,
    user_id: int,
    session_id: int,
    *,
    now: datetime | None = None,
) -> bool:
    """Release a lock: the volunteer stays on the session until the next run decides.

    Returns False when the volunteer holds no lock there, such as after a second click.
    Raises NotFoundError for a session of another campaign, LockError for a session no
    longer planned or, when `now` is given, begun by then.
    """
    find_planned_session(session, campaign_id, session_id)
    try:
        unlock_assignment(session, campaign_id, user_id, session_id, now=now)
    except NotFoundError:
        return False
    return True


def move_volunteer(
    session: Session,
    campaign_id: int,
    user_id: int,
    from_session_id: int,
    to_session_id: int,
    *,
    now: datetime | None = None,
) -> ManualChoice:
    """Take the volunteer off one session and lock them on another.

    The volunteer must be on `from_session_id` (NotFoundError otherwise). The place on
    the first session becomes a decline, unlocked, so that no later run proposes that
    session again: the coordinator agreed the move with the volunteer. Raises like
    `lock_volunteer` for the second session, and SESSION_STARTED when the first one has
    begun by `now`, if given. A LockError on the second session comes after the volunteer left
    the first session: the caller rolls back, and the volunteer stays where they were.
    """
    leaving = find_planned_session(session, campaign_id, from_session_id)
    find_planned_session(session, campaign_id, to_session_id)
    if now is not None and leaving.starts_at <= now:
        # Its teams are out: taking one member away would leave a partner alone.
        raise LockError(LockProblem.SESSION_STARTED)
    current = session.scalars(
        select(Assignment).where(
            Assignment.session_id == from_session_id, Assignment.user_id == user_id
        )
    ).first()
    if current is None:
        raise NotFoundError(f"user {user_id} on session {from_session_id}")
    if to_session_id != from_session_id:
        current.status = AssignmentStatus.DECLINED
        current.is_locked = False
        current.moved_to_session_id = to_session_id
        session.flush()
    choice = lock_volunteer(session, campaign_id, user_id, to_session_id, now=now)
    logger.info(
        "Volunteer %s moved from session %s to session %s of campaign %s",
        user_id,
        from_session_id,
        to_session_id,
        campaign_id,
        extra={"campaign_id": campaign_id, "session_id": to_session_id},
    )
    return choice


def send_choice_messages(
    session: Session,
    campaign_id: int,
    choice: ManualChoice,
    placements_before: Sequence[Placement],
    *,
    now: datetime,
) -> None:
    """Tell the volunteer of a choice made by hand; flushes only.

    The places it took away (`placements_before` lists the volunteer's places before
    it) get a notice, and the session locked gets its confirmation and reminders at
    once: the coordinator agreed it with the volunteer.
    """
    notify_removed(session, campaign_id, placements_before, now=now)
    locked = session.scalars(
        select(Assignment.id).where(
            Assignment.session_id == choice.session_id, Assignment.user_id == choice.user_id
        )
    ).one()
    queue_assignment_reminders(session, campaign_id, [locked], now=now)


def is_available_for(user: User, canvass: CanvassSession) -> bool:
    """Tell whether the user's availability covers the whole session, Paris time.

    Weekly slots and extra hours of the session's day count, minus days off. Free time
    ends at midnight, so a session that runs past midnight is never covered, as in the
    assignment itself.
    """
    starts_at = to_local_naive(canvass.starts_at)
    ends_at = to_local_naive(canvass.ends_at)
    start_minute = starts_at.hour * MINUTES_PER_HOUR + starts_at.minute
    end_minute = start_minute + (ends_at - starts_at) // timedelta(minutes=1)
    intervals = day_intervals(weekly_slots(user), dated_exceptions(user), starts_at.date())
    return covers(intervals, start_minute, end_minute)


def _choice(session: Session, assignment: Assignment, was_coming: bool) -> ManualChoice:
    user = session.scalars(
        select(User)
        .where(User.id == assignment.user_id)
        .options(selectinload(User.availability), selectinload(User.availability_exceptions))
    ).one()
    canvass = session.get(CanvassSession, assignment.session_id)
    assert canvass is not None  # the lock found it
    others = count_session_coming(session, canvass.id, except_user_id=user.id)
    return ManualChoice(
        user_id=user.id,
        session_id=canvass.id,
        starts_at=canvass.starts_at,
        iris_name=canvass.iris.name,
        team=assignment.team,
        first_name=user.first_name,
        last_name=user.last_name,
        is_outside_availability=not is_available_for(user, canvass),
        others_coming=others,
        max_volunteers=canvass.max_volunteers,
        is_beyond_maximum=not was_coming and others >= canvass.max_volunteers,
    )
