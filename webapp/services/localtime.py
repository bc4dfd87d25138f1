"""Conversion between stored UTC timestamps and the campaign's wall-clock time."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def to_local_naive(moment: datetime, zone: ZoneInfo = PARIS) -> datetime:
    """Return the wall-clock time of an aware UTC moment, without tzinfo."""
    return moment.astimezone(zone).replace(tzinfo=None)


def local_to_utc(wall_clock: datetime, zone: ZoneInfo = PARIS) -> datetime:
    """Return the UTC moment of a naive wall-clock time in `zone`."""
    return wall_clock.replace(tzinfo=zone).astimezone(UTC)
