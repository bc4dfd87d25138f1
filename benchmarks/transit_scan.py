"""Time the public-transport check: backward scans over a generated city network.

Run by hand: `.venv/bin/python -m benchmarks.transit_scan [--lines 40] [--homes 5000]`.
The network is made up and seeded. Bus lines cross a 12 km square, each on a straight
line through random points. Each has a stop every 400 m and a bus every 10 minutes in
each direction from 06:00 to 22:00 at 18 km/h. Homes and 20 meeting points are scattered
over the square. The benchmark builds the timetable (sorting the connections and
joining stops for changes on foot), then runs one scan per meeting point for a 10:00
start with a 60-minute window, and prints wall and CPU time and the share of homes
whose door-to-door time beats the direct walk.
"""

import argparse
import math
import time

import numpy as np

from routing.assignment_spatial import haversine_array_m
from routing.geo import EARTH_RADIUS_M
from routing.transit import Timetable, door_to_door_minutes, sorted_timetable, walk_seconds

SIDE_M = 12_000.0
STOP_SPACING_M = 400.0
HEADWAY_S = 600
FIRST_S, LAST_S = 6 * 3600, 22 * 3600
SPEED_M_PER_S = 5.0
MEETING_POINTS = 20
CENTRE_LAT = 48.9
DEADLINE_S = 10 * 3600
WINDOW_S = 3600


def to_degrees(x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return longitudes and latitudes of points x, y metres from (2.48, 48.9)."""
    lat = CENTRE_LAT + np.degrees(y_m / EARTH_RADIUS_M)
    lon = 2.48 + np.degrees(x_m / (EARTH_RADIUS_M * math.cos(math.radians(CENTRE_LAT))))
    return lon, lat


def network(line_count: int, rng: np.random.Generator) -> Timetable:
    """Return the timetable of `line_count` straight bus lines across the square."""
    stops_xy: list[tuple[float, float]] = []
    columns: list[list[int]] = [[], [], [], [], []]
    trip = 0
    for _ in range(line_count):
        ax, ay, bx, by = rng.uniform(0, SIDE_M, 4).tolist()
        length = math.hypot(bx - ax, by - ay)
        count = max(2, int(length // STOP_SPACING_M))
        first = len(stops_xy)
        stops_xy += [
            (ax + (bx - ax) * k / count, ay + (by - ay) * k / count) for k in range(count + 1)
        ]
        hop_s = round(length / count / SPEED_M_PER_S)
        for direction in (1, -1):
            order = list(range(first, first + count + 1))[::direction]
            for start in range(FIRST_S, LAST_S, HEADWAY_S):
                for k, (a, b) in enumerate(zip(order, order[1:], strict=False)):
                    row = (a, b, start + k * hop_s, start + (k + 1) * hop_s, trip)
                    for column, value in zip(columns, row, strict=True):
                        column.append(value)
                trip += 1
    xy = np.array(stops_xy)
    lon, lat = to_degrees(xy[:, 0], xy[:, 1])
    arrays = tuple(np.array(column, dtype=np.int64) for column in columns)
    return sorted_timetable(lon, lat, arrays)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--homes", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    wall, cpu = time.perf_counter(), time.process_time()
    timetable = network(args.lines, rng)
    built = (time.perf_counter() - wall, time.process_time() - cpu)
    homes = rng.uniform(0, SIDE_M, (args.homes, 2))
    home_lon, home_lat = to_degrees(homes[:, 0], homes[:, 1])
    points = np.array(
        [(rng.uniform(0, SIDE_M), rng.uniform(0, SIDE_M)) for _ in range(MEETING_POINTS)]
    )
    point_lon, point_lat = to_degrees(points[:, 0], points[:, 1])

    wall, cpu = time.perf_counter(), time.process_time()
    scans = [
        door_to_door_minutes(
            timetable, (home_lon, home_lat), (lon, lat), DEADLINE_S, window_s=WINDOW_S
        )
        for lon, lat in zip(point_lon.tolist(), point_lat.tolist(), strict=True)
    ]
    scanned = (time.perf_counter() - wall, time.process_time() - cpu)

    stops = timetable.stop_lon.shape[0]
    print(
        f"network: {args.lines} lines, {stops:,} stops, {timetable.connection_count:,} connections"
    )
    print(
        f"  timetable built (sorting, changes on foot): {built[0]:.2f} s wall, {built[1]:.2f} s CPU"
    )
    print(f"{MEETING_POINTS} scans for {args.homes:,} homes, 10:00 start, 60-minute window:")
    per_scan_ms = 1000 * scanned[1] / MEETING_POINTS
    print(f"  {scanned[0]:.2f} s wall, {scanned[1]:.2f} s CPU, {per_scan_ms:.0f} ms CPU a scan")
    faster = 0
    for minutes, lon, lat in zip(scans, point_lon, point_lat, strict=True):
        straight_m = haversine_array_m(
            home_lon, home_lat, np.full(home_lon.shape, lon), np.full(home_lat.shape, lat)
        )
        faster += int(np.count_nonzero(minutes < walk_seconds(straight_m) / 60 - 1e-9))
    share = faster / (MEETING_POINTS * args.homes)
    print(f"  home and meeting point pairs faster by bus than on foot: {share:.1%}")


if __name__ == "__main__":
    main()
