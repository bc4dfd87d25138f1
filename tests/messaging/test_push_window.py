"""The push window walked hour by hour over two years, against a hand-written calendar."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from messaging.push_window import PushRules, is_push_allowed, next_push_time

PARIS = ZoneInfo("Europe/Paris")
# Public holidays of metropolitan France, written out by hand (Easter: 5 April 2026,
# 28 March 2027).
HOLIDAYS = {
    date(2026, 1, 1),
    date(2026, 4, 6),
    date(2026, 5, 1),
    date(2026, 5, 8),
    date(2026, 5, 14),
    date(2026, 5, 25),
    date(2026, 7, 14),
    date(2026, 8, 15),
    date(2026, 11, 1),
    date(2026, 11, 11),
    date(2026, 12, 25),
    date(2027, 1, 1),
    date(2027, 3, 29),
    date(2027, 5, 1),
    date(2027, 5, 6),
    date(2027, 5, 8),
    date(2027, 5, 17),
    date(2027, 7, 14),
    date(2027, 8, 15),
    date(2027, 11, 1),
    date(2027, 11, 11),
    date(2027, 12, 25),
    date(2028, 1, 1),
}
# Municipal rounds in 2026 (winter time), presidential rounds in 2027 (summer time).
ROUNDS = (date(2026, 3, 15), date(2026, 3, 22), date(2027, 4, 11), date(2027, 4, 25))
RULES = PushRules(round_days=ROUNDS)


def expected_open(moment: datetime) -> bool:
    """Decide from the calendar above, without the code under test."""
    local = moment.astimezone(PARIS)
    day = local.date()
    in_silence = any(
        day in (round_day - timedelta(days=1), round_day)
        and not (day == round_day and local.time() >= time(20, 0))
        for round_day in ROUNDS
    )
    return (
        day.weekday() != 6
        and day not in HOLIDAYS
        and time(8, 0) <= local.time() < time(20, 0)
        and not in_silence
    )


def every_hour(start: datetime, end: datetime) -> list[datetime]:
    hours = int((end - start).total_seconds() // 3600)
    return [start + timedelta(hours=index) for index in range(hours)]


def test_every_hour_of_two_years_matches_the_calendar() -> None:
    hours = every_hour(datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
    opened = [expected_open(hour) for hour in hours]
    wrong_opening: list[datetime] = []
    next_open_index = len(hours)
    # Walking backwards gives each hour the first open hour at or after it.
    for index in range(len(hours) - 1, -1, -1):
        if opened[index]:
            next_open_index = index
        hour = hours[index]
        assert is_push_allowed(hour, RULES) is opened[index], hour
        if next_open_index < len(hours) and next_push_time(hour, RULES) != hours[next_open_index]:
            wrong_opening.append(hour)

    assert wrong_opening == []
    assert sum(opened) > 0


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Saturday 14 March 2026, eve of the first round: wait for Monday 08:00.
        (datetime(2026, 3, 14, 9, 0, tzinfo=UTC), datetime(2026, 3, 16, 7, 0, tzinfo=UTC)),
        # Friday 13 March at 23:30 Paris time is already the eve's silence.
        (datetime(2026, 3, 13, 22, 30, tzinfo=UTC), datetime(2026, 3, 16, 7, 0, tzinfo=UTC)),
        # Saturday 28 March 2026, 20:30: Sunday, then the clocks change.
        (datetime(2026, 3, 28, 19, 30, tzinfo=UTC), datetime(2026, 3, 30, 6, 0, tzinfo=UTC)),
        # Friday 1 May 2026 is a holiday, then a Saturday.
        (datetime(2026, 4, 30, 18, 0, tzinfo=UTC), datetime(2026, 5, 2, 6, 0, tzinfo=UTC)),
        # Inside the window the same instant comes back.
        (
            datetime(2026, 6, 3, 10, 17, 5, tzinfo=UTC),
            datetime(2026, 6, 3, 10, 17, 5, tzinfo=UTC),
        ),
        # 19:59:59 is inside, 20:00 is not.
        (
            datetime(2026, 6, 3, 17, 59, 59, tzinfo=UTC),
            datetime(2026, 6, 3, 17, 59, 59, tzinfo=UTC),
        ),
        (datetime(2026, 6, 3, 18, 0, tzinfo=UTC), datetime(2026, 6, 4, 6, 0, tzinfo=UTC)),
    ],
)
def test_next_push_time_on_hand_checked_cases(now: datetime, expected: datetime) -> None:
    assert next_push_time(now, RULES) == expected


def test_campaign_window_narrows_the_day() -> None:
    rules = PushRules(opens=time(10, 0), closes=time(18, 30))

    assert next_push_time(datetime(2026, 6, 3, 7, 0, tzinfo=UTC), rules) == datetime(
        2026, 6, 3, 8, 0, tzinfo=UTC
    )
    assert not is_push_allowed(datetime(2026, 6, 3, 16, 30, tzinfo=UTC), rules)


def test_poll_closing_time_ends_the_silence() -> None:
    # A Saturday round (as overseas) that closes at 18:00 reopens the same evening.
    rules = PushRules(round_days=(date(2026, 6, 6),), polls_close=time(18, 0))

    assert next_push_time(datetime(2026, 6, 6, 8, 0, tzinfo=UTC), rules) == datetime(
        2026, 6, 6, 16, 0, tzinfo=UTC
    )


def test_window_must_open_before_it_closes() -> None:
    with pytest.raises(ValueError, match="open before"):
        PushRules(opens=time(20, 0), closes=time(8, 0))


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_push_time(datetime(2026, 6, 3, 10, 0), RULES)  # noqa: DTZ001
