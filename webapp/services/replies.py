"""What a volunteer does from a reminder link: confirm, or cancel and free the place.

A cancellation declines the assignment, withdraws its pending reminders, offers the
place to one other volunteer who is free then (when the session is below its maximum
afterwards), and tells the campaign’s coordinators.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from webapp.db import utcnow
from webapp.models import Assignment, Campaign, CanvassSession, Membership, Route, User
from webapp.models.messaging import MessagePurpose
from webapp.models.planning import AssignmentStatus, SessionStatus
from webapp.models.users import Channel, Role
from webapp.services.assignment import count_session_coming
from webapp.services.localtime import to_local_naive
from webapp.services.message_batch import (
    MessageBatch,
    MessageKeys,
    consented_channels,
)
from webapp.services.reminders import (
    ACTIVE_STATUSES,
    KEY_PREFIX,
    ReminderOffsets,
    add_sequence,
    withdraw_assignment_reminders,
)
from webapp.services.reply_links import ReplyClaim, read_reply_token, start_stamp
from webapp.services.route_notice_state import add_notified_member
from webapp.services.volunteer_sessions import list_team_mates
from webapp.urls import public_url

logger = logging.getLogger(__name__)

MINUTES_PER_DAY = 24 * 60
# Who hears about a cancellation: everyone who may change the campaign's sessions.
COORDINATOR_ROLES = (Role.COORDINATOR, Role.ADMINISTRATOR)


class ReplyProblem(StrEnum):
    """Why a genuine link can no longer act; the pages translate these codes."""

    UNKNOWN_ASSIGNMENT = "unknown_assignment"
    SESSION_CANCELLED = "session_cancelled"
    SESSION_STARTED = "session_started"
    SESSION_MOVED = "session_moved"


class ReplyOutcome(StrEnum):
    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    CANCELLED = "cancelled"
    ALREADY_CANCELLED = "already_cancelled"


@dataclass(frozen=True)
class ReplyView:
    """The session a link is about, as its reply page shows it."""

    first_name: str
    starts_at: datetime
    ends_at: datetime
    iris_name: str
    meeting_point: str
    status: AssignmentStatus
    problem: ReplyProblem | None


@dataclass(frozen=True)
class ReplyResult:
    view: ReplyView
    outcome: ReplyOutcome | None
    replacement_user_id: int | None = None


def load_reply(session: Session, token: str, *, now: datetime | None = None) -> ReplyView:
    """Return what the link's page shows; raises ReplyLinkInvalidError or ReplyLinkExpiredError."""
    assignment, claim = _assignment_of(session, token, now=now)
    return _view(assignment, claim, now or utcnow())


def confirm_assignment(session: Session, token: str, *, now: datetime | None = None) -> ReplyResult:
    """Confirm the link's assignment; a declined one stays declined. The caller commits."""
    now = now or utcnow()
    assignment, claim = _assignment_of(session, token, now=now, for_update=True)
    view = _view(assignment, claim, now)
    if view.problem is not None or assignment is None:
        return ReplyResult(view=view, outcome=None)
    if assignment.status == AssignmentStatus.DECLINED:
        return ReplyResult(view=view, outcome=ReplyOutcome.ALREADY_CANCELLED)
    if assignment.status in (AssignmentStatus.CONFIRMED, AssignmentStatus.ATTENDED):
        return ReplyResult(view=view, outcome=ReplyOutcome.ALREADY_CONFIRMED)
    assignment.status = AssignmentStatus.CONFIRMED
    session.flush()
    logger.info(
        "Assignment %s confirmed by its volunteer",
        assignment.id,
        extra={"session_id": assignment.session_id},
    )
    return ReplyResult(view=_view(assignment, claim, now), outcome=ReplyOutcome.CONFIRMED)


