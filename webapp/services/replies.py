"""What a volunteer does from a reminder link: confirm, or cancel and free the place.

A cancellation declines the assignment, withdraws its pending reminders, offers the
place to one other volunteer who fits it (`webapp.services.replacement`) when the session
is below its maximum afterwards, and tells the campaign’s coordinators.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from webapp.db import utcnow
from webapp.models import Assignment, Campaign, CanvassSession, Route, User
from webapp.models.planning import AssignmentStatus, SessionStatus
from webapp.services.assignment import count_session_coming
from webapp.services.coordinator_notices import DECLINED_KEY_PREFIX, add_coordinator_notices
from webapp.services.message_batch import (
    MessageBatch,
    MessageKeys,
)
from webapp.services.reminders import (
    KEY_PREFIX,
    ReminderOffsets,
    add_sequence,
    withdraw_assignment_reminders,
)
from webapp.services.replacement import find_replacement
from webapp.services.reply_links import ReplyClaim, read_reply_token, start_stamp
from webapp.services.route_notice_state import add_notified_member
from webapp.services.volunteer_sessions import list_team_mates

logger = logging.getLogger(__name__)

# Who hears about a cancellation: everyone who may change the campaign's sessions.


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
    _tell_coordinators(batch, assignment, replacement)
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
        is_offer=True,
    )


def _tell_coordinators(
    batch: MessageBatch, assignment: Assignment, replacement: User | None
) -> None:
    volunteer = assignment.user
    context = {
        "volunteer_name": f"{volunteer.first_name} {volunteer.last_name}",
        "replacement_name": (
            f"{replacement.first_name} {replacement.last_name}" if replacement else None
        ),
    }
    add_coordinator_notices(
        batch,
        assignment.session,
        key=f"{DECLINED_KEY_PREFIX}{assignment.id}",
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
