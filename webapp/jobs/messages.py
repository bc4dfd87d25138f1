"""Jobs that send one message, look one up, and apply provider delivery reports.

Each takes ids only, runs in the worker's app context with a session of its own, and
schedules its own follow-up (a held, rate-limited or retried send, a lookup) as a new
job after its changes are committed.
"""

import logging

from messaging.ratelimit import DEFAULT_RATE_PER_S, SendRateLimiter
from webapp.db import utcnow
from webapp.jobs.context import job_session
from webapp.jobs.dispatch import (
    enqueue_event_processing,
    enqueue_reconcile,
    enqueue_send_again,
    redis_connection,
)
from webapp.services.delivery import (
    DeliveryResult,
    FollowUp,
    deliver_message,
    reconcile_message,
)
from webapp.services.provider_events import (
    UNMATCHED_RETRY_DELAYS,
    EventOutcome,
    process_provider_event,
)
from webapp.settings import Settings
from webapp.settings_access import get_settings

logger = logging.getLogger(__name__)

# Messages per second and sender, shared by every worker through Redis.
# NOTE: one rate applies to every sender and channel. A setting per provider account
# would let a campaign use what its Twilio number or SendGrid plan allows.
SEND_RATE_PER_S = DEFAULT_RATE_PER_S


def send_message(message_id: int) -> str:
    """Send message `message_id` once; a message no longer queued is left untouched.

    Idempotent: the row is claimed (queued → sending) and committed before the provider
    call, so a second run of the same job finds it claimed and sends nothing.
    """
    with job_session() as session:
        settings = get_settings()
        result = deliver_message(session, message_id, limiter=_rate_limiter(settings))
        _schedule_follow_up(settings, message_id, result)
    return str(result.status)


def reconcile_message_job(message_id: int) -> str:
    """Settle a message left in sending by asking its provider; idempotent."""
    with job_session() as session:
        settings = get_settings()
        result = reconcile_message(session, message_id)
        _schedule_follow_up(settings, message_id, result)
    return str(result.status)


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
                enqueue_send_again(settings, result.message_id, result.resend_at)
        if unmatched and attempt < len(UNMATCHED_RETRY_DELAYS):
            at = utcnow() + UNMATCHED_RETRY_DELAYS[attempt]
            enqueue_event_processing(settings, unmatched, at, attempt + 1)
    if unmatched:
        logger.info("%s provider events wait for their message", len(unmatched))
    return f"{len(event_ids) - len(unmatched)} applied, {len(unmatched)} waiting"


def _schedule_follow_up(settings: Settings, message_id: int, result: DeliveryResult) -> None:
    if result.follow_up is FollowUp.SEND:
        enqueue_send_again(settings, message_id, result.at)
    elif result.follow_up is FollowUp.RECONCILE:
        enqueue_reconcile(settings, message_id, result.at)


def _rate_limiter(settings: Settings) -> SendRateLimiter | None:
    if settings.is_queue_synchronous:
        return None
    return SendRateLimiter(redis_connection(settings.redis_url), rate_per_s=SEND_RATE_PER_S)
