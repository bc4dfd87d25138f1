"""Sending time of a broadcast, its start and end in the push window, and its problems."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from messaging.push_window import PushRules, push_window_end
from messaging.send_timing import SendTiming, TimingProblem, plan_send, send_duration_s
from messaging.silence import SilencePeriod

PARIS = ZoneInfo("Europe/Paris")
# The 2026 municipal rounds: silences from Saturday 14 and Saturday 21 March at 00:00.
RULES = PushRules(round_days=(date(2026, 3, 15), date(2026, 3, 22)))
HOUR_S = 3600


def paris(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """Return the UTC moment of a Paris wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def sms(units: int, requested_at: datetime, *, rate: float = 10.0) -> SendTiming:
    return plan_send(
        units=units,
        rate_per_s=rate,
        requested_at=requested_at,
        rules=RULES,
        validity_period_s=HOUR_S,
    )


def email(units: int, requested_at: datetime, *, rate: float = 1.0) -> SendTiming:
    return plan_send(units=units, rate_per_s=rate, requested_at=requested_at, rules=RULES)


def test_million_segments_at_hundred_per_second() -> None:
    assert send_duration_s(1_000_000, 100.0) == 10_000.0


def test_sms_within_window_and_validity() -> None:
    # Wednesday 3 June 2026, 10:00 in Paris (summer time, UTC+2).
    timing = sms(36_000, paris(2026, 6, 3, 10))

    assert timing.duration_s == 3600.0
    assert timing.starts_at == datetime(2026, 6, 3, 8, 0, tzinfo=UTC)
    assert timing.ends_at == datetime(2026, 6, 3, 9, 0, tzinfo=UTC)
    assert timing.window_closes_at == datetime(2026, 6, 3, 18, 0, tzinfo=UTC)
    assert timing.is_delayed is False
    assert timing.problem is None
    assert timing.silence is None


def test_sms_one_segment_beyond_validity() -> None:
    timing = sms(36_001, paris(2026, 6, 3, 10))

    assert timing.duration_s == 3600.1
    assert timing.problem is TimingProblem.EXCEEDS_VALIDITY


def test_sms_ending_at_window_close() -> None:
    timing = sms(18_000, paris(2026, 6, 3, 19, 30))

    assert timing.ends_at == datetime(2026, 6, 3, 18, 0, tzinfo=UTC)
    assert timing.problem is None


def test_sms_running_past_window_close() -> None:
    timing = sms(18_010, paris(2026, 6, 3, 19, 30))

    assert timing.problem is TimingProblem.PAST_WINDOW_CLOSE
    assert timing.window_closes_at == datetime(2026, 6, 3, 18, 0, tzinfo=UTC)
    # The last second would wait for Thursday 08:00.
    assert timing.ends_at == datetime(2026, 6, 4, 6, 0, 1, tzinfo=UTC)


def test_start_waits_over_sunday_and_holiday() -> None:
    # Saturday 23 May 2026 at 21:00; Monday 25 May is Whit Monday.
    timing = sms(600, paris(2026, 5, 23, 21))

    assert timing.is_delayed is True
    assert timing.starts_at == datetime(2026, 5, 26, 6, 0, tzinfo=UTC)
    assert timing.ends_at == datetime(2026, 5, 26, 6, 1, tzinfo=UTC)
    assert timing.problem is None


def test_email_goes_on_next_morning() -> None:
    # Fourteen hours of sending from Wednesday 08:00: twelve that day, two on Thursday.
    timing = email(50_400, paris(2026, 6, 3, 8))

    assert timing.duration_s == 50_400.0
    assert timing.ends_at == datetime(2026, 6, 4, 8, 0, tzinfo=UTC)
    assert timing.problem is None


def test_email_across_daylight_saving_change() -> None:
    # From Saturday 28 March 2026 19:00 (UTC+1): one hour, then Monday 30 March (UTC+2).
    timing = email(7_200, paris(2026, 3, 28, 19))

    assert timing.window_closes_at == datetime(2026, 3, 28, 19, 0, tzinfo=UTC)
    assert timing.ends_at == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert timing.problem is None


FIRST_SILENCE = SilencePeriod(
    starts_at=datetime(2026, 3, 13, 23, 0, tzinfo=UTC),
    ends_at=datetime(2026, 3, 15, 19, 0, tzinfo=UTC),
)


def test_request_inside_silence() -> None:
    # Saturday 14 March 2026 at 10:00, eve of the first round.
    timing = email(10, paris(2026, 3, 14, 10))

    assert timing.problem is TimingProblem.INTO_SILENCE
    assert timing.silence == FIRST_SILENCE
    assert timing.starts_at == datetime(2026, 3, 16, 7, 0, tzinfo=UTC)


def test_email_running_into_silence() -> None:
    # Friday 13 March 2026 at 19:00: one hour fits before 20:00, the second would wait
    # for Monday, after the round.
    timing = email(7_200, paris(2026, 3, 13, 19))

    assert timing.problem is TimingProblem.INTO_SILENCE
    assert timing.silence == FIRST_SILENCE
    assert timing.ends_at == datetime(2026, 3, 16, 8, 0, tzinfo=UTC)


def test_email_ending_before_silence() -> None:
    timing = email(3_600, paris(2026, 3, 13, 19))

    assert timing.ends_at == datetime(2026, 3, 13, 19, 0, tzinfo=UTC)
    assert timing.problem is None


def test_silence_comes_before_validity() -> None:
    timing = sms(72_000, paris(2026, 3, 13, 19))

    assert timing.problem is TimingProblem.INTO_SILENCE


def test_between_rounds_is_allowed() -> None:
    timing = sms(100, paris(2026, 3, 18, 10))

    assert timing.problem is None
    assert timing.silence is None


def test_nothing_to_send_has_no_problem() -> None:
    timing = sms(0, paris(2026, 3, 14, 10))

    assert timing.duration_s == 0.0
    assert timing.ends_at == timing.starts_at
    assert timing.problem is None


@pytest.mark.parametrize(
    ("units", "rate", "requested_at", "validity", "message"),
    [
        (-1, 10.0, paris(2026, 6, 3, 10), 3600, "units"),
        (10, 0.0, paris(2026, 6, 3, 10), 3600, "rate_per_s"),
        (10, -1.0, paris(2026, 6, 3, 10), 3600, "rate_per_s"),
        (10, 10.0, datetime(2026, 6, 3, 10), 3600, "timezone-aware"),
        (10, 10.0, paris(2026, 6, 3, 10), 0, "validity_period_s"),
    ],
)
def test_bad_arguments_raise(
    units: int, rate: float, requested_at: datetime, validity: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        plan_send(
            units=units,
            rate_per_s=rate,
            requested_at=requested_at,
            rules=RULES,
            validity_period_s=validity,
        )


def test_window_end_on_an_open_day() -> None:
    assert push_window_end(paris(2026, 6, 3, 8), RULES) == datetime(2026, 6, 3, 18, tzinfo=UTC)


@pytest.mark.parametrize(
    "moment",
    [paris(2026, 6, 3, 20), paris(2026, 6, 7, 12), paris(2026, 3, 14, 12)],
    ids=["evening", "sunday", "silence"],
)
def test_window_end_when_closed_raises(moment: datetime) -> None:
    with pytest.raises(ValueError, match="closed"):
        push_window_end(moment, RULES)
