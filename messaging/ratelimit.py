"""A per-sender send rate shared by every worker, kept in Redis.

The bucket is a token bucket in its "virtual scheduling" form (GCRA): Redis stores, per
sender, the instant at which the bucket will next be full. Each reservation moves it one
interval on, atomically, in a Lua script that reads Redis' own clock, so workers on
different machines share one rate without trusting their clocks.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, cast

from redis import Redis

# Messages per second and sender when the caller names no rate.
DEFAULT_RATE_PER_S = 10.0
KEY_PREFIX = "tournee:send-rate:"

# KEYS[1]: bucket key. ARGV: interval in µs, burst in tokens, longest acceptable wait in
# µs, then the slots each unit needs, in order. Units are granted in order while the
# first slot of the next one opens within the wait, and a unit of k slots takes k
# consecutive slots. Returns {units granted, offset in µs of the first slot}. The slot
# numbered j from 0 opens max(0, offset + j × interval) µs from now. When no unit is
# granted, the offset is the wait before the next slot. Integer microseconds keep Lua's
# number to string conversions exact.
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
local offset = theoretical - (burst - 1) * interval - now
local granted = 0
local used = 0
for index = 4, #ARGV do
  if offset + used * interval > max_wait then
    break
  end
  granted = granted + 1
  used = used + tonumber(ARGV[index])
end
if used > 0 then
  local next_theoretical = theoretical + used * interval
  redis.call('SET', KEYS[1], string.format('%d', next_theoretical),
    'PX', math.ceil((next_theoretical - now) / 1000) + 1000)
end
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
    """Send slots taken at once for `count` units, each unit's slots one interval apart.

    `first_slots[i]` numbers the first slot of unit i from 0; its last item numbers the
    slot after the granted units. When `count` is 0, nothing was reserved and the next
    slot opens in about `wait_s(0)` seconds.
    """

    count: int
    offset_us: int
    interval_us: int
    first_slots: tuple[int, ...]

    def wait_s(self, index: int) -> float:
        """Return how long from the reservation unit `index` (0 to `count`) may start, in s.

        Index `count` gives when the first slot after the granted units opens.
        """
        slot = self.first_slots[index]
        return max(0, self.offset_us + slot * self.interval_us) / _MICROSECONDS


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
        if count < 1:
            raise ValueError("count must be at least 1")
        return self.reserve_units(sender, [1] * count, max_wait_s=max_wait_s)

    def reserve_units(
        self, sender: str, slots_per_unit: Sequence[int], *, max_wait_s: float
    ) -> SlotReservation:
        """Take slots for the first units whose first slot opens within `max_wait_s`.

        Unit i needs `slots_per_unit[i]` consecutive slots: an SMS of three segments
        counts three against the sender's rate.
        """
        if max_wait_s < 0:
            raise ValueError("max_wait_s must not be negative")
        if not slots_per_unit or min(slots_per_unit) < 1:
            raise ValueError("count must be at least 1, and every unit needs a slot")
        result = cast(
            "list[Any]",
            self._script(
                keys=[KEY_PREFIX + sender],
                args=[
                    self._interval_us,
                    self._burst,
                    round(max_wait_s * _MICROSECONDS),
                    *slots_per_unit,
                ],
            ),
        )
        count = int(result[0])
        return SlotReservation(
            count=count,
            offset_us=int(result[1]),
            interval_us=self._interval_us,
            first_slots=(0, *accumulate(slots_per_unit[:count])),
        )
