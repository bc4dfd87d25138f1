"""Notify volunteers that they are no longer on a session they were sent messages about.

A planning run replaces the unlocked assignments of the sessions it plans
(`webapp.services.assignment.plan_assignments`), and a coordinator's lock or move takes
a volunteer off clashing sessions (`webapp.services.planning_locks`). The caller lists
the placements before the change (`list_placements`), then `notify_removed` writes a
notice for each one removed, on every channel the volunteer agreed to, as a cancelled
session does. The notice names the session, and is not written for a session that has
begun or is no longer planned, nor for a place the volunteer was never sent a message
about.
Its key is `assignment:<id>:session_changed:<channel>:removed`, so writing it again adds
nothing.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from webapp.models import Assignment, Campaign, CanvassSession, Message, User
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.planning import AssignmentStatus, SessionStatus
from webapp.services.errors import NotFoundError
from webapp.services.message_batch import MessageBatch, MessageKeys, consented_channels
from webapp.services.reminders import (
    ACTIVE_STATUSES,
    KEY_PREFIX,
    assignment_key_prefix,
    withdraw_assignment_reminders,
)

logger = logging.getLogger(__name__)

TEMPLATE = "session_removed"
# Statuses of a message the volunteer was sent, or that a provider took to send.
SENT_STATUSES = (MessageStatus.SENDING, MessageStatus.SENT, MessageStatus.DELIVERED)


@dataclass(frozen=True)
class Placement:
    """A volunteer's proposed or confirmed place on a planned session."""

    assignment_id: int
    user_id: int
    session_id: int


def list_placements(
    session: Session, campaign_id: int, *, user_id: int | None = None
) -> list[Placement]:
    """Return the proposed or confirmed places on the campaign's planned sessions.

    With `user_id`, only that volunteer's.
    """
    query = (
        select(Assignment.id, Assignment.user_id, Assignment.session_id)
        .join(CanvassSession, CanvassSession.id == Assignment.session_id)
        .where(
            CanvassSession.campaign_id == campaign_id,
            CanvassSession.status == SessionStatus.PLANNED,
            Assignment.status.in_(ACTIVE_STATUSES),
        )
        .order_by(Assignment.id)
    )
    if user_id is not None:
        query = query.where(Assignment.user_id == user_id)
    return [Placement(*row) for row in session.execute(query)]


def notify_removed(
    session: Session, campaign_id: int, before: Sequence[Placement], *, now: datetime
) -> list[Message]:
    """Queue a notice to each volunteer of `before` whose place is gone or declined.

    A coordinator's move leaves a decline on the session left, so that no later run
    proposes it again. Their messages still queued about that place are withdrawn. No
    notice goes for a session already begun: the volunteer may be out canvassing it.
    Needs an app context; the caller commits, and the send jobs are enqueued after the
    commit.
    """
    existing = set(
        session.scalars(
            select(Assignment.id).where(
                Assignment.id.in_([p.assignment_id for p in before]),
                Assignment.status != AssignmentStatus.DECLINED,
            )
        )
    )
    removed = [placement for placement in before if placement.assignment_id not in existing]
    if not removed:
        return []
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFoundError(f"campaign {campaign_id} not found")
    removed_ids = [placement.assignment_id for placement in removed]
    sent_ids = _sent_about(session, removed_ids)
    withdraw_assignment_reminders(session, removed_ids)
    moved_by_hand = _moved_to(session, removed_ids)
    moved_by_run = _new_places(session, campaign_id, before, removed)
    sessions = _sessions(
        session,
        {placement.session_id for placement in removed}
        | set(moved_by_hand.values())
        | set(moved_by_run.values()),
    )
    users = _users(session, {placement.user_id for placement in removed})
    batch = MessageBatch(session, campaign.id, MessageKeys.load(session, campaign.id, KEY_PREFIX))
    for placement in removed:
        canvass = sessions.get(placement.session_id)
        user = users.get(placement.user_id)
        if canvass is None or user is None or placement.assignment_id not in sent_ids:
            continue
        if canvass.status != SessionStatus.PLANNED or canvass.starts_at <= now:
            continue
        by_hand = placement.assignment_id in moved_by_hand
        target_id = (moved_by_hand if by_hand else moved_by_run).get(placement.assignment_id)
        target = sessions.get(target_id) if target_id is not None else None
        _add_notice(batch, placement, user, canvass, campaign, moved_to=target, by_hand=by_hand)
    messages = batch.dispatch_after_commit()
    logger.info(
        "Campaign %s: %s places removed, %s notices queued",
        campaign.id,
        len(removed),
        len(messages),
        extra={"campaign_id": campaign.id},
    )
    return messages


