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

# KEYS[1]: bucket key. ARGV: interval in µs, burst in tokens, longest acceptable wait in µs.
# Returns {granted (0 or 1), wait in µs}. Integer microseconds keep Lua's number to string
# conversions exact.
_RESERVE_SCRIPT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000000 + tonumber(now_parts[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local theoretical = tonumber(redis.call('GET', KEYS[1]) or now)
if theoretical < now then
  theoretical = now
end
local wait = theoretical - (burst - 1) * interval - now
if wait < 0 then
  wait = 0
end
if wait > max_wait then
  return {0, wait}
end
local next_theoretical = theoretical + interval
redis.call('SET', KEYS[1], string.format('%d', next_theoretical),
  'PX', math.ceil((next_theoretical - now) / 1000) + 1000)
return {1, wait}
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
        if max_wait_s < 0:
            raise ValueError("max_wait_s must not be negative")
        result = cast(
            "list[Any]",
            self._script(
                keys=[KEY_PREFIX + sender],
                args=[self._interval_us, self._burst, round(max_wait_s * _MICROSECONDS)],
            ),
        )
        granted, wait_us = int(result[0]), int(result[1])
        return Reservation(is_granted=granted == 1, wait_s=wait_us / _MICROSECONDS)