def cancel_assignment(session: Session, token: str, *, now: datetime | None = None) -> ReplyResult:
    """Decline the link's assignment, offer the place and tell the coordinators.

    Needs an app context (messages are rendered). The caller commits; the messages are
    enqueued after that.
    """
    now = now or utcnow()
    assignment, claim = _assignment_of(session, token, now=now, for_update=True)
    view = _view(assignment, claim, now)
    if view.problem is not None or assignment is None:
        return ReplyResult(view=view, outcome=None)
    if assignment.status == AssignmentStatus.DECLINED:
        return ReplyResult(view=view, outcome=ReplyOutcome.ALREADY_CANCELLED)
    assignment.status = AssignmentStatus.DECLINED
    withdraw_assignment_reminders(session, [assignment.id])
    session.flush()

    canvass = assignment.session
    campaign = session.get(Campaign, canvass.campaign_id)
    if campaign is None:
        raise RuntimeError(f"campaign of session {canvass.id} missing")
    batch = MessageBatch(session, campaign.id, MessageKeys.load(session, campaign.id, KEY_PREFIX))
    # A session placed beyond its maximum by hand may still be full after the cancel.
    has_room = count_session_coming(session, canvass.id) < canvass.max_volunteers
    replacement = find_replacement(session, canvass) if has_room else None
    if replacement is not None:
        _offer_place(batch, canvass, replacement, team=assignment.team, campaign=campaign, now=now)
    _tell_coordinators(session, batch, assignment, replacement)
    batch.dispatch_after_commit()
    place = "not needed"
    if replacement is not None:
        place = "offered"
    elif has_room:
        place = "left open"
    logger.info(
        "Assignment %s cancelled by its volunteer; place %s",
        assignment.id,
        place,
        extra={"session_id": canvass.id, "campaign_id": campaign.id},
    )
    return ReplyResult(
        view=_view(assignment, claim, now),
        outcome=ReplyOutcome.CANCELLED,
        replacement_user_id=replacement.id if replacement else None,
    )


def find_replacement(session: Session, canvass: CanvassSession) -> User | None:
    """Return the volunteer to offer a freed place to, or None when nobody fits.

    Fits: a volunteer of the campaign, reachable on a channel they agreed to, never
    assigned to this session, free for the whole session by their weekly grid and dated
    exceptions, and not in another session at an overlapping time. Among them, the one
    with the fewest upcoming sessions, then the earliest sign-up.

    NOTE: distance from home, the rest time between sessions, the weekly session limit
    and pairing wishes are not checked here; the next planning run weighs them all.
    """
    local_start = to_local_naive(canvass.starts_at)
    local_end = to_local_naive(canvass.ends_at)
    if local_end.date() != local_start.date():
        return None
    start_minute = local_start.hour * 60 + local_start.minute
    end_minute = local_end.hour * 60 + local_end.minute
    busy = _busy_user_ids(session, canvass)
    load = _upcoming_load(session, canvass)
    candidates = sorted(
        (user for user in _volunteers(session, canvass.campaign_id) if user.id not in busy),
        key=lambda user: (load.get(user.id, 0), user.id),
    )
    for user in candidates:
        if consented_channels(user) and is_free(user, local_start.date(), start_minute, end_minute):
            return user
    return None


def is_free(user: User, day: date, start_minute: int, end_minute: int) -> bool:
    """Tell whether one free window of the user's day holds the whole session.

    Free windows are the weekly slots of that weekday plus dated extra hours, minus
    dated time off; an exception without minutes covers the whole day.
    """
    exceptions = [e for e in user.availability_exceptions if e.on_date == day]
    windows = [
        (s.start_minute, s.end_minute) for s in user.availability if s.weekday == day.weekday()
    ]
    windows += [_minutes(e.start_minute, e.end_minute) for e in exceptions if e.is_available]
    for off_start, off_end in (
        _minutes(e.start_minute, e.end_minute) for e in exceptions if not e.is_available
    ):
        if off_start < end_minute and start_minute < off_end:
            return False
    return any(low <= start_minute and end_minute <= high for low, high in _merge(windows))


def _minutes(start: int | None, end: int | None) -> tuple[int, int]:
    if start is None or end is None:
        return (0, MINUTES_PER_DAY)
    return (start, end)


def _merge(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join windows that overlap or touch, so 13:30-18:00 and 18:00-21:00 hold 17:00-19:00."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _volunteers(session: Session, campaign_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.campaign_id == campaign_id,
                Membership.role == Role.VOLUNTEER,
                User.is_enabled.is_(True),
            )
            .options(
                selectinload(User.availability),
                selectinload(User.availability_exceptions),
                selectinload(User.consents),
            )
        )
    )


def _busy_user_ids(session: Session, canvass: CanvassSession) -> set[int]:
    """Return who is in this session (any status) or in an active one overlapping it."""
    in_session = select(Assignment.user_id).where(Assignment.session_id == canvass.id)
    overlapping = (
        select(Assignment.user_id)
        .join(CanvassSession, Assignment.session_id == CanvassSession.id)
        .where(
            Assignment.status.in_(ACTIVE_STATUSES),
            CanvassSession.status == SessionStatus.PLANNED,
            CanvassSession.starts_at < canvass.ends_at,
            CanvassSession.ends_at > canvass.starts_at,
        )
    )
    return set(session.scalars(in_session)) | set(session.scalars(overlapping))


