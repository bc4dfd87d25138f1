"""When a push message may be sent: French weekdays and Saturdays, in daytime."""

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
SEND_WINDOW_OPENS = time(8, 0)
SEND_WINDOW_CLOSES = time(20, 0)
_SUNDAY = 6
# More consecutive closed days than this means the holiday list closes every day.
_MAX_DAYS_AHEAD = 366
_FIRST_GREGORIAN_YEAR = 1583


def next_send_time(
    now_utc: datetime,
    holidays: Collection[date],
    *,
    opens: time = SEND_WINDOW_OPENS,
    closes: time = SEND_WINDOW_CLOSES,
) -> datetime:
    """Return the first instant from `now_utc` inside the push window, in UTC.

    The window is Monday to Saturday, from `opens` (included) to `closes` (excluded),
    Paris time, except on the given dates (Paris calendar days). `now_utc` itself comes
    back, in UTC, when it is already inside.
    """
    if now_utc.tzinfo is None or now_utc.utcoffset() is None:
        raise ValueError("now_utc must be timezone-aware")
    if not opens < closes:
        raise ValueError("the send window must open before it closes")
    local = now_utc.astimezone(PARIS)
    day = local.date()
    if _is_open_day(day, holidays) and opens <= local.time() < closes:
        return now_utc.astimezone(UTC)
    if _is_open_day(day, holidays) and local.time() < opens:
        return _utc_at(day, opens)
    for offset in range(1, _MAX_DAYS_AHEAD + 1):
        candidate = day + timedelta(days=offset)
        if _is_open_day(candidate, holidays):
            return _utc_at(candidate, opens)
    raise ValueError("no open day within a year: check the holiday list")


def _is_open_day(day: date, holidays: Collection[date]) -> bool:
    return day.weekday() != _SUNDAY and day not in holidays


def _utc_at(day: date, moment: time) -> datetime:
    """Return the UTC instant of a Paris wall-clock time on a given day."""
    return datetime.combine(day, moment, tzinfo=PARIS).astimezone(UTC)


def easter_sunday(year: int) -> date:
    """Return the date of Easter Sunday in the Gregorian calendar."""
    if year < _FIRST_GREGORIAN_YEAR:
        raise ValueError(f"the Gregorian Easter date starts in {_FIRST_GREGORIAN_YEAR}")
    # Anonymous Gregorian computus: golden number, century corrections, then the
    # Sunday that follows the paschal full moon.
    golden = year % 19
    century, year_of_century = divmod(year, 100)
    leap_skips, leap_rest = divmod(century, 4)
    moon_correction = (century + 8) // 25
    solar_correction = (century - moon_correction + 1) // 3
    epact = (19 * golden + century - leap_skips - solar_correction + 15) % 30
    quads, quad_rest = divmod(year_of_century, 4)
    weekday_shift = (32 + 2 * leap_rest + 2 * quads - epact - quad_rest) % 7
    late_correction = (golden + 11 * epact + 22 * weekday_shift) // 451
    month, day = divmod(epact + weekday_shift - 7 * late_correction + 114, 31)
    return date(year, month, day + 1)


def french_public_holidays(year: int) -> set[date]:
    """Return the eleven national public holidays of metropolitan France for a year.

    NOTE: Alsace and Moselle also have Good Friday and 26 December off. Each overseas
    department also marks the day slavery was abolished there. Neither set is included.
    """
    easter = easter_sunday(year)
    return {
        date(year, 1, 1),
        easter + timedelta(days=1),
        date(year, 5, 1),
        date(year, 5, 8),
        easter + timedelta(days=39),
        easter + timedelta(days=50),
        date(year, 7, 14),
        date(year, 8, 15),
        date(year, 11, 1),
        date(year, 11, 11),
        date(year, 12, 25),
    }
