"""The backward Connection Scan on made-up bus lines."""

import numpy as np
import pytest

from routing.geo import haversine_m
from routing.transit import (
    Timetable,
    door_to_door_minutes,
    latest_stop_departures,
    stop_transfers,
)
from routing.transit_changes import TransferRule, TransferType, apply_transfer_rules
from tests.routing.assignment_checks import TOWN_HALL
from tests.routing.transit_sample import (
    HOME,
    LINE_1_DEPARTURES,
    STOP_XY,
    WALK_M_PER_MIN,
    at,
    line_1,
    line_1_trips,
    timetable_of,
)

TARGET = (TOWN_HALL.lon, TOWN_HALL.lat)
DIRECT_WALK_MIN = 2000 * 1.3 / 70  # 37.14 min from the home 2 km west


def minutes_from_home(timetable: Timetable, deadline_s: int, **options: int) -> float:
    origins = (np.array([HOME.lon]), np.array([HOME.lat]))
    result = door_to_door_minutes(timetable, origins, TARGET, deadline_s, **options)
    return float(result[0])


def hms(hours: int, minutes: int) -> int:
    return hours * 3600 + minutes * 60


def test_journey_for_ten_o_clock_start() -> None:
    # The 09:50 bus reaches C at 09:56, so the volunteer is there at 09:59.
    assert minutes_from_home(line_1(), hms(10, 0)) == pytest.approx(15.0, abs=1e-5)


def test_later_start_counts_wait_at_meeting_point() -> None:
    # Still the 09:50 bus until 10:14, when the 10:05 bus (at the meeting point at
    # 10:14) just fits.
    assert minutes_from_home(line_1(), hms(10, 2)) == pytest.approx(17.0, abs=1e-5)
    assert minutes_from_home(line_1(), hms(10, 13)) == pytest.approx(28.0, abs=1e-5)
    assert minutes_from_home(line_1(), hms(10, 14)) == pytest.approx(14.0, abs=1e-5)


def test_staying_aboard_needs_no_change_time() -> None:
    # At B the bus leaves the second it arrives; a change time there would force the
    # 09:35 bus and 30 minutes.
    assert minutes_from_home(line_1(), hms(10, 0), change_s=600) == pytest.approx(15.0, abs=1e-5)


def test_no_bus_in_time_means_walking() -> None:
    early = timetable_of(STOP_XY, line_1_trips([hms(11, 0)]))

    assert minutes_from_home(early, hms(10, 0)) == pytest.approx(DIRECT_WALK_MIN, abs=1e-5)


def test_empty_timetable_means_walking() -> None:
    empty = timetable_of(STOP_XY, [])

    assert empty.connection_count == 0
    assert minutes_from_home(empty, hms(10, 0)) == pytest.approx(DIRECT_WALK_MIN, abs=1e-5)


def test_window_skips_longer_journeys() -> None:
    # The 09:50 bus leaves 600 s before the start, so a shorter window finds only the walk.
    assert minutes_from_home(line_1(), hms(10, 0), window_s=599) == pytest.approx(
        DIRECT_WALK_MIN, abs=1e-5
    )
    assert minutes_from_home(line_1(), hms(10, 0), window_s=600) == pytest.approx(15.0, abs=1e-5)


def test_home_beyond_access_walks() -> None:
    far = at(-2000.0, -800.0)  # 1,069 m from A: too far to walk to the stop
    origins = (np.array([far.lon]), np.array([far.lat]))
    minutes = door_to_door_minutes(line_1(), origins, TARGET, hms(10, 0))

    assert haversine_m(far, at(*STOP_XY["A"])) > 1000
    assert float(minutes[0]) == pytest.approx(haversine_m(far, TOWN_HALL) * 1.3 / 70, abs=1e-9)


def test_latest_departures_per_stop() -> None:
    latest = latest_stop_departures(line_1(), *TARGET, hms(10, 0))

    # A: the 09:50 bus. B: the same bus at 09:53. C: walk off by 09:57.
    assert latest[0] == pytest.approx(hms(9, 50))
    assert latest[1] == pytest.approx(hms(9, 53))
    assert latest[2] == pytest.approx(hms(9, 57), abs=1e-5)


# The change scenario: the home is 4 km west, line 1 goes from A to B (7 minutes) and
# line 2 from B to D (5 minutes), D being a 3-minute walk from the meeting point.
CHANGE_STOPS = {
    "A": (-4000.0, 5 * WALK_M_PER_MIN),
    "B": (-2000.0, 300.0),
    "D": (0.0, 3 * WALK_M_PER_MIN),
}
CHANGE_TRIPS = [
    [("A", hms(9, 18)), ("B", hms(9, 25))],
    [("A", hms(9, 33)), ("B", hms(9, 40))],
    [("B", hms(9, 42)), ("D", hms(9, 47))],
    [("B", hms(9, 57)), ("D", hms(10, 2))],
]


WALK_4_KM_MIN = 4000 * 1.3 / 70
Rule = tuple[str, str, TransferType, int | None]


