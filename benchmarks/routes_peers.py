"""Compare Tournée's walking routes with LKH-3 (elkai) and VROOM (pyvroom).

Run by hand, never in tests:

    .venv/bin/python -m benchmarks.routes_peers --quick       # small instances, < 5 min
    nohup .venv/bin/python -m benchmarks.routes_peers > routes.txt 2>&1 &   # everything

Every tool runs in its own subprocess, so each peak resident memory is its own, on the
same integer walking-distance matrices (metres) built by ``routing.streets``. Two cases:

- a single walk through every door (a TSP from the meeting point): Tournée, LKH-3, VROOM;
- a turf cut into routes of at most 60 doors and 150 minutes (walk at 70 m/min plus
  1.5 min per household), enough teams for every door: Tournée and VROOM.

"best" is the shortest length any tool found on the instance (the peers are also given
longer runs for that). The peers are benchmark references only.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from benchmarks.grids import street_grid
from routing.crossings import crossing_counts
from routing.geo import GeoPoint, haversine_m
from routing.route_types import Door, TurfProblem
from routing.street_graph import StreetGraph, StreetWay, build_street_graph
from routing.streets import snapped_distance_matrix, street_walks
from routing.turf_model import walking_seconds

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "samples" / "bondy-93010"
BONDY_CENTRE = GeoPoint(2.4835, 48.9035)
SPEED_M_PER_MIN = 70.0
MINUTES_PER_DWELLING = 1.5
SESSION_MINUTES = 150
DOORS_PER_ROUTE = 60


@dataclass(frozen=True)
class Case:
    """One benchmark line: an instance, a kind (tour or turf) and each tool's budget."""

    instance: str
    kind: str
    budgets_s: tuple[float, ...]
    best_budget_s: float
    quick: bool


CASES = (
    Case("grid-100", "tour", (1.0,), 10.0, True),
    Case("bondy-100", "tour", (1.0,), 10.0, True),
    Case("grid-300", "tour", (1.0, 5.0), 30.0, True),
    Case("grid-1000", "tour", (5.0, 30.0), 60.0, False),
    Case("bondy-1000", "tour", (5.0, 30.0), 60.0, False),
    Case("grid-3000", "tour", (30.0, 60.0), 120.0, False),
    Case("grid-300", "turf", (1.0, 5.0), 30.0, True),
    Case("grid-1000", "turf", (1.0, 30.0), 120.0, False),
    Case("bondy-1000", "turf", (1.0, 30.0), 120.0, False),
    Case("grid-5000", "turf", (15.0, 120.0), 120.0, False),
)


# Instances ---------------------------------------------------------------------------


@cache
def instance(name: str) -> tuple[StreetGraph, GeoPoint, tuple[Door, ...]]:
    """Return the street graph, meeting point and doors of a named instance."""
    source, count = name.split("-")
    if source == "grid":
        grid = street_grid(int(count), seed=int(count))
        return build_street_graph(grid.ways), grid.meeting_point, grid.doors
    graph = build_street_graph(_bondy_ways())
    rows = _bondy_rows()
    rows.sort(key=lambda row: haversine_m(BONDY_CENTRE, _point(row)))
    chosen = rows if count == "all" else rows[: int(count)]
    doors = tuple(
        Door(k + 1, _point(row), row["nom_voie"], row["numero"] + row["rep"], _dwellings(k))
        for k, row in enumerate(chosen)
    )
    return graph, BONDY_CENTRE, doors


def _dwellings(k: int) -> int:
    """Give every 25th door a small block of flats, deterministically."""
    return 4 if k % 25 == 0 else 1


def _point(row: dict[str, str]) -> GeoPoint:
    return GeoPoint(float(row["lon"]), float(row["lat"]))


def _bondy_rows() -> list[dict[str, str]]:
    with (SAMPLE_DIR / "ban_adresses_bondy.csv").open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["numero"]]


def _bondy_ways() -> list[StreetWay]:
    """Read the OpenStreetMap ways a person on foot may use."""
    path = next(SAMPLE_DIR.glob("osm_highways*.geojson"))
    ways = []
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        tags = feature["properties"]
        highway = tags.get("highway", "")
        if feature["geometry"]["type"] != "LineString" or highway.startswith("motorway"):
            continue
        if tags.get("foot") == "no" or tags.get("access") in ("private", "no"):
            continue
        coordinates = tuple((float(x), float(y)) for x, y in feature["geometry"]["coordinates"])
        ways.append(StreetWay(tags["@id"], tags.get("name"), highway, coordinates))
    return ways


def matrix(name: str) -> NDArray[np.int32]:
    """Return the walking metres between the meeting point (node 0) and every door."""
    graph, meeting_point, doors = instance(name)
    return snapped_distance_matrix(graph, graph.snap([meeting_point, *(d.point for d in doors)]))


def service_seconds(doors: tuple[Door, ...]) -> list[int]:
    return [0, *(math.ceil(d.dwellings * MINUTES_PER_DWELLING * 60) for d in doors)]


