"""Put message jobs on the RQ queue, or run them in-process for the laptop demo."""

import logging
from collections.abc import Sequence
from datetime import datetime

from redis import Redis
from rq import Queue, Retry

from messaging.queues import (
    MESSAGES_QUEUE,
    SEND_MESSAGE_FAILURE_TTL_S,
    SEND_MESSAGE_MAX_RETRIES,
    SEND_MESSAGE_RESULT_TTL_S,
    SEND_MESSAGE_RETRY_INTERVALS_S,
    SEND_MESSAGE_TIMEOUT_S,
    SEND_MESSAGE_TTL_S,
    scheduled_ttl_s,
)
from webapp.db import utcnow
from webapp.settings import Settings

logger = logging.getLogger(__name__)


def messages_queue(settings: Settings) -> Queue:
    return Queue(MESSAGES_QUEUE, connection=Redis.from_url(settings.redis_url))


def enqueue_messages(settings: Settings, schedule: Sequence[tuple[int, datetime | None]]) -> None:
    """Enqueue one send job per (message id, send-after time); call only after commit.

    In synchronous mode (the laptop demo, no Redis) messages due now are sent at once
    and later ones stay queued in the database.
    """
    from webapp.jobs.messages import send_message

    if not schedule:
        return
    now = utcnow()
    if settings.is_queue_synchronous:
        for message_id, send_after in schedule:
            if send_after is None or send_after <= now:
                send_message(message_id)
        return

    queue = messages_queue(settings)
    for message_id, send_after in schedule:
        options = {
            "job_id": f"send-message-{message_id}",
            "job_timeout": SEND_MESSAGE_TIMEOUT_S,
            "result_ttl": SEND_MESSAGE_RESULT_TTL_S,
            "failure_ttl": SEND_MESSAGE_FAILURE_TTL_S,
            "retry": Retry(
                max=SEND_MESSAGE_MAX_RETRIES, interval=list(SEND_MESSAGE_RETRY_INTERVALS_S)
            ),
        }
        if send_after is not None and send_after > now:
            delay_s = int((send_after - now).total_seconds())
            queue.enqueue_at(
                send_after, send_message, message_id, ttl=scheduled_ttl_s(delay_s), **options
            )
        else:
            queue.enqueue(send_message, message_id, ttl=SEND_MESSAGE_TTL_S, **options)
    logger.info("Enqueued %s message jobs", len(schedule))