def _upcoming_load(session: Session, canvass: CanvassSession) -> dict[int, int]:
    rows = session.execute(
        select(Assignment.user_id, func.count(Assignment.id))
        .join(CanvassSession, Assignment.session_id == CanvassSession.id)
        .where(
            CanvassSession.campaign_id == canvass.campaign_id,
            CanvassSession.status == SessionStatus.PLANNED,
            CanvassSession.ends_at > canvass.starts_at,
            Assignment.status.in_(ACTIVE_STATUSES),
        )
        .group_by(Assignment.user_id)
    )
    return {user_id: count for user_id, count in rows}


def _offer_place(
    batch: MessageBatch,
    canvass: CanvassSession,
    user: User,
    *,
    team: int,
    campaign: Campaign,
    now: datetime,
) -> None:
    session = batch.session
    offered = Assignment(
        session_id=canvass.id, user_id=user.id, team=team, status=AssignmentStatus.PROPOSED
    )
    session.add(offered)
    session.flush()
    route = session.scalars(
        select(Route).where(Route.session_id == canvass.id, Route.team == team)
    ).first()
    if route is not None:
        # The confirmation carries the route link, so a later route notice finds the
        # volunteer already notified and does not present them as joining the team.
        add_notified_member(route, offered.id)
    offsets = ReminderOffsets.from_campaign(campaign.reminder_offsets)
    add_sequence(
        batch,
        offered,
        route=route,
        campaign=campaign,
        offsets=offsets,
        now=now,
        with_confirmation=True,
        team_mate_names=list_team_mates(session, [offered])[offered.id],
    )


def _tell_coordinators(
    session: Session, batch: MessageBatch, assignment: Assignment, replacement: User | None
) -> None:
    canvass = assignment.session
    coordinators = session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.campaign_id == canvass.campaign_id,
            Membership.role.in_(COORDINATOR_ROLES),
            User.is_enabled.is_(True),
        )
        .order_by(User.id)
    )
    volunteer = assignment.user
    context = {
        "volunteer_name": f"{volunteer.first_name} {volunteer.last_name}",
        "replacement_name": (
            f"{replacement.first_name} {replacement.last_name}" if replacement else None
        ),
        "starts_at": canvass.starts_at,
        "iris_name": canvass.iris.name,
        "meeting_point": canvass.meeting_point_label,
        "session_url": public_url("planning.show_session", session_id=canvass.id),
    }
    for coordinator in coordinators:
        batch.add(
            user=coordinator,
            channel=Channel.EMAIL,
            purpose=MessagePurpose.COORDINATOR_NOTICE,
            base_key=f"declined:{assignment.id}:coordinator:{coordinator.id}",
            template="coordinator_declined",
            context=context,
        )


def _assignment_of(
    session: Session, token: str, *, now: datetime | None, for_update: bool = False
) -> tuple[Assignment | None, ReplyClaim]:
    claim = read_reply_token(token, now=now)
    query = (
        select(Assignment)
        .where(Assignment.id == claim.assignment_id)
        .options(selectinload(Assignment.session), selectinload(Assignment.user))
    )
    if for_update:
        query = query.with_for_update(of=Assignment)
    return session.scalars(query).first(), claim


def _view(assignment: Assignment | None, claim: ReplyClaim, now: datetime) -> ReplyView:
    if assignment is None:
        return ReplyView(
            first_name="",
            starts_at=now,
            ends_at=now,
            iris_name="",
            meeting_point="",
            status=AssignmentStatus.DECLINED,
            problem=ReplyProblem.UNKNOWN_ASSIGNMENT,
        )
    canvass = assignment.session
    return ReplyView(
        first_name=assignment.user.first_name,
        starts_at=canvass.starts_at,
        ends_at=canvass.ends_at,
        iris_name=canvass.iris.name,
        meeting_point=canvass.meeting_point_label,
        status=assignment.status,
        problem=_problem(canvass, claim.start_stamp, now),
    )


def _problem(canvass: CanvassSession, link_stamp: str, now: datetime) -> ReplyProblem | None:
    if canvass.status == SessionStatus.CANCELLED:
        return ReplyProblem.SESSION_CANCELLED
    # Once the session has begun, a change goes through the coordinator, not a link.
    if canvass.starts_at <= now or canvass.status == SessionStatus.DONE:
        return ReplyProblem.SESSION_STARTED
    if start_stamp(canvass.starts_at) != link_stamp:
        return ReplyProblem.SESSION_MOVED
    return None
