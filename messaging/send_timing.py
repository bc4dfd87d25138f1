"""How long a push broadcast takes at its sender's rate, and whether its schedule holds.

A sender goes out at `rate_per_s` units a second. For SMS a unit is a segment, because
Twilio counts every segment of a long SMS against a sender's throughput. For e-mail a
unit is a message. Sending starts at the first instant of the push window from the
requested time, and pauses while the window is closed.

An SMS waits in the provider's queue until the provider sends it, and the provider
drops it once its validity period has passed (Twilio's pages on errors 30001 and 30036
describe that queue). The check assumes the worst case, where the whole broadcast
reaches that queue as sending starts. So an SMS broadcast must go
out within one validity period and before the window closes, or the provider would
send its last messages late at night or drop them. E-mail has no validity period: what
is left when the window closes waits in our queue for the next opening. No broadcast
may run into an electoral silence, because its messages would go out after the round.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from messaging.push_window import PushRules, next_push_time, push_window_end
from messaging.silence import SilencePeriod, silence_period

# Open windows a sending may span before the estimate gives up (more than three years of
# working days), so a rate set far too low cannot loop for long.
MAX_OPEN_WINDOWS = 1000


class TimingProblem(StrEnum):
    """Reason a broadcast may not be sent at the requested time."""

    EXCEEDS_VALIDITY = "exceeds_validity"
    PAST_WINDOW_CLOSE = "past_window_close"
    INTO_SILENCE = "into_silence"


@dataclass(frozen=True)
class SendTiming:
    """The sending time of a broadcast and its first and last instants, in UTC.

    `duration_s` counts sending only, while `ends_at` also counts the closed hours the
    sending waits through. `window_closes_at` is when the window open at `starts_at`
    closes. `silence` is the electoral silence the sending runs into, if any.
    """

    units: int
    rate_per_s: float
    validity_period_s: int | None
    duration_s: float
    requested_at: datetime
    starts_at: datetime
    ends_at: datetime
    window_closes_at: datetime
    problem: TimingProblem | None = None
    silence: SilencePeriod | None = None

    @property
    def is_delayed(self) -> bool:
        """Tell whether the push window makes the sending start after the requested time."""
        return self.starts_at > self.requested_at


def send_duration_s(units: int, rate_per_s: float) -> float:
    """Return the seconds a sender needs for `units` at `rate_per_s` units a second."""
    if units < 0:
        raise ValueError("units must not be negative")
    if not rate_per_s > 0:
        raise ValueError("rate_per_s must be positive")
    return units / rate_per_s


def plan_send(
    *,
    units: int,
    rate_per_s: float,
    requested_at: datetime,
    rules: PushRules,
    validity_period_s: int | None = None,
) -> SendTiming:
    """Return when a push broadcast of `units` goes out, and what forbids it, if anything.

    `validity_period_s` is how long the provider keeps an SMS it has not sent yet. It is
    None for a channel without one, such as e-mail. A broadcast with no unit to send
    has no problem.
    """
    if requested_at.tzinfo is None or requested_at.utcoffset() is None:
        raise ValueError("requested_at must be timezone-aware")
    if validity_period_s is not None and validity_period_s < 1:
        raise ValueError("validity_period_s must be at least 1")
    duration_s = send_duration_s(units, rate_per_s)
    starts_at = next_push_time(requested_at, rules)
    timing = SendTiming(
        units=units,
        rate_per_s=rate_per_s,
        validity_period_s=validity_period_s,
        duration_s=duration_s,
        requested_at=requested_at,
        starts_at=starts_at,
        ends_at=_last_send_at(starts_at, duration_s, rules),
        window_closes_at=push_window_end(starts_at, rules),
    )
    if units == 0:
        return timing
    silence = _silence_crossed(timing, rules)
    if silence is not None:
        return replace(timing, problem=TimingProblem.INTO_SILENCE, silence=silence)
    if validity_period_s is None:
        return timing
    if duration_s > validity_period_s:
        return replace(timing, problem=TimingProblem.EXCEEDS_VALIDITY)
    if starts_at + timedelta(seconds=duration_s) > timing.window_closes_at:
        return replace(timing, problem=TimingProblem.PAST_WINDOW_CLOSE)
    return timing


def _last_send_at(starts_at: datetime, duration_s: float, rules: PushRules) -> datetime:
    """Walk the open windows from `starts_at` until `duration_s` of sending fit in them."""
    moment = starts_at
    left_s = duration_s
    for _ in range(MAX_OPEN_WINDOWS):
        closes_at = push_window_end(moment, rules)
        open_s = (closes_at - moment).total_seconds()
        if left_s <= open_s:
            return moment + timedelta(seconds=left_s)
        left_s -= open_s
        moment = next_push_time(closes_at, rules)
    raise ValueError(f"sending needs more than {MAX_OPEN_WINDOWS} open windows")


def _silence_crossed(timing: SendTiming, rules: PushRules) -> SilencePeriod | None:
    """Return the first silence between the requested time and the last message, if any."""
    periods = sorted(
        (silence_period(day, rules.polls_close) for day in rules.round_days),
        key=lambda period: period.starts_at,
    )
    for period in periods:
        if period.starts_at < timing.ends_at and timing.requested_at < period.ends_at:
            return period
    return None
