"""Broadcasts: a coordinator's push message to a segment, checked, estimated, sent, followed.

A broadcast is created once per form submission (its `submission_key` is unique), as
`preparing`. After the commit a job writes one message row per recipient with a single
INSERT … SELECT, then enqueues the send jobs, one per batch of rows
(`webapp.services.broadcast_preparation`). The delivery job applies quiet hours,
electoral silence, consent and suppressions at send time, so a scheduled broadcast is
checked again when it goes out.
The rules checked before that are in `webapp.services.broadcast_drafts`.
"""

import logging
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from webapp.db import call_after_commit, utcnow
from webapp.jobs.broadcasts import enqueue_preparation
from webapp.models import Broadcast, Campaign, Message, Suppression, User
from webapp.models.messaging import BroadcastStatus, MessageStatus
from webapp.models.users import Channel
from webapp.services.broadcast_drafts import (
    BroadcastDraft,
    check_send_timing,
    estimate_for,
    validate_draft,
)
from webapp.services.broadcast_reach import count_recipients
from webapp.services.errors import NotFoundError, ValidationError
from webapp.services.message_batch import WITHDRAWN_REASON
from webapp.settings_access import get_settings

logger = logging.getLogger(__name__)

SUBMISSION_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# State of a broadcast whose rows the preparation job has not written yet.
PREPARING_STATE = "preparing"
# Reasons the delivery gives a row it suppressed because the person opted out.
OPT_OUT_REASONS = frozenset({"opted_out", "no_consent"})


@dataclass(frozen=True)
class BroadcastCreation:
    broadcast: Broadcast
    is_new: bool


@dataclass(frozen=True)
class BroadcastProgress:
    """The state of the broadcast's messages. `percent_done` counts every settled row.

    A broadcast still `preparing` has no rows yet, so it is neither done nor complete.
    """

    total: int
    queued: int
    sending: int
    sent: int
    delivered: int
    failed: int
    suppressed: int
    opted_out: int
    withdrawn: int
    failed_by_reason: dict[str, int] = field(default_factory=dict)
    suppressed_by_reason: dict[str, int] = field(default_factory=dict)
    state: str = "sending"

    @property
    def percent_done(self) -> int:
        if self.state == PREPARING_STATE:
            return 0
        if self.total == 0:
            return 100
        return (self.total - self.queued - self.sending) * 100 // self.total

    @property
    def is_complete(self) -> bool:
        return self.state != PREPARING_STATE and self.queued == 0 and self.sending == 0

    def to_json(self) -> dict[str, Any]:
        """Return the figures the progress page polls, JSON-safe."""
        return {
            "total": self.total,
            "queued": self.queued,
            "sending": self.sending,
            "sent": self.sent,
            "delivered": self.delivered,
            "failed": self.failed,
            "failed_by_reason": dict(sorted(self.failed_by_reason.items())),
            "suppressed_by_reason": dict(sorted(self.suppressed_by_reason.items())),
            "suppressed": self.suppressed,
            "opted_out": self.opted_out,
            "withdrawn": self.withdrawn,
            "percent_done": self.percent_done,
            "is_complete": self.is_complete,
            "state": self.state,
        }


