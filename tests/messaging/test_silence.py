from datetime import UTC, date, datetime, time

import pytest

from messaging.silence import SilencePeriod, silence_end, silence_period

# Municipal elections of 2026: Sundays 15 and 22 March, both in winter time (UTC+1).
FIRST_ROUND = date(2026, 3, 15)
SECOND_ROUND = date(2026, 3, 22)


def test_period_runs_from_midnight_on_the_eve_to_poll_closing() -> None:
    assert silence_period(FIRST_ROUND) == SilencePeriod(
        starts_at=datetime(2026, 3, 13, 23, 0, tzinfo=UTC),
        ends_at=datetime(2026, 3, 15, 19, 0, tzinfo=UTC),
    )


def test_period_follows_summer_time() -> None:
    # Presidential election of 2027, first round on 10 April: Paris is at UTC+2.
    period = silence_period(date(2027, 4, 10), time(19, 0))

    assert period.starts_at == datetime(2027, 4, 8, 22, 0, tzinfo=UTC)
    assert period.ends_at == datetime(2027, 4, 10, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 3, 13, 22, 59, 59, tzinfo=UTC), None),
        (datetime(2026, 3, 13, 23, 0, tzinfo=UTC), datetime(2026, 3, 15, 19, 0, tzinfo=UTC)),
        (datetime(2026, 3, 15, 18, 59, tzinfo=UTC), datetime(2026, 3, 15, 19, 0, tzinfo=UTC)),
        (datetime(2026, 3, 15, 19, 0, tzinfo=UTC), None),
        (datetime(2026, 3, 18, 12, 0, tzinfo=UTC), None),
        (datetime(2026, 3, 21, 10, 0, tzinfo=UTC), datetime(2026, 3, 22, 19, 0, tzinfo=UTC)),
    ],
)
def test_silence_end_inside_and_outside(now: datetime, expected: datetime | None) -> None:
    assert silence_end(now, (FIRST_ROUND, SECOND_ROUND)) == expected


def test_overlapping_periods_end_at_the_latest() -> None:
    rounds = (date(2026, 6, 6), date(2026, 6, 7))

    end = silence_end(datetime(2026, 6, 5, 12, 0, tzinfo=UTC), rounds)

    assert end == datetime(2026, 6, 7, 18, 0, tzinfo=UTC)


def test_no_round_means_no_silence() -> None:
    assert silence_end(datetime(2026, 3, 14, 12, 0, tzinfo=UTC), ()) is None


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        silence_end(datetime(2026, 3, 14, 12, 0), (FIRST_ROUND,))  # noqa: DTZ001
