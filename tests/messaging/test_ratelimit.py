"""The shared send rate, on Redis db 15."""

import secrets
from collections.abc import Iterator

import pytest
from redis import Redis

from messaging.ratelimit import KEY_PREFIX, SendRateLimiter
from tests.redis_urls import JOBS_REDIS_URL

REDIS_URL = JOBS_REDIS_URL


@pytest.fixture
def redis_connection() -> Iterator[Redis]:
    connection = Redis.from_url(REDIS_URL)
    yield connection
    for key in connection.scan_iter(KEY_PREFIX + "test-*"):
        connection.delete(key)
    connection.close()


@pytest.fixture
def sender() -> str:
    return f"test-{secrets.token_hex(4)}"


def test_first_slot_is_immediate(redis_connection: Redis, sender: str) -> None:
    slot = SendRateLimiter(redis_connection, rate_per_s=10).reserve(sender, max_wait_s=1.0)

    assert slot.is_granted
    assert slot.wait_s == 0


def test_slots_are_spaced_by_the_interval(redis_connection: Redis, sender: str) -> None:
    limiter = SendRateLimiter(redis_connection, rate_per_s=2)

    waits = [limiter.reserve(sender, max_wait_s=10.0).wait_s for _ in range(5)]

    # Each reservation lands one interval (0.5 s) after the previous one, less the few
    # milliseconds between the calls.
    assert waits[0] == 0
    for index, wait in enumerate(waits):
        assert index * 0.5 - 0.2 <= wait <= index * 0.5


def test_slot_beyond_the_wait_limit_is_not_taken(redis_connection: Redis, sender: str) -> None:
    limiter = SendRateLimiter(redis_connection, rate_per_s=1)
    limiter.reserve(sender, max_wait_s=0.0)

    refused = limiter.reserve(sender, max_wait_s=0.1)
    granted = limiter.reserve(sender, max_wait_s=2.0)

    assert not refused.is_granted
    assert 0.5 < refused.wait_s <= 1.0
    # The refused request reserved nothing: the next one gets the slot it was shown.
    assert granted.is_granted
    assert granted.wait_s <= refused.wait_s


def test_burst_allows_that_many_slots_at_once(redis_connection: Redis, sender: str) -> None:
    limiter = SendRateLimiter(redis_connection, rate_per_s=1, burst=3)

    slots = [limiter.reserve(sender, max_wait_s=0.0) for _ in range(4)]

    assert [slot.is_granted for slot in slots] == [True, True, True, False]


def test_workers_share_one_bucket_per_sender(redis_connection: Redis, sender: str) -> None:
    first = SendRateLimiter(redis_connection, rate_per_s=1)
    second = SendRateLimiter(Redis.from_url(REDIS_URL), rate_per_s=1)

    assert first.reserve(sender, max_wait_s=0.0).is_granted
    assert not second.reserve(sender, max_wait_s=0.0).is_granted
    assert second.reserve(sender + "-other", max_wait_s=0.0).is_granted


def test_many_reservations_keep_the_rate(redis_connection: Redis, sender: str) -> None:
    limiter = SendRateLimiter(redis_connection, rate_per_s=50)

    last = [limiter.reserve(sender, max_wait_s=60.0) for _ in range(200)][-1]

    # 200 slots at 50 per second: the last one opens about 199 / 50 s after the first.
    assert last.is_granted
    assert 3.98 - 0.5 <= last.wait_s <= 3.98


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1.0, 1), (10, 0)])
def test_bad_settings_are_refused(redis_connection: Redis, rate: float, burst: int) -> None:
    with pytest.raises(ValueError):
        SendRateLimiter(redis_connection, rate_per_s=rate, burst=burst)


def test_negative_wait_is_refused(redis_connection: Redis, sender: str) -> None:
    with pytest.raises(ValueError, match="max_wait_s"):
        SendRateLimiter(redis_connection).reserve(sender, max_wait_s=-1)


def test_block_of_slots_is_spaced_by_the_interval(redis_connection: Redis, sender: str) -> None:
    limiter = SendRateLimiter(redis_connection, rate_per_s=10)

    slots = limiter.reserve_slots(sender, count=5, max_wait_s=10.0)

    assert slots.count == 5
    assert [round(slots.wait_s(index), 1) for index in range(5)] == [0.0, 0.1, 0.2, 0.3, 0.4]


def test_block_takes_only_slots_within_the_wait(redis_connection: Redis, sender: str) -> None:
    limiter = SendRateLimiter(redis_connection, rate_per_s=2)

    first = limiter.reserve_slots(sender, count=10, max_wait_s=2.0)
    second = limiter.reserve_slots(sender, count=10, max_wait_s=2.0)

    # Slots at 0, 0.5, 1, 1.5 and 2 s are granted; the sixth opens at 2.5 s.
    assert first.count == 5
    assert 2.3 <= first.wait_s(5) <= 2.5
    # The next free slot is the sixth, beyond the wait: nothing more is granted.
    assert second.count == 0
    assert 2.3 <= second.wait_s(0) <= 2.5


def test_refused_block_reserves_nothing(redis_connection: Redis, sender: str) -> None:
    limiter = SendRateLimiter(redis_connection, rate_per_s=1)
    limiter.reserve_slots(sender, count=3, max_wait_s=5.0)

    refused = limiter.reserve_slots(sender, count=3, max_wait_s=1.0)
    granted = limiter.reserve_slots(sender, count=1, max_wait_s=5.0)

    assert refused.count == 0
    assert 2.5 < refused.wait_s(0) <= 3.0
    assert granted.count == 1
    assert granted.wait_s(0) <= refused.wait_s(0)


def test_burst_grants_a_block_at_once(redis_connection: Redis, sender: str) -> None:
    limiter = SendRateLimiter(redis_connection, rate_per_s=1, burst=3)

    slots = limiter.reserve_slots(sender, count=4, max_wait_s=0.0)

    assert slots.count == 3
    assert [slots.wait_s(index) for index in range(3)] == [0.0, 0.0, 0.0]


def test_empty_block_is_refused(redis_connection: Redis, sender: str) -> None:
    with pytest.raises(ValueError, match="count"):
        SendRateLimiter(redis_connection).reserve_slots(sender, count=0, max_wait_s=1.0)