def team_count(doors: tuple[Door, ...]) -> int:
    """Return enough teams for every door: one more than the door cap needs, plus 10 %."""
    return math.ceil(len(doors) / DOORS_PER_ROUTE * 1.1) + 1


# Tools, each run in a child process ----------------------------------------------------


def run_tool(tool: str, kind: str, name: str, budget_s: float) -> dict[str, Any]:
    """Solve one instance with one tool; return its routes (matrix nodes) and time."""
    graph, meeting_point, doors = instance(name)
    needs_matrix = tool != "tournee" or kind == "tour"
    distance_m = matrix(name) if needs_matrix else np.zeros((0, 0), dtype=np.int32)
    started = time.perf_counter()
    cpu_started = time.process_time()
    if tool == "tournee":
        routes = _tournee(
            kind,
            graph=graph,
            meeting_point=meeting_point,
            doors=doors,
            distance_m=distance_m,
            budget_s=budget_s,
        )
    elif tool == "lkh":
        routes = [_lkh(distance_m, budget_s)]
    else:
        routes = _vroom(kind, doors, distance_m, budget_s)
    elapsed = time.perf_counter() - started
    cpu_s = time.process_time() - cpu_started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"routes": routes, "time_s": elapsed, "cpu_s": cpu_s, "peak_mib": peak_mib}


def _tournee(
    kind: str,
    *,
    graph: StreetGraph,
    meeting_point: GeoPoint,
    doors: tuple[Door, ...],
    distance_m: NDArray[np.int32],
    budget_s: float,
) -> list[list[int]]:
    from routing.tour import order_walk
    from routing.turf import plan_turf

    if kind == "tour":
        snaps = graph.snap([meeting_point, *(d.point for d in doors)])
        return [list(order_walk(graph, snaps, distance_m, time_limit_s=budget_s))]
    problem = TurfProblem(
        meeting_point,
        doors,
        team_count=team_count(doors),
        max_minutes=SESSION_MINUTES,
        walking_speed_m_per_min=SPEED_M_PER_MIN,
        minutes_per_dwelling=MINUTES_PER_DWELLING,
        # The search gets the budget less the time to snap doors and build matrices.
        time_limit_s=max(0.2, budget_s * 0.8),
        max_doors_per_route=DOORS_PER_ROUTE,
        balance_cost_per_second=0,
    )
    plan = plan_turf(graph, problem)
    node_of = {door.address_id: k + 1 for k, door in enumerate(doors)}
    return [[node_of[d] for d in route.door_ids] for route in plan.routes if route.door_ids]


def _lkh(distance_m: NDArray[np.int32], budget_s: float) -> list[int]:
    from elkai import _elkai

    size = distance_m.shape[0]
    params = f"RUNS = 1\nTIME_LIMIT = {budget_s}\nPROBLEM_FILE = :stdin:\n"
    header = (
        f"TYPE : TSP\nDIMENSION : {size}\nEDGE_WEIGHT_TYPE : EXPLICIT\n"
        "EDGE_WEIGHT_FORMAT : FULL_MATRIX\nEDGE_WEIGHT_SECTION\n"
    )
    body = "\n".join(" ".join(map(str, row)) for row in distance_m.tolist())
    tour = [node - 1 for node in _elkai.solve_problem(params, header + body + "\n")]
    start = tour.index(0)
    return tour[start + 1 :] + tour[:start]


def _vroom(
    kind: str, doors: tuple[Door, ...], distance_m: NDArray[np.int32], budget_s: float
) -> list[list[int]]:
    import vroom

    problem = vroom.Input()
    metres = distance_m.astype(np.int64)
    problem.set_durations_matrix("foot", walking_seconds(metres, SPEED_M_PER_MIN).tolist())
    problem.set_costs_matrix("foot", metres.tolist())
    service = service_seconds(doors)
    if kind == "tour":
        problem.add_vehicle(vroom.Vehicle(0, start=0, end=0, profile="foot"))
    for team in range(team_count(doors) if kind == "turf" else 0):
        problem.add_vehicle(
            vroom.Vehicle(
                team,
                start=0,
                end=0,
                profile="foot",
                max_tasks=DOORS_PER_ROUTE,
                time_window=vroom.TimeWindow(0, SESSION_MINUTES * 60),
            )
        )
    for node in range(1, len(doors) + 1):
        problem.add_job(
            vroom.Job(node, location=node, default_service=service[node] if kind == "turf" else 0)
        )
    solution = problem.solve(exploration_level=5, nb_threads=2, timeout=timedelta(seconds=budget_s))
    routes = []
    for _, steps in solution.routes.groupby("vehicle_id"):
        jobs = [
            int(x)
            for x, t in zip(steps["location_index"], steps["type"], strict=True)
            if t == "job"
        ]
        if jobs:
            routes.append(jobs)
    return routes


# Checking and printing ----------------------------------------------------------------


