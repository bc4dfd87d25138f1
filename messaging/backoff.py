"""Waits between attempts after a transient failure: exponential, with jitter."""

import random

DEFAULT_BASE_S = 30.0
DEFAULT_CAP_S = 1800.0


def backoff_delay_s(
    retry_number: int,
    *,
    base_s: float = DEFAULT_BASE_S,
    cap_s: float = DEFAULT_CAP_S,
    rng: random.Random | None = None,
) -> float:
    """Return the wait before retry `retry_number` (1 for the first retry), in seconds.

    The step doubles from `base_s` up to `cap_s`. Half of it is fixed and half drawn at
    random, so workers that failed together do not retry together.
    """
    if retry_number < 1:
        raise ValueError("retry_number starts at 1")
    if base_s <= 0 or cap_s < base_s:
        raise ValueError("need 0 < base_s <= cap_s")
    # Past 2**30 the step is far above any cap; bounding the exponent avoids huge floats.
    step = min(cap_s, base_s * 2.0 ** min(retry_number - 1, 30))
    # Jitter only spreads retries out; it protects no secret.
    draw = rng.random() if rng is not None else random.random()  # noqa: S311
    return step / 2 + draw * step / 2
