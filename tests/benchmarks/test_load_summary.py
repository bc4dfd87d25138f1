import math
from collections import Counter

import pytest

from benchmarks.load_summary import percentile, summarise


def outcome(
    due_s: float, latency_s: float | None, error: str | None = None, lag_s: float = 0.0
) -> dict[str, float | int | str | None]:
    status = None
    if latency_s is not None:
        status = 200 if error is None else 500
    return {
        "due_s": due_s,
        "send_lag_s": lag_s,
        "latency_s": latency_s,
        "status": status,
        "error": error,
    }


def test_percentile_nearest_rank() -> None:
    values = [float(value) for value in range(1, 101)]

    assert percentile(values, 0.50) == 50.0
    assert percentile(values, 0.95) == 95.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([7.0], 0.99) == 7.0
    assert math.isnan(percentile([], 0.5))


def test_summary_skips_warmup() -> None:
    outcomes = [
        outcome(0.0, 5.0),  # warm-up: its latency must not count
        outcome(1.0, 0.1),
        outcome(1.5, 0.3, lag_s=0.02),
        outcome(2.0, 0.2, error="HTTP 500"),
        outcome(2.5, None, error="timeout after 10 s"),
        outcome(3.0, None, error="timeout after 10 s"),
    ]

    summary = summarise(outcomes, warmup_count=1)

    assert summary.sent == 5
    assert summary.completed == 2
    assert summary.errors == Counter({"timeout after 10 s": 2, "HTTP 500": 1})
    # Two expected responses between 1.0 s and the last response, at 2.2 s.
    assert summary.achieved_per_s == pytest.approx(2 / 1.2)
    assert summary.p50_ms == 100.0
    assert summary.p95_ms == 300.0
    assert summary.max_send_lag_ms == 20.0
    assert not summary.meets_target
    assert summary.target_verdict() == "missed (p95 300 ms against < 300 ms, 3 errors against 0)"


def test_summary_meets_target() -> None:
    outcomes = [outcome(index / 10, 0.05) for index in range(20)]

    summary = summarise(outcomes, warmup_count=0)

    assert summary.errors == Counter()
    assert summary.p99_ms == 50.0
    assert summary.latency_text() == "50 / 50 / 50 ms"
    assert summary.meets_target
    assert summary.target_verdict() == "met (p95 50 ms against < 300 ms, 0 errors against 0)"


def test_summary_without_responses() -> None:
    outcomes = [outcome(index / 10, None, error="timeout after 10 s") for index in range(3)]

    summary = summarise(outcomes, warmup_count=0)

    assert summary.completed == 0
    assert summary.achieved_per_s == 0.0
    assert summary.latency_text() == "no expected response"
    assert summary.target_verdict() == (
        "missed (no expected response against < 300 ms, 3 errors against 0)"
    )
