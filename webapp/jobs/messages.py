"""Jobs that send batches of messages, look messages up, and apply provider delivery reports.

Each takes ids only, runs in the worker's app context with a session of its own, and
schedules its own follow-up (held, rate-limited or retried sends, lookups) as new jobs
after its changes are committed.
"""

import logging
from collections import Counter
from collections.abc import Mapping

from messaging.queues import SEND_BATCH_BUDGET_S
from messaging.ratelimit import SendRateLimiter
from webapp.db import utcnow
from webapp.jobs.context import job_session
from webapp.jobs.dispatch import (
    enqueue_event_processing,
    enqueue_reconcile,
    enqueue_send_again,
    redis_connection,
)
from webapp.models.users import Channel
from webapp.services.delivery import (
    DeliveryResult,
    FollowUp,
    deliver_messages,
    follow_ups,
    reconcile_messages,
)
from webapp.services.provider_events import (
    UNMATCHED_RETRY_DELAYS,
    EventOutcome,
    process_provider_event,
)
from webapp.settings import Settings
from webapp.settings_access import get_settings

logger = logging.getLogger(__name__)


def send_messages(message_ids: list[int]) -> str:
    """Send the queued messages among `message_ids` once each; others are left untouched.

    Idempotent: each row is claimed (queued → sending) and committed before its provider
    call, so a second run of the same job finds it claimed and sends nothing. Messages
    left when `SEND_BATCH_BUDGET_S` has passed go to a new job.
    """
    with job_session() as session:
        settings = get_settings()
        results = deliver_messages(
            session, message_ids, limiters=_rate_limiters(settings), budget_s=SEND_BATCH_BUDGET_S
        )
        _schedule_follow_ups(settings, results)
    return _summary(results)


def send_message(message_id: int) -> str:
    """Send one message; kept for jobs enqueued before sends went in batches."""
    return send_messages([message_id])


def reconcile_messages_job(message_ids: list[int]) -> str:
    """Settle messages left in sending by asking their provider; idempotent."""
    with job_session() as session:
        settings = get_settings()
        results = reconcile_messages(session, message_ids)
        _schedule_follow_ups(settings, results)
    return _summary(results)


def reconcile_message_job(message_id: int) -> str:
    """Settle one message; kept for jobs enqueued before lookups went in batches."""
    return reconcile_messages_job([message_id])


def process_provider_events_job(event_ids: list[int], attempt: int = 0) -> str:
    """Apply stored provider events; those whose message is not known yet come back later.

    Idempotent: an event is marked processed in the transaction that applies it.
    """
    unmatched: list[int] = []
    with job_session() as session:
        settings = get_settings()
        for event_id in event_ids:
            result = process_provider_event(session, event_id)
            if result.outcome is EventOutcome.UNMATCHED:
                unmatched.append(event_id)
            elif result.resend_at is not None and result.message_id is not None:
                enqueue_send_again(settings, [result.message_id], result.resend_at)
        if unmatched and attempt < len(UNMATCHED_RETRY_DELAYS):
            at = utcnow() + UNMATCHED_RETRY_DELAYS[attempt]
            enqueue_event_processing(settings, unmatched, at, attempt + 1)
    if unmatched:
        logger.info("%s provider events wait for their message", len(unmatched))
    return f"{len(event_ids) - len(unmatched)} applied, {len(unmatched)} waiting"


def _schedule_follow_ups(settings: Settings, results: Mapping[int, DeliveryResult]) -> None:
    for kind, at, message_ids in follow_ups(results):
        if kind is FollowUp.SEND:
            enqueue_send_again(settings, message_ids, at)
        elif kind is FollowUp.RECONCILE:
            enqueue_reconcile(settings, message_ids, at)


def _summary(results: Mapping[int, DeliveryResult]) -> str:
    """Count the results by status, e.g. "sent 998, suppressed 2"."""
    counts = Counter(str(result.status or "missing") for result in results.values())
    return ", ".join(f"{status} {count}" for status, count in sorted(counts.items()))


def _rate_limiters(settings: Settings) -> dict[Channel, SendRateLimiter]:
    """Return each channel's rate, shared by every worker through Redis."""
    if settings.is_queue_synchronous:
        return {}
    connection = redis_connection(settings.redis_url)
    return {
        Channel.SMS: SendRateLimiter(connection, rate_per_s=settings.sms_rate_per_s),
        Channel.EMAIL: SendRateLimiter(connection, rate_per_s=settings.email_rate_per_s),
    }
