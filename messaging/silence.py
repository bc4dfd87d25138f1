"""Electoral silence: no push message from 00:00 on the eve of a round until polls close.

Article L49 of the Code électoral forbids distributing campaign messages from the eve of
each round at midnight, Paris time, until the last polling station closes.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
# Polls close at 18:00 in most communes and at 20:00 in the large ones.
DEFAULT_POLLS_CLOSE = time(20, 0)


@dataclass(frozen=True)
class SilencePeriod:
    """One round's silence, in UTC; `starts_at` included, `ends_at` excluded."""

    starts_at: datetime
    ends_at: datetime

    def contains(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at


def silence_period(round_day: date, polls_close: time = DEFAULT_POLLS_CLOSE) -> SilencePeriod:
    """Return the silence of a round held on `round_day` (a Paris calendar day)."""
    eve = round_day - timedelta(days=1)
    return SilencePeriod(
        starts_at=datetime.combine(eve, time(0, 0), tzinfo=PARIS).astimezone(UTC),
        ends_at=datetime.combine(round_day, polls_close, tzinfo=PARIS).astimezone(UTC),
    )


def silence_end(
    now_utc: datetime, round_days: Iterable[date], polls_close: time = DEFAULT_POLLS_CLOSE
) -> datetime | None:
    """Return when the silence around `now_utc` ends, or None outside every silence.

    Rounds on consecutive days make periods that overlap; the silence ends only when
    the last of them does.
    """
    if now_utc.tzinfo is None or now_utc.utcoffset() is None:
        raise ValueError("now_utc must be timezone-aware")
    periods = [silence_period(day, polls_close) for day in round_days]
    moment = now_utc.astimezone(UTC)
    end: datetime | None = None
    while True:
        ends = [period.ends_at for period in periods if period.contains(moment)]
        if not ends:
            return end
        end = moment = max(ends)