def change_minutes(
    change_s: int = 120,
    rules: list[Rule] | None = None,
    trips: list[list[tuple[str, int]]] = CHANGE_TRIPS,
) -> float:
    home = at(-4000.0, 0.0)
    origins = (np.array([home.lon]), np.array([home.lat]))
    timetable = timetable_of(CHANGE_STOPS, trips, rules or [])
    return float(door_to_door_minutes(timetable, origins, TARGET, hms(9, 55), change_s=change_s)[0])


@pytest.mark.parametrize(
    ("change_s", "minutes"),
    [
        (60, 27.0),  # the 09:33 bus, 2 minutes at B, home left at 09:28
        (120, 27.0),  # exactly the minimum change time is enough
        (121, 42.0),  # one second short: the 09:18 bus, home left at 09:13
        (900, 42.0),
        (1021, WALK_4_KM_MIN),  # no change fits: walking the 4 km
    ],
)
def test_change_between_lines(change_s: int, minutes: float) -> None:
    assert change_minutes(change_s) == pytest.approx(minutes, abs=1e-5)


def test_trip_past_midnight_of_day_before() -> None:
    # A bus of the day before at 23:58 (-120 s) runs past midnight and reaches C at
    # 00:04, so for a 00:10 start the volunteer leaves home at 23:53.
    timetable = timetable_of(STOP_XY, line_1_trips([-120]))

    assert minutes_from_home(timetable, hms(0, 10)) == pytest.approx(17.0, abs=1e-5)


def test_unsorted_connections_are_rejected() -> None:
    timetable = line_1()
    with pytest.raises(ValueError, match="sorted by departure"):
        Timetable(
            stop_lon=timetable.stop_lon,
            stop_lat=timetable.stop_lat,
            departure_stop=timetable.departure_stop[::-1],
            arrival_stop=timetable.arrival_stop[::-1],
            departure_s=timetable.departure_s[::-1],
            arrival_s=timetable.arrival_s[::-1],
            trip=timetable.trip[::-1],
        )


def test_unknown_stop_is_rejected() -> None:
    timetable = line_1()
    with pytest.raises(ValueError, match="must index the stops"):
        Timetable(
            stop_lon=timetable.stop_lon[:2],
            stop_lat=timetable.stop_lat[:2],
            departure_stop=timetable.departure_stop,
            arrival_stop=timetable.arrival_stop,
            departure_s=timetable.departure_s,
            arrival_s=timetable.arrival_s,
            trip=timetable.trip,
        )


def test_line_one_runs_twenty_buses() -> None:
    assert len(LINE_1_DEPARTURES) == 20
    assert line_1().connection_count == 40


def split_change_minutes(apart_m: float, rules: list[Rule] | None = None) -> float:
    """The change scenario with line 2 leaving from its own stop, `apart_m` north of B."""
    stops = {**CHANGE_STOPS, "B2": (-2000.0, 300.0 + apart_m)}
    trips = [
        [(("B2" if stop == "B" and number >= 2 else stop), time) for stop, time in trip]
        for number, trip in enumerate(CHANGE_TRIPS)
    ]
    home = at(-4000.0, 0.0)
    origins = (np.array([home.lon]), np.array([home.lat]))
    timetable = timetable_of(stops, trips, rules or [])
    return float(door_to_door_minutes(timetable, origins, TARGET, hms(9, 55))[0])


@pytest.mark.parametrize(
    ("apart_m", "minutes"),
    [
        (50.0, 27.0),  # a 56 s walk: the 2-minute change time still rules
        (150.0, 42.0),  # a 167 s walk misses the 09:42 from the 09:40 arrival
        (400.0, 4000 * 1.3 / 70),  # too far apart to change: walking the 4 km
    ],
)
def test_change_on_foot_between_nearby_stops(apart_m: float, minutes: float) -> None:
    assert split_change_minutes(apart_m) == pytest.approx(minutes, abs=1e-5)


def test_transfers_join_only_nearby_stops() -> None:
    points = [at(0.0, 0.0), at(0.0, 200.0), at(0.0, 600.0)]
    lon = np.array([p.lon for p in points])
    lat = np.array([p.lat for p in points])

    transfers = stop_transfers(lon, lat)

    assert [[stop for stop, _ in near] for near in transfers] == [[1], [0], []]
    assert transfers[0][0][1] == pytest.approx(200.0 * 1.3 / 70 * 60, rel=1e-3)


# Transfer rules, on the change scenario (27 minutes with the default 2-minute change).
NOT_POSSIBLE, MIN_TIME = TransferType.NOT_POSSIBLE, TransferType.MIN_TIME
TIMED, RECOMMENDED = TransferType.TIMED, TransferType.RECOMMENDED


def test_forbidden_change_at_a_stop_means_walking() -> None:
    assert change_minutes(rules=[("B", "B", NOT_POSSIBLE, None)]) == pytest.approx(
        WALK_4_KM_MIN, abs=1e-5
    )


