import random

import pytest

from messaging.backoff import backoff_delay_s


class FixedDraw(random.Random):
    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def random(self) -> float:
        return self.value


@pytest.mark.parametrize(
    ("retry_number", "low", "high"),
    [(1, 15.0, 30.0), (2, 30.0, 60.0), (3, 60.0, 120.0), (7, 900.0, 1800.0), (60, 900.0, 1800.0)],
)
def test_step_doubles_up_to_the_cap(retry_number: int, low: float, high: float) -> None:
    assert backoff_delay_s(retry_number, rng=FixedDraw(0.0)) == low
    assert backoff_delay_s(retry_number, rng=FixedDraw(0.999999)) == pytest.approx(high)


def test_jitter_spreads_workers_that_failed_together() -> None:
    rng = random.Random(7)
    delays = {round(backoff_delay_s(3, rng=rng), 3) for _ in range(50)}

    assert len(delays) > 40
    assert all(60.0 <= delay < 120.0 for delay in delays)


def test_custom_base_and_cap() -> None:
    assert backoff_delay_s(4, base_s=1.0, cap_s=5.0, rng=FixedDraw(0.5)) == 3.75


@pytest.mark.parametrize(
    ("retry_number", "base_s", "cap_s"), [(0, 30.0, 60.0), (1, 0.0, 60.0), (1, 30.0, 10.0)]
)
def test_bad_arguments_are_refused(retry_number: int, base_s: float, cap_s: float) -> None:
    with pytest.raises(ValueError):
        backoff_delay_s(retry_number, base_s=base_s, cap_s=cap_s)
