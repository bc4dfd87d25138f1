"""Conversion between stored UTC timestamps and the campaign's wall-clock time."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def to_local_naive(moment: datetime, zone: ZoneInfo = PARIS) -> datetime:
    """Return the wall-clock time of an aware UTC moment, without tzinfo."""
    return moment.astimezone(zone).replace(tzinfo=None)


def local_to_utc(wall_clock: datetime, zone: ZoneInfo = PARIS) -> datetime:
    """Return the UTC moment of a naive wall-clock time in `zone`."""
    return wall_clock.replace(tzinfo=zone).astimezone(UTC)


def local_day_bounds(day: date, zone: ZoneInfo = PARIS) -> tuple[datetime, datetime]:
    """Return the UTC moments at which `day` and the next day start in `zone`.

    A day when the clocks change lasts 23 or 25 hours. Raises OverflowError for
    0001-01-01 and 9999-12-31, whose bounds fall outside the range of `datetime`.
    """
    start = local_to_utc(datetime.combine(day, time(0, 0)), zone)
    end = local_to_utc(datetime.combine(day + timedelta(days=1), time(0, 0)), zone)
    return start, end
