import pytest

from messaging.providers.base import PROVIDER_HTTP_TIMEOUT_S
from messaging.queues import (
    ALL_QUEUES,
    SEND_MESSAGE_MAX_RETRIES,
    SEND_MESSAGE_RETRY_INTERVALS_S,
    SEND_MESSAGE_TIMEOUT_S,
    SEND_MESSAGE_TTL_S,
    scheduled_ttl_s,
)


def test_queue_names() -> None:
    assert ALL_QUEUES == ("messages", "default")


def test_send_job_outlives_one_provider_call() -> None:
    assert SEND_MESSAGE_TIMEOUT_S > PROVIDER_HTTP_TIMEOUT_S
    assert len(SEND_MESSAGE_RETRY_INTERVALS_S) == SEND_MESSAGE_MAX_RETRIES


def test_scheduled_ttl_adds_the_wait() -> None:
    assert scheduled_ttl_s(3 * 86_400) == 3 * 86_400 + SEND_MESSAGE_TTL_S
    assert scheduled_ttl_s(0, ttl_s=60) == 60


def test_negative_delay_is_refused() -> None:
    with pytest.raises(ValueError, match="delay_s"):
        scheduled_ttl_s(-1)
