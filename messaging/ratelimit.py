"""A per-sender send rate shared by every worker, kept in Redis.

The bucket is a token bucket in its "virtual scheduling" form (GCRA): Redis stores, per
sender, the instant at which the bucket will next be full. Each reservation moves it one
interval on, atomically, in a Lua script that reads Redis' own clock, so workers on
different machines share one rate without trusting their clocks.
"""

from dataclasses import dataclass
from typing import Any, cast

from redis import Redis

# Messages per second and sender when the caller names no rate.
DEFAULT_RATE_PER_S = 10.0
KEY_PREFIX = "tournee:send-rate:"

# KEYS[1]: bucket key. ARGV: interval in µs, burst in tokens, longest acceptable wait in
# µs, slots wanted. Returns {slots granted, offset in µs of the first slot}: slot j opens
# max(0, offset + j × interval) µs from now. When no slot is granted, the offset is the
# wait before the next one. Integer microseconds keep Lua's number to string conversions
# exact.
_RESERVE_SCRIPT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000000 + tonumber(now_parts[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local wanted = tonumber(ARGV[4])
local theoretical = tonumber(redis.call('GET', KEYS[1]) or now)
if theoretical < now then
  theoretical = now
end
local offset = theoretical - (burst - 1) * interval - now
if offset > max_wait then
  return {0, offset}
end
local granted = math.floor((max_wait - offset) / interval) + 1
if granted > wanted then
  granted = wanted
end
local next_theoretical = theoretical + granted * interval
redis.call('SET', KEYS[1], string.format('%d', next_theoretical),
  'PX', math.ceil((next_theoretical - now) / 1000) + 1000)
return {granted, offset}
"""

_MICROSECONDS = 1_000_000


@dataclass(frozen=True)
class Reservation:
    """The result of one request for a send slot.

    When `is_granted`, the slot is the caller's after waiting `wait_s` seconds. When not,
    nothing was reserved and the next slot opens in about `wait_s` seconds.
    """

    is_granted: bool
    wait_s: float


@dataclass(frozen=True)
class SlotReservation:
    """Consecutive send slots taken at once: `count` of them, one interval apart.

    When `count` is 0, nothing was reserved and the next slot opens in about
    `wait_s(0)` seconds.
    """

    count: int
    offset_us: int
    interval_us: int

    def wait_s(self, index: int) -> float:
        """Return how long from the reservation slot `index` (from 0) opens, in seconds."""
        return max(0, self.offset_us + index * self.interval_us) / _MICROSECONDS


class SendRateLimiter:
    """Keep each sender at `rate_per_s` messages per second, across every worker.

    `burst` slots may be used at once after a quiet period; 1 spaces every send evenly.
    """

    def __init__(
        self, connection: Redis, *, rate_per_s: float = DEFAULT_RATE_PER_S, burst: int = 1
    ) -> None:
        if not rate_per_s > 0:
            raise ValueError("rate_per_s must be positive")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self._interval_us = max(1, round(_MICROSECONDS / rate_per_s))
        self._burst = burst
        self._script = connection.register_script(_RESERVE_SCRIPT)

    @property
    def rate_per_s(self) -> float:
        return _MICROSECONDS / self._interval_us

    def reserve(self, sender: str, *, max_wait_s: float) -> Reservation:
        """Take the sender's next slot if it opens within `max_wait_s` seconds."""
        slots = self.reserve_slots(sender, count=1, max_wait_s=max_wait_s)
        return Reservation(is_granted=slots.count == 1, wait_s=slots.wait_s(0))

    def reserve_slots(self, sender: str, *, count: int, max_wait_s: float) -> SlotReservation:
        """Take up to `count` of the sender's next slots, those opening within `max_wait_s`."""
        if max_wait_s < 0:
            raise ValueError("max_wait_s must not be negative")
        if count < 1:
            raise ValueError("count must be at least 1")
        result = cast(
            "list[Any]",
            self._script(
                keys=[KEY_PREFIX + sender],
                args=[self._interval_us, self._burst, round(max_wait_s * _MICROSECONDS), count],
            ),
        )
        return SlotReservation(
            count=int(result[0]), offset_us=int(result[1]), interval_us=self._interval_us
        )
