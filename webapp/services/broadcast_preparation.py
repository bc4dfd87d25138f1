"""Preparing a broadcast: its message rows written in a job, outside the coordinator's request.

The request stores the broadcast as `preparing` with the recipients it counted. The
preparation writes one row per recipient, sets the count of rows written and the status
(scheduled or sending) in the same transaction, and the send jobs are enqueued after
that commit. A preparation killed before its commit leaves the broadcast as it was, and
the sweeper enqueues it again. One killed after its commit but before its send jobs are
enqueued leaves queued rows, which the sweeper sends once they are due.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.db import call_after_commit, utcnow
from webapp.jobs.dispatch import enqueue_messages
from webapp.models import Broadcast
from webapp.models.messaging import BroadcastStatus
from webapp.services.broadcast_fanout import insert_broadcast_messages
from webapp.settings_access import get_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Preparation:
    """Result of a preparation: the broadcast's new status and its row count."""

    broadcast_id: int
    status: BroadcastStatus
    recipient_count: int


def prepare_broadcast(
    session: Session, broadcast_id: int, *, now: datetime | None = None
) -> Preparation | None:
    """Write the rows of a broadcast in `preparing` and mark it scheduled or sending.

    The broadcast row is locked (`FOR UPDATE`) until the caller commits, so two runs take
    turns and the second finds it prepared. Returns None, and writes nothing, when the
    broadcast is gone or not `preparing`. Flushes; the caller commits, then the send jobs
    are enqueued. Needs an app context (e-mail templates and translations).
    """
    now = now or utcnow()
    broadcast = session.scalars(
        select(Broadcast)
        .where(Broadcast.id == broadcast_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if broadcast is None or broadcast.status != BroadcastStatus.PREPARING:
        return None
    message_ids = insert_broadcast_messages(session, broadcast, now)
    broadcast.recipient_count = len(message_ids)
    is_later = broadcast.scheduled_at is not None
    broadcast.status = BroadcastStatus.SCHEDULED if is_later else BroadcastStatus.SENDING
    session.flush()
    settings = get_settings()
    schedule = [(message_id, broadcast.scheduled_at) for message_id in message_ids]
    call_after_commit(session, lambda: enqueue_messages(settings, schedule))
    logger.info(
        "Broadcast %s prepared: %s messages by %s",
        broadcast.id,
        len(message_ids),
        broadcast.channel,
        extra={"campaign_id": broadcast.campaign_id, "broadcast_id": broadcast.id},
    )
    return Preparation(
        broadcast_id=broadcast.id, status=broadcast.status, recipient_count=len(message_ids)
    )
