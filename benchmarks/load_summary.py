"""Figures of one open-loop run: counts, errors by kind, achieved rate, latency percentiles."""

import math
from collections import Counter
from dataclasses import dataclass

TARGET_P95_MS = 300.0


@dataclass(frozen=True)
class Summary:
    sent: int
    completed: int
    errors: Counter[str]
    achieved_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_send_lag_ms: float

    @property
    def meets_target(self) -> bool:
        return self.completed > 0 and self.p95_ms < TARGET_P95_MS and not self.errors

    def latency_text(self) -> str:
        if not self.completed:
            return "no expected response"
        return f"{self.p50_ms:.0f} / {self.p95_ms:.0f} / {self.p99_ms:.0f} ms"

    def target_verdict(self) -> str:
        error_count = sum(self.errors.values())
        verdict = "met" if self.meets_target else "missed"
        p95 = f"p95 {self.p95_ms:.0f} ms" if self.completed else "no expected response"
        return f"{verdict} ({p95} against < {TARGET_P95_MS:.0f} ms, {error_count} errors against 0)"


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of ascending values, or NaN when there are none."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def summarise(outcomes: list[dict[str, float | int | str | None]], warmup_count: int) -> Summary:
    """Summarise the requests after the first `warmup_count`, which only warmed the server.

    Latency percentiles cover the expected responses only. The achieved rate is the
    number of those responses over the time from the first measured request's due time
    to the last response.
    """
    measured = outcomes[warmup_count:]
    errors: Counter[str] = Counter()
    latencies: list[float] = []
    for outcome in measured:
        if outcome["error"] is not None:
            errors[str(outcome["error"])] += 1
        else:
            latencies.append(float(outcome["latency_s"] or 0.0))
    latencies.sort()
    start = float(measured[0]["due_s"] or 0.0)
    ends = [
        float(o["due_s"] or 0.0) + float(o["latency_s"] or 0.0)
        for o in measured
        if o["latency_s"] is not None
    ]
    window = max(ends, default=start) - start
    lags = [float(o["send_lag_s"] or 0.0) for o in measured]
    return Summary(
        sent=len(measured),
        completed=len(latencies),
        errors=errors,
        achieved_per_s=len(latencies) / window if window > 0 else 0.0,
        p50_ms=1000 * percentile(latencies, 0.50),
        p95_ms=1000 * percentile(latencies, 0.95),
        p99_ms=1000 * percentile(latencies, 0.99),
        max_send_lag_ms=1000 * max(lags, default=0.0),
    )
