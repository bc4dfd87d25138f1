"""Time the assignment on generated national-scale weekends, with every rule in play.

    .venv/bin/python -m benchmarks.assignment_scale                 # both sizes
    .venv/bin/python -m benchmarks.assignment_scale --size region --time-limit 10

For each size it runs, in a fresh child process each:

- the first plan: a run whose time limit leaves no room for CP-SAT, so it returns the
  repaired answer of the plain min-cost flow;
- a full run with the target time limit.

and prints the wall time, the objective, the gap to the flow bound (the optimum of the
plain flow relaxation, an upper bound on any plan), the gap to the best bound the run
proved (the decomposition of `routing.assignment_lagrangian`, and CP-SAT's bounds on
the parts it solved), and the child's peak resident memory, instance generation
included. CPU time is printed
next to wall time because a shared machine stretches wall time; CP-SAT's workers run in
parallel, so its share of CPU time is up to the number of workers times its wall time.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, replace

from benchmarks.assignment_instances import national_weekend
from routing.assignment import assign_volunteers
from routing.assignment_components import split_components
from routing.assignment_flow import solve_flow
from routing.assignment_index import build_index
from routing.assignment_locks import lock_state

FIRST_PLAN_LIMIT_S = 0.05


@dataclass(frozen=True)
class Size:
    name: str
    volunteers: int
    sessions: int
    communes: int
    time_limit_s: float


SIZES = {
    "region": Size("region", 5_000, 2_000, 60, 10.0),
    "national": Size("national", 100_000, 50_000, 1_500, 30.0),
}


def run_child(size: Size, time_limit_s: float, workers: int) -> dict[str, object]:
    """Generate the instance, solve it once, and return the figures as a dict."""
    generated = time.perf_counter()
    problem = national_weekend(size.volunteers, size.sessions, size.communes, workers=workers)
    generation_s = time.perf_counter() - generated
    cpu_before = time.process_time()
    plan = assign_volunteers(replace(problem, time_limit_s=time_limit_s))
    cpu_s = time.process_time() - cpu_before
    # The plain flow bound, outside the timed run.
    index = build_index(problem)
    flow = solve_flow(index, lock_state(index), split_components(index))
    return {
        "size": size.name,
        "time_limit_s": time_limit_s,
        "generation_s": round(generation_s, 2),
        "wall_time_s": round(plan.wall_time_s, 2),
        "cpu_time_s": round(cpu_s, 2),
        "status": str(plan.status),
        "objective": plan.objective,
        "flow_bound": flow.bound,
        "best_bound": plan.bound,
        "candidates": len(index.candidates),
        "placed": len(plan.placements),
        "left_out": len(plan.left_out),
        "terms": {str(t.name): t.points for t in plan.terms},
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def in_child(size: str, time_limit_s: float, workers: int) -> dict[str, object]:
    command = [
        sys.executable,
        "-m",
        "benchmarks.assignment_scale",
        "--child",
        "--size",
        size,
        "--time-limit",
        str(time_limit_s),
        "--workers",
        str(workers),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    result: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def gap_percent(bound: object, objective: object) -> str:
    if not isinstance(bound, int | float) or not isinstance(objective, int | float) or not bound:
        return "n/a"
    return f"{100 * (bound - objective) / bound:.3f} %"


def report(result: dict[str, object]) -> None:
    print(
        f"{result['size']:<9} limit {result['time_limit_s']:>5} s  "
        f"wall {result['wall_time_s']:>6} s (CPU {result['cpu_time_s']} s)  {result['status']:<8} "
        f"objective {result['objective']:>12,.0f}  "
        f"gap to flow bound {gap_percent(result['flow_bound'], result['objective']):>9}  "
        f"to best bound {gap_percent(result['best_bound'], result['objective']):>9}  "
        f"peak RSS {result['peak_rss_mib']} MiB  "
        f"({result['candidates']:,} candidate pairs, {result['placed']:,} placed, "
        f"generation {result['generation_s']} s)"
    )
    print(f"          terms {result['terms']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), action="append")
    parser.add_argument("--time-limit", type=float)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = args.size or ["region", "national"]
    if args.child:
        result = run_child(SIZES[sizes[0]], args.time_limit, args.workers)
        print(json.dumps(result))
        return
    for name in sizes:
        size = SIZES[name]
        report(in_child(name, FIRST_PLAN_LIMIT_S, args.workers))
        report(in_child(name, args.time_limit or size.time_limit_s, args.workers))


if __name__ == "__main__":
    main()
