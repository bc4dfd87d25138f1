"""RQ queue names and the limits every enqueue of a messaging job sets."""

from messaging.providers.base import PROVIDER_HTTP_TIMEOUT_S

MESSAGES_QUEUE = "messages"
DEFAULT_QUEUE = "default"
ALL_QUEUES = (MESSAGES_QUEUE, DEFAULT_QUEUE)

# A one-message job (lookups, provider events) makes one provider call plus a few queries.
SEND_MESSAGE_TIMEOUT_S = int(3 * PROVIDER_HTTP_TIMEOUT_S)
# Message ids per send job: one SendGrid request takes this many recipients at most.
SEND_BATCH_SIZE = 1000
# A send job stops taking new messages after `SEND_BATCH_BUDGET_S` and hands the rest to
# a new job, so its last provider calls (a few rounds of provider timeouts at worst) end
# well within this timeout.
SEND_BATCH_BUDGET_S = 20
SEND_BATCH_TIMEOUT_S = SEND_BATCH_BUDGET_S + int(15 * PROVIDER_HTTP_TIMEOUT_S)
# How long a job may wait in the queue. RQ starts counting when the job is enqueued or
# scheduled, so a job scheduled with enqueue_at needs `scheduled_ttl_s(delay_s)`.
SEND_MESSAGE_TTL_S = 6 * 3600
# Successful jobs only carry ids, and the message row keeps the outcome.
SEND_MESSAGE_RESULT_TTL_S = 3600
# Failed jobs stay long enough for someone to look at them after a weekend.
SEND_MESSAGE_FAILURE_TTL_S = 7 * 24 * 3600
# Waits between attempts after a retryable delivery error (RQ's Retry intervals).
SEND_MESSAGE_RETRY_INTERVALS_S = (30, 120, 600, 1800)
SEND_MESSAGE_MAX_RETRIES = len(SEND_MESSAGE_RETRY_INTERVALS_S)

# Broadcast fan-out, imports and other work on the default queue.
DEFAULT_JOB_TIMEOUT_S = 600
DEFAULT_JOB_TTL_S = 24 * 3600
DEFAULT_JOB_RESULT_TTL_S = 24 * 3600
DEFAULT_JOB_FAILURE_TTL_S = 7 * 24 * 3600


def scheduled_ttl_s(delay_s: int, ttl_s: int = SEND_MESSAGE_TTL_S) -> int:
    """Return the TTL for a job scheduled `delay_s` seconds ahead so it outlives its wait."""
    if delay_s < 0:
        raise ValueError("delay_s must not be negative")
    return delay_s + ttl_s