def _add_notice(
    batch: MessageBatch,
    placement: Placement,
    user: User,
    canvass: CanvassSession,
    campaign: Campaign,
    *,
    moved_to: CanvassSession | None,
    by_hand: bool,
) -> None:
    context = {
        "first_name": user.first_name,
        "starts_at": canvass.starts_at,
        "iris_name": canvass.iris.name,
        "campaign_name": campaign.name,
        "sender_name": campaign.sms_sender_name,
        # The session the volunteer moves to, by a coordinator's hand or by the same
        # planning run, whose confirmation goes too.
        "moved_to_starts_at": moved_to.starts_at if moved_to else None,
        "moved_to_iris_name": moved_to.iris.name if moved_to else None,
        "is_moved_by_hand": by_hand,
    }
    purpose = MessagePurpose.SESSION_CHANGED
    prefix = assignment_key_prefix(placement.assignment_id)
    for channel in consented_channels(user):
        batch.add(
            user=user,
            channel=channel,
            purpose=purpose,
            base_key=f"{prefix}{purpose}:{channel}:removed",
            template=TEMPLATE,
            context=context,
        )


def _moved_to(session: Session, assignment_ids: Sequence[int]) -> dict[int, int]:
    """Return the session each of the places a coordinator moved away from went to."""
    rows = session.execute(
        select(Assignment.id, Assignment.moved_to_session_id).where(
            Assignment.id.in_(assignment_ids), Assignment.moved_to_session_id.is_not(None)
        )
    )
    return {assignment_id: target for assignment_id, target in rows if target is not None}


def _new_places(
    session: Session, campaign_id: int, before: Sequence[Placement], removed: Sequence[Placement]
) -> dict[int, int]:
    """Return, for each removed place, the earliest session its volunteer was given
    instead: a place they hold now and did not hold before."""
    held_before = {(p.user_id, p.session_id) for p in before}
    users = {p.user_id for p in removed}
    new: dict[int, list[int]] = {}
    for placement in list_placements(session, campaign_id):
        key = (placement.user_id, placement.session_id)
        if placement.user_id in users and key not in held_before:
            new.setdefault(placement.user_id, []).append(placement.session_id)
    if not new:
        return {}
    starts = dict(
        session.execute(
            select(CanvassSession.id, CanvassSession.starts_at).where(
                CanvassSession.id.in_({s for ids in new.values() for s in ids})
            )
        ).all()
    )
    return {
        p.assignment_id: min(new[p.user_id], key=lambda s: (starts[s], s))
        for p in removed
        if p.user_id in new
    }


def _sent_about(session: Session, assignment_ids: Sequence[int]) -> set[int]:
    """Return the assignments the volunteer was sent at least one message about."""
    prefixes = {
        assignment_key_prefix(assignment_id): assignment_id for assignment_id in assignment_ids
    }
    keys = session.scalars(
        select(Message.idempotency_key).where(
            Message.status.in_(SENT_STATUSES),
            or_(*(Message.idempotency_key.startswith(p, autoescape=True) for p in prefixes)),
        )
    )
    return {
        assignment_id
        for key in keys
        for prefix, assignment_id in prefixes.items()
        if key.startswith(prefix)
    }


def _sessions(session: Session, session_ids: set[int]) -> dict[int, CanvassSession]:
    rows = session.scalars(
        select(CanvassSession)
        .where(CanvassSession.id.in_(session_ids))
        .options(selectinload(CanvassSession.iris))
    )
    return {row.id: row for row in rows}


def _users(session: Session, user_ids: set[int]) -> dict[int, User]:
    rows = session.scalars(
        select(User).where(User.id.in_(user_ids)).options(selectinload(User.consents))
    )
    return {user.id: user for user in rows}
