"""When a push message may go out: quiet hours, public holidays and electoral silence."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from messaging.quiet_hours import (
    PARIS,
    SEND_WINDOW_CLOSES,
    SEND_WINDOW_OPENS,
    french_public_holidays,
    next_send_time,
)
from messaging.silence import DEFAULT_POLLS_CLOSE, silence_end


@dataclass(frozen=True)
class PushRules:
    """A campaign's push window (Paris wall clock) and the days of its election rounds."""

    opens: time = SEND_WINDOW_OPENS
    closes: time = SEND_WINDOW_CLOSES
    round_days: tuple[date, ...] = ()
    polls_close: time = DEFAULT_POLLS_CLOSE

    def __post_init__(self) -> None:
        if not self.opens < self.closes:
            raise ValueError("the push window must open before it closes")


def next_push_time(now_utc: datetime, rules: PushRules) -> datetime:
    """Return the first instant from `now_utc`, in UTC, at which a push message may go out.

    The window is Monday to Saturday between `rules.opens` and `rules.closes`, never on a
    French public holiday, and never during the silence before a round.
    """
    if now_utc.tzinfo is None or now_utc.utcoffset() is None:
        raise ValueError("now_utc must be timezone-aware")
    candidate = now_utc.astimezone(UTC)
    # Each pass either returns or jumps past one silence, so rounds + 1 passes suffice.
    for _ in range(len(rules.round_days) + 1):
        candidate = next_send_time(
            candidate, _holidays_around(candidate), opens=rules.opens, closes=rules.closes
        )
        end = silence_end(candidate, rules.round_days, rules.polls_close)
        if end is None:
            return candidate
        candidate = end
    raise ValueError("no push time found after the election rounds")


def is_push_allowed(now_utc: datetime, rules: PushRules) -> bool:
    """Tell whether a push message may go out at `now_utc`."""
    return next_push_time(now_utc, rules) == now_utc.astimezone(UTC)


def push_window_end(now_utc: datetime, rules: PushRules) -> datetime:
    """Return when the push window open at `now_utc` closes, in UTC.

    That is `rules.closes` on the same Paris day. A silence starts at midnight and the
    window lies within one day, so no silence starts while a window is open.
    Raises ValueError when no window is open at `now_utc`.
    """
    if not is_push_allowed(now_utc, rules):
        raise ValueError("the push window is closed at now_utc")
    day = now_utc.astimezone(PARIS).date()
    return datetime.combine(day, rules.closes, tzinfo=PARIS).astimezone(UTC)


def _holidays_around(moment: datetime) -> set[date]:
    # next_send_time may look up to a year ahead, so the next year's holidays count too.
    year = moment.year
    return french_public_holidays(year) | french_public_holidays(year + 1)
