"""Transit-time limits checked on a timetable, with the estimate where none applies."""

from dataclasses import replace

import numpy as np
import pytest

from routing.assignment_index import build_index
from routing.assignment_types import LeftOutReason, TravelMode, VolunteerInput, WeeklySlot
from routing.transit_reach import build_transit_table
from routing.transit_table import TransitTable
from tests.routing.assignment_checks import make_problem, reasons, session, solve, volunteer
from tests.routing.transit_sample import HOME, SERVICE_DAY, line_1

MORNINGS = tuple(WeeklySlot(weekday=d, start_minute=9 * 60, end_minute=13 * 60) for d in (0, 1))


def rider(vid: int, minutes: int, **options: object) -> VolunteerInput:
    """Return a volunteer living 2 km west of the town hall, going by public transport."""
    base = volunteer(
        vid,
        slots=MORNINGS,
        max_travel_minutes=minutes,
        travel_mode=TravelMode.TRANSIT,
        **options,  # type: ignore[arg-type]
    )
    return replace(base, home=HOME)


MONDAY_10 = session(1, start="10:00", day=0, min_volunteers=1)
TUESDAY_10 = session(2, start="10:00", day=1, min_volunteers=1)  # no timetable that day


def table_for(volunteers: list[VolunteerInput]) -> TransitTable:
    table = build_transit_table({SERVICE_DAY: line_1()}, volunteers, [MONDAY_10, TUESDAY_10])
    assert table is not None
    return table


def candidate_distances(volunteers: list[VolunteerInput]) -> dict[tuple[int, int], int]:
    problem = make_problem(volunteers, [MONDAY_10, TUESDAY_10], transit_table=table_for(volunteers))
    candidates = build_index(problem).candidates
    return {
        (problem.volunteers[v].id, problem.sessions[s].id): int(d)
        for v, s, d in zip(
            candidates.volunteer.tolist(),
            candidates.session.tolist(),
            candidates.distance_m.tolist(),
            strict=True,
        )
    }


def test_table_holds_scan_minutes_and_nan_without_service() -> None:
    walker = replace(volunteer(3, slots=MORNINGS, max_travel_minutes=30), home=HOME)
    table = table_for([rider(1, 20), walker])

    assert table.minutes[0, 0] == pytest.approx(15.0, abs=1e-4)
    assert np.isnan(table.minutes[0, 1])
    assert np.isnan(table.minutes[1]).all()


def test_twenty_minutes_keeps_the_bus_at_its_time() -> None:
    # 15 minutes door to door count as 15 x 250 m, the estimate's speed.
    assert candidate_distances([rider(1, 20)]) == {(1, 1): 3750, (1, 2): 2000}


def test_fifteen_minutes_is_enough() -> None:
    assert candidate_distances([rider(1, 15)]) == {(1, 1): 3750, (1, 2): 2000}


def test_ten_minutes_refused_by_timetable() -> None:
    # On Tuesday there is no timetable: 10 minutes at 15 km/h reach 2,500 m >= 2,000 m.
    assert candidate_distances([rider(1, 10)]) == {(1, 2): 2000}


def test_without_table_the_estimate_keeps_both() -> None:
    problem = make_problem([rider(1, 10)], [MONDAY_10, TUESDAY_10])
    candidates = build_index(problem).candidates

    assert candidates.session.tolist() == [0, 1]
    assert candidates.distance_m.tolist() == [2000, 2000]


def test_estimate_limit_still_applies_without_service() -> None:
    # 7 minutes: 1,750 m by the estimate, short of the 2,000 m on Tuesday.
    assert candidate_distances([rider(1, 7)]) == {}


def test_distance_limit_still_applies_with_timetable() -> None:
    assert candidate_distances([rider(1, 20, max_distance_m=1500)]) == {}


def test_refused_by_timetable_is_travel_too_long() -> None:
    volunteers = [rider(1, 10)]
    table = build_transit_table({SERVICE_DAY: line_1()}, volunteers, [MONDAY_10])
    plan = solve(volunteers, [MONDAY_10], transit_table=table, team_size=1)

    assert plan.placements == ()
    assert reasons(plan) == {1: LeftOutReason.TRAVEL_TOO_LONG}


def test_timetable_places_volunteer_in_time() -> None:
    volunteers = [rider(1, 20)]
    table = build_transit_table({SERVICE_DAY: line_1()}, volunteers, [MONDAY_10])
    plan = solve(volunteers, [MONDAY_10], transit_table=table, team_size=1)

    assert [(p.volunteer_id, p.session_id) for p in plan.placements] == [(1, 1)]


def test_lock_beyond_timetable_counts_its_minutes() -> None:
    assert candidate_distances([rider(1, 10, locks=(1,))]) == {(1, 1): 3750, (1, 2): 2000}


def test_no_table_without_riders_or_service() -> None:
    walker = replace(volunteer(3, slots=MORNINGS, max_travel_minutes=30), home=HOME)

    assert build_transit_table({SERVICE_DAY: line_1()}, [walker], [MONDAY_10]) is None
    assert build_transit_table({SERVICE_DAY: line_1()}, [rider(1, 20)], [TUESDAY_10]) is None


def test_table_shape_must_match_problem() -> None:
    table = TransitTable(np.zeros((2, 2), dtype=np.float32))
    with pytest.raises(ValueError, match="transit_table must have shape"):
        make_problem([rider(1, 20)], [MONDAY_10], transit_table=table)