@cache
def crossings_matrix(name: str) -> NDArray[np.int32]:
    """Return how many busy roads each move between matrix nodes crosses."""
    graph, meeting_point, doors = instance(name)
    snaps = graph.snap([meeting_point, *(d.point for d in doors)])
    return crossing_counts(street_walks(graph, snaps))


def evaluate(
    kind: str, name: str, routes: list[list[int]], distance_m: NDArray[np.int32]
) -> tuple[int, str, int]:
    """Return the total length of the routes, a note on any broken rule and the crossings.

    Crossings count the moves between doors on opposite sides of one busy road and the
    busy roads crossed at junctions, as Tournée prices them (``routing.crossings``).
    """
    _, _, doors = instance(name)
    service = service_seconds(doors)
    crossing = crossings_matrix(name)
    total = 0
    crossings = 0
    problems = []
    visited = [node for route in routes for node in route]
    if sorted(visited) != list(range(1, len(doors) + 1)):
        problems.append(f"{len(doors) - len(set(visited))} doors missed")
    for route in routes:
        stops = [0, *route, 0]
        length = int(sum(int(distance_m[a, b]) for a, b in zip(stops, stops[1:], strict=False)))
        total += length
        crossings += int(crossing[stops[:-1], stops[1:]].sum())
        minutes = length / SPEED_M_PER_MIN + sum(service[n] for n in route) / 60
        if kind == "turf" and (len(route) > DOORS_PER_ROUTE or minutes > SESSION_MINUTES + 1e-6):
            problems.append("limit broken")
    return total, ", ".join(sorted(set(problems))) or "ok", crossings


def child(tool: str, kind: str, name: str, budget_s: float) -> dict[str, Any]:
    """Run one tool in a fresh interpreter and return what it printed."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [sys.executable, "-m", "benchmarks.routes_peers", "--child", tool, kind, name]
        command += [str(budget_s), out.name]
        subprocess.run(command, check=True)  # noqa: S603 - our own interpreter and module
        result: dict[str, Any] = json.loads(Path(out.name).read_text(encoding="utf-8"))
        return result


def bench_case(case: Case, only_tools: frozenset[str] | None = None) -> None:
    distance_m = matrix(case.instance)
    peers = ("tournee", "lkh", "vroom") if case.kind == "tour" else ("tournee", "vroom")
    tools = [tool for tool in peers if only_tools is None or tool in only_tools]
    rows = []
    for budget in case.budgets_s:
        for tool in tools:
            result = child(tool, case.kind, case.instance, budget)
            length, note, crossings = evaluate(
                case.kind, case.instance, result["routes"], distance_m
            )
            rows.append(_row(tool, budget, length, note, result, crossings=crossings))
    for tool in (tool for tool in tools if tool != "tournee"):
        result = child(tool, case.kind, case.instance, case.best_budget_s)
        length, note, crossings = evaluate(case.kind, case.instance, result["routes"], distance_m)
        rows.append(_row(tool, case.best_budget_s, length, note, result, crossings=crossings))
    best = min(row[2] for row in rows if row[6] == "ok")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\n{case.kind} {case.instance} ({distance_m.shape[0] - 1} doors), best {best} m")
    print(f"load average at the end (1, 5, 15 min): {load}")
    print(
        "| tool | budget (s) | length (m) | time (s) | CPU (s) | peak RSS (MiB) | routes "
        "| vs best | busy-road crossings | check |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for tool, budget, length, seconds, cpu, peak, note, count, crossings in rows:
        ratio = f"{100 * (length / best - 1):+.2f} %"
        cells = [tool, f"{budget:g}", str(length), f"{seconds:.2f}", f"{cpu:.2f}"]
        cells += [f"{peak:.0f}", str(count), ratio, str(crossings), note]
        print("| " + " | ".join(cells) + " |")
    sys.stdout.flush()


def _row(
    tool: str, budget: float, length: int, note: str, result: dict[str, Any], *, crossings: int
) -> tuple[str, float, int, float, float, float, str, int, int]:
    """Return one table row: tool, budget, length, times, peak RSS, check, routes, crossings."""
    return (
        tool,
        budget,
        length,
        result["time_s"],
        result["cpu_s"],
        result["peak_mib"],
        note,
        len(result["routes"]),
        crossings,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="run only the small instances")
    parser.add_argument(
        "--only", help="run only the case of this name, or the cases whose name contains it"
    )
    parser.add_argument(
        "--tools", help="comma-separated tools to run (tournee, lkh, vroom); default: all"
    )
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        tool, kind, name, budget, out = args.child
        result = run_tool(tool, kind, name, float(budget))
        Path(out).write_text(json.dumps(result), encoding="utf-8")
        return
    for case in CASES:
        if args.quick and not case.quick:
            continue
        name = f"{case.kind}-{case.instance}"
        # A full case name runs that case alone ("tour-grid-100" but not "tour-grid-1000").
        exact = args.only in {f"{other.kind}-{other.instance}" for other in CASES}
        if args.only and (args.only != name if exact else args.only not in name):
            continue
        bench_case(case, frozenset(args.tools.split(",")) if args.tools else None)


if __name__ == "__main__":
    main()
