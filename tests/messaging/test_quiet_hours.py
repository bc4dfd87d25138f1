from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from messaging.quiet_hours import easter_sunday, french_public_holidays, next_send_time

HOLIDAYS_2026_2027 = french_public_holidays(2026) | french_public_holidays(2027)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Saturday 6 March 2027, 19:59 in Paris (UTC+1): still open.
        (utc(2027, 3, 6, 18, 59), utc(2027, 3, 6, 18, 59)),
        # Saturday 20:00 in Paris: closed until Monday 08:00.
        (utc(2027, 3, 6, 19, 0), utc(2027, 3, 8, 7, 0)),
        # Sunday noon: Monday 08:00.
        (utc(2027, 3, 7, 11, 0), utc(2027, 3, 8, 7, 0)),
        # Tuesday 07:59 in Paris: the same day at 08:00.
        (utc(2027, 3, 9, 6, 59), utc(2027, 3, 9, 7, 0)),
        # Tuesday 08:00 in Paris: open, the window start is included.
        (utc(2027, 3, 9, 7, 0), utc(2027, 3, 9, 7, 0)),
        # Friday 23:30 UTC is already Saturday 00:30 in Paris: Saturday 08:00.
        (utc(2027, 3, 5, 23, 30), utc(2027, 3, 6, 7, 0)),
        # Saturday 28 March 2026 20:00 CET; clocks go forward on Sunday: Monday 08:00 CEST.
        (utc(2026, 3, 28, 19, 0), utc(2026, 3, 30, 6, 0)),
        # Saturday 27 March 2027 20:30 CET; DST on Sunday, Easter Monday on the 29th.
        (utc(2027, 3, 27, 19, 30), utc(2027, 3, 30, 6, 0)),
        # Saturday 30 October 2027 21:00 CEST; clocks go back on Sunday, 1 November is a
        # holiday: Tuesday 08:00 CET.
        (utc(2027, 10, 30, 19, 0), utc(2027, 11, 2, 7, 0)),
        # Wednesday 14 July 2027, national day, noon: Thursday 08:00 CEST.
        (utc(2027, 7, 14, 10, 0), utc(2027, 7, 15, 6, 0)),
    ],
)
def test_next_send_time(now: datetime, expected: datetime) -> None:
    assert next_send_time(now, HOLIDAYS_2026_2027) == expected


def test_result_is_in_utc_whatever_the_input_zone() -> None:
    paris_winter = timezone(timedelta(hours=1))
    now = datetime(2027, 3, 6, 10, 0, tzinfo=paris_winter)

    result = next_send_time(now, set())

    assert result == now
    assert result.tzinfo is UTC


def test_custom_window() -> None:
    now = utc(2027, 3, 9, 17, 30)  # Tuesday 18:30 in Paris

    assert next_send_time(now, set(), opens=time(9), closes=time(18)) == utc(2027, 3, 10, 8, 0)


def test_holidays_without_list_are_open_days() -> None:
    assert next_send_time(utc(2027, 7, 14, 10, 0), set()) == utc(2027, 7, 14, 10, 0)


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_send_time(datetime(2027, 3, 6, 12, 0), set())


def test_inverted_window_is_refused() -> None:
    with pytest.raises(ValueError, match="open before"):
        next_send_time(utc(2027, 3, 6, 12, 0), set(), opens=time(20), closes=time(8))


def test_holiday_list_closing_every_day_is_refused() -> None:
    start = date(2027, 3, 6)
    every_day = {start + timedelta(days=offset) for offset in range(400)}

    with pytest.raises(ValueError, match="no open day"):
        next_send_time(utc(2027, 3, 6, 12, 0), every_day)


def test_holidays_2027() -> None:
    assert sorted(french_public_holidays(2027)) == [
        date(2027, 1, 1),
        date(2027, 3, 29),  # Easter Monday
        date(2027, 5, 1),
        date(2027, 5, 6),  # Ascension
        date(2027, 5, 8),
        date(2027, 5, 17),  # Whit Monday
        date(2027, 7, 14),
        date(2027, 8, 15),
        date(2027, 11, 1),
        date(2027, 11, 11),
        date(2027, 12, 25),
    ]


def test_ascension_can_fall_on_1_may() -> None:
    # Easter on 23 March 2008 put Ascension on 1 May: the set then has ten dates.
    holidays = french_public_holidays(2008)

    assert date(2008, 5, 1) in holidays
    assert len(holidays) == 10


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (1818, date(1818, 3, 22)),
        (1943, date(1943, 4, 25)),
        (2000, date(2000, 4, 23)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_easter_sunday(year: int, expected: date) -> None:
    assert easter_sunday(year) == expected


def test_easter_before_the_gregorian_calendar_is_refused() -> None:
    with pytest.raises(ValueError, match="1583"):
        easter_sunday(1500)