def create_broadcast(
    session: Session,
    campaign_id: int,
    draft: BroadcastDraft,
    *,
    submission_key: str,
    created_by_user_id: int | None,
    now: datetime | None = None,
) -> BroadcastCreation:
    """Store the broadcast as `preparing` once per submission key; its rows come from a job.

    The recipients are counted in SQL for the timing check, and the count is stored as
    the expected one. The preparation job then writes the rows and the count of rows written.
    A key already used returns that broadcast with `is_new` False and adds nothing, even
    when the two requests run at the same moment (the key is unique in the database).
    Needs an app context. Flushes; the caller commits, then the preparation is enqueued.
    Raises ValidationError when the draft breaks a rule, SendTimingError when it may not
    go out at the requested time.
    """
    now = now or utcnow()
    if not SUBMISSION_KEY_RE.match(submission_key):
        raise ValidationError("submission_key", "malformed")
    existing = _by_submission_key(session, submission_key)
    if existing is not None:
        return BroadcastCreation(broadcast=existing, is_new=False)
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFoundError(f"campaign {campaign_id} not found")
    validate_draft(session, campaign, draft, now=now)
    count = count_recipients(session, campaign_id, draft.channel, draft.segment, now)
    settings = get_settings()
    check_send_timing(estimate_for(campaign, draft, count, now, settings))
    broadcast = Broadcast(
        campaign_id=campaign_id,
        channel=draft.channel,
        segment=draft.segment.to_json(),
        subject=draft.subject.strip() if draft.channel == Channel.EMAIL else "",
        body=draft.body.strip(),
        status=BroadcastStatus.PREPARING,
        scheduled_at=draft.scheduled_at,
        submission_key=submission_key,
        created_by_user_id=created_by_user_id,
        recipient_count=count,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(broadcast)
    except IntegrityError:
        # The same form was submitted by another request that committed first.
        existing = _by_submission_key(session, submission_key)
        if existing is None:
            raise
        return BroadcastCreation(broadcast=existing, is_new=False)
    broadcast_id = broadcast.id
    call_after_commit(session, lambda: enqueue_preparation(settings, broadcast_id))
    logger.info(
        "Broadcast %s created for about %s recipients by %s",
        broadcast_id,
        count,
        draft.channel,
        extra={"campaign_id": campaign_id, "broadcast_id": broadcast_id},
    )
    return BroadcastCreation(broadcast=broadcast, is_new=True)


def _by_submission_key(session: Session, submission_key: str) -> Broadcast | None:
    return session.scalars(
        select(Broadcast).where(Broadcast.submission_key == submission_key)
    ).first()


def load_broadcast(session: Session, campaign_id: int, broadcast_id: int) -> Broadcast:
    """Return the campaign's broadcast, or raise NotFoundError."""
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is None or broadcast.campaign_id != campaign_id:
        raise NotFoundError(f"broadcast {broadcast_id} not found")
    return broadcast


def broadcast_progress(
    session: Session, broadcast: Broadcast, *, now: datetime | None = None
) -> BroadcastProgress:
    """Count the broadcast's messages by status, failures and suppressions by reason."""
    now = now or utcnow()
    counts: Counter[MessageStatus] = Counter()
    failures: Counter[str] = Counter()
    suppressions: Counter[str] = Counter()
    withdrawn = 0
    rows = session.execute(
        select(Message.status, Message.failure_reason, func.count(Message.id))
        .where(Message.broadcast_id == broadcast.id)
        .group_by(Message.status, Message.failure_reason)
    )
    for status, reason, count in rows:
        counts[status] += count
        if status == MessageStatus.FAILED:
            failures[reason or "unknown"] += count
        if status == MessageStatus.SUPPRESSED:
            suppressions[reason or "unknown"] += count
        if status == MessageStatus.SUPPRESSED and reason == WITHDRAWN_REASON:
            withdrawn += count
    opted_out = _opted_out(session, broadcast)
    progress = BroadcastProgress(
        total=sum(counts.values()),
        queued=counts[MessageStatus.QUEUED],
        sending=counts[MessageStatus.SENDING],
        sent=counts[MessageStatus.SENT],
        delivered=counts[MessageStatus.DELIVERED],
        failed=counts[MessageStatus.FAILED],
        suppressed=counts[MessageStatus.SUPPRESSED] - opted_out - withdrawn,
        opted_out=opted_out,
        withdrawn=withdrawn,
        failed_by_reason=dict(failures),
        suppressed_by_reason=dict(suppressions),
    )
    return _with_state(progress, broadcast, now)


def _opted_out(session: Session, broadcast: Broadcast) -> int:
    """Count suppressed rows whose person has since opted out: listed, or consent withdrawn."""
    rows = session.execute(
        select(Message.user_id, Message.recipient, Message.failure_reason).where(
            Message.broadcast_id == broadcast.id,
            Message.status == MessageStatus.SUPPRESSED,
            or_(Message.failure_reason.is_(None), Message.failure_reason != WITHDRAWN_REASON),
        )
    ).all()
    if not rows:
        return 0
    listed = set(
        session.scalars(
            select(Suppression.address).where(
                Suppression.channel == broadcast.channel,
                or_(
                    Suppression.campaign_id == broadcast.campaign_id,
                    Suppression.campaign_id.is_(None),
                ),
            )
        )
    )
    user_ids = {user_id for user_id, _, _ in rows if user_id is not None}
    users = {
        user.id: user
        for user in session.scalars(
            select(User).where(User.id.in_(user_ids)).options(selectinload(User.consents))
        )
    }
    return sum(
        1
        for user_id, address, reason in rows
        if reason in OPT_OUT_REASONS
        or address in listed
        or user_id not in users
        or not users[user_id].has_consent(broadcast.channel)
    )


def _with_state(
    progress: BroadcastProgress, broadcast: Broadcast, now: datetime
) -> BroadcastProgress:
    # NOTE: the stored status stays scheduled or sending: the pages derive "done" from the
    # rows, and nothing cancels a scheduled broadcast yet.
    if broadcast.status == BroadcastStatus.CANCELLED:
        state = "cancelled"
    elif broadcast.status == BroadcastStatus.PREPARING:
        state = PREPARING_STATE
    elif progress.is_complete:
        state = "done"
    elif broadcast.scheduled_at is not None and broadcast.scheduled_at > now:
        state = "scheduled"
    else:
        state = "sending"
    return replace(progress, state=state)


def list_broadcasts(session: Session, campaign_id: int, limit: int = 50) -> list[Broadcast]:
    """Return the campaign's latest broadcasts, newest first."""
    return list(
        session.scalars(
            select(Broadcast)
            .where(Broadcast.campaign_id == campaign_id)
            .order_by(Broadcast.created_at.desc(), Broadcast.id.desc())
            .limit(limit)
        )
    )
