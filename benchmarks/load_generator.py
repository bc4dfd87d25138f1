"""The load process of `benchmarks.signup_load`: one scenario, open loop, on 127.0.0.1.

It reads a JSON plan on standard input and writes JSON lines on standard output. A
`measuring` event comes when the warm-up ends and the first measured request leaves. A
`done` line with every outcome follows once the last response is in or has timed out.

Scenarios:
- `page`: GET /inscription, expecting 200.
- `signup`: each virtual user first opens the form (its own cookie session and CSRF
  token, fetched before the clock starts), then its POST leaves on the schedule,
  expecting a redirect to /inscription/merci.
"""

import asyncio
import json
import resource
import sys
import time
from collections.abc import Coroutine
from dataclasses import asdict, dataclass

from benchmarks.open_loop import (
    Outcome,
    Response,
    build_request,
    exchange,
    run_schedule,
    timed_exchange,
)
from benchmarks.volunteers import volunteer_form
from tests.webapp.accounts.html_page import csrf_token

SIGNUP_PATH = "/inscription"
DONE_PATH = "/inscription/merci"
# Forms fetched at once while the virtual users get ready.
PREPARE_CONCURRENCY = 4


@dataclass(frozen=True)
class Plan:
    port: int
    scenario: str
    rate_per_s: float
    warmup_s: float
    duration_s: float
    timeout_s: float
    homes: list[str]
    first_index: int = 0

    @property
    def warmup_count(self) -> int:
        return round(self.rate_per_s * self.warmup_s)

    @property
    def count(self) -> int:
        return self.warmup_count + round(self.rate_per_s * self.duration_s)


def check_page(response: Response) -> str | None:
    return None if response.status == 200 else f"HTTP {response.status}"


def check_signup(response: Response) -> str | None:
    location = response.header("location") or ""
    if response.status in (302, 303) and location.endswith(DONE_PATH):
        return None
    if 200 <= response.status < 400:
        return f"HTTP {response.status} without redirect to {DONE_PATH}"
    return f"HTTP {response.status}"


async def prepare_signup(plan: Plan, index: int, gate: asyncio.Semaphore) -> bytes:
    """Open the form as volunteer `index` would, and return its filled-in POST request."""
    async with gate:
        page = await exchange(plan.port, build_request(plan.port, "GET", SIGNUP_PATH))
    if page.status != 200:
        raise RuntimeError(f"GET {SIGNUP_PATH} returned HTTP {page.status} while preparing")
    form: dict[str, object] = dict(volunteer_form(plan.first_index + index, plan.homes))
    form["csrf_token"] = csrf_token(page.body.decode())
    return build_request(plan.port, "POST", SIGNUP_PATH, cookie=page.cookies(), form=form)


def announce(event: dict[str, object]) -> None:
    print(json.dumps(event), flush=True)


async def run(plan: Plan) -> dict[str, object]:
    prepared = time.perf_counter()
    if plan.scenario == "signup":
        gate = asyncio.Semaphore(PREPARE_CONCURRENCY)
        requests = await asyncio.gather(
            *(prepare_signup(plan, index, gate) for index in range(plan.count))
        )
        check = check_signup
    elif plan.scenario == "page":
        requests = [build_request(plan.port, "GET", SIGNUP_PATH)] * plan.count
        check = check_page
    else:
        raise ValueError(f"unknown scenario {plan.scenario!r}: expected page or signup")
    prepare_s = time.perf_counter() - prepared

    def send(index: int, due: float) -> Coroutine[None, None, Outcome]:
        return timed_exchange(plan.port, requests[index], check, due, plan.timeout_s)

    def mark_window(index: int) -> None:
        if index == plan.warmup_count:
            announce({"event": "measuring"})

    cpu = time.process_time()
    outcomes = await run_schedule(plan.count, plan.rate_per_s, send, mark_window)
    return {
        "event": "done",
        "prepare_s": prepare_s,
        "generator_cpu_s": time.process_time() - cpu,
        "warmup_count": plan.warmup_count,
        "outcomes": [asdict(outcome) for outcome in outcomes],
    }


def main() -> None:
    plan = Plan(**json.load(sys.stdin))
    # Under overload every late request keeps a socket open until its timeout.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    announce(asyncio.run(run(plan)))


if __name__ == "__main__":
    main()