def test_forbidden_change_falls_back_to_a_slower_route() -> None:
    # A direct bus from A at 09:05 reaches D at 09:45: home left at 09:00.
    trips = [*CHANGE_TRIPS, [("A", hms(9, 5)), ("D", hms(9, 45))]]

    assert change_minutes(trips=trips) == pytest.approx(27.0, abs=1e-5)
    assert change_minutes(rules=[("B", "B", NOT_POSSIBLE, None)], trips=trips) == pytest.approx(
        55.0, abs=1e-5
    )


def test_forbidden_change_does_not_stop_riding_through() -> None:
    rules: list[Rule] = [("B", "B", NOT_POSSIBLE, None)]
    timetable = timetable_of(STOP_XY, line_1_trips(LINE_1_DEPARTURES), rules)

    assert minutes_from_home(timetable, hms(10, 0)) == pytest.approx(15.0, abs=1e-5)


@pytest.mark.parametrize(
    ("min_s", "change_s", "minutes"),
    [
        (120, 120, 27.0),  # the 2 minutes between 09:40 and 09:42 are just enough
        (121, 120, 42.0),  # one second more misses it: the 09:18 bus
        (60, 600, 27.0),  # the rule wins over a longer default too
        (1020, 120, 42.0),
        (1021, 120, WALK_4_KM_MIN),  # no change fits: walking the 4 km
    ],
)
def test_minimum_change_time_at_a_stop(min_s: int, change_s: int, minutes: float) -> None:
    rules: list[Rule] = [("B", "B", MIN_TIME, min_s)]

    assert change_minutes(change_s, rules) == pytest.approx(minutes, abs=1e-5)


def test_timed_change_at_a_stop_takes_no_time() -> None:
    # Line 2 now leaves B at 09:40, the second the 09:33 bus arrives.
    trips = [*CHANGE_TRIPS[:2], [("B", hms(9, 40)), ("D", hms(9, 45))], CHANGE_TRIPS[3]]

    assert change_minutes(trips=trips) == pytest.approx(42.0, abs=1e-5)
    assert change_minutes(rules=[("B", "B", TIMED, None)], trips=trips) == pytest.approx(
        27.0, abs=1e-5
    )


@pytest.mark.parametrize(
    ("apart_m", "rule", "minutes"),
    [
        # Beyond 300 m only a rule with a time allows the change, in its own direction.
        (400.0, ("B", "B2", MIN_TIME, 100), 27.0),
        (400.0, ("B", "B2", MIN_TIME, 121), 42.0),
        (400.0, ("B2", "B", MIN_TIME, 100), WALK_4_KM_MIN),
        (400.0, ("B", "B2", TIMED, None), WALK_4_KM_MIN),
        (400.0, ("B", "B2", RECOMMENDED, None), WALK_4_KM_MIN),
        (400.0, ("B", "B2", NOT_POSSIBLE, None), WALK_4_KM_MIN),
        # Nearby, a rule's time replaces the walk and the default change time.
        (50.0, ("B", "B2", MIN_TIME, 200), 42.0),
        (150.0, ("B", "B2", MIN_TIME, 120), 27.0),
        (50.0, ("B", "B2", NOT_POSSIBLE, None), WALK_4_KM_MIN),
        (50.0, ("B2", "B", NOT_POSSIBLE, None), 27.0),
        (50.0, ("B", "B", NOT_POSSIBLE, None), 27.0),
        (50.0, ("B", "B2", TIMED, None), 27.0),
    ],
)
def test_transfer_rules_between_two_stops(apart_m: float, rule: Rule, minutes: float) -> None:
    assert split_change_minutes(apart_m, [rule]) == pytest.approx(minutes, abs=1e-5)


def test_rules_shape_changes_per_stop() -> None:
    nearby = [[(1, 100.0)], [(0, 100.0)], []]
    rules = [
        TransferRule(0, 1, NOT_POSSIBLE),
        TransferRule(1, 0, MIN_TIME, 30),
        TransferRule(0, 2, MIN_TIME, 400),
        TransferRule(2, 0, NOT_POSSIBLE),  # too far for a default change: nothing to forbid
        TransferRule(1, 1, TIMED),
        TransferRule(2, 2, MIN_TIME, 90),
    ]

    onto, at_stop = apply_transfer_rules(nearby, rules)

    assert onto == (
        ((1, 100.0, 30.0),),
        ((0, 100.0, float("inf")),),
        ((0, float("inf"), 400.0),),
    )
    assert np.isnan(at_stop[0])
    assert at_stop[1:].tolist() == [0.0, 90.0]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (TransferRule(0, 3, NOT_POSSIBLE), "must index the stops"),
        (TransferRule(-1, 0, NOT_POSSIBLE), "must index the stops"),
        (TransferRule(0, 1, MIN_TIME), "invalid min_s None"),
        (TransferRule(0, 1, MIN_TIME, -5), "invalid min_s -5"),
    ],
)
def test_invalid_rules_are_rejected(rule: TransferRule, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        apply_transfer_rules([[], [], []], [rule])
