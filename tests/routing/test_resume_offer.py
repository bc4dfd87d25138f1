"""Doors a resumed walk has no time for, offered to the other walks on a hand-made street."""

from collections.abc import Sequence

import pytest

from routing import resume, resume_offer
from routing.geo import GeoPoint
from routing.resume import resume_walks, walk_from
from routing.resume_offer import offer_dropped
from routing.route_types import Door, PlannedRoute, TurfProblem
from routing.streets import StreetGraph, StreetWay, build_street_graph
from routing.turf import plan_turf
from tests.routing.test_resume import at, door, route

MEETING = at(0, 0)


@pytest.fixture(scope="module")
def street() -> StreetGraph:
    """One straight 2 km street running east, with the meeting point at its middle."""
    coords = ((at(-1000, 0).lon, 0.0), (at(1000, 0).lon, 0.0))
    return build_street_graph([StreetWay("w1", "Grande Rue", "residential", coords)])


def session(doors: Sequence[Door], *, teams: int, max_minutes: int) -> TurfProblem:
    """Return the doors left, shared by ``teams`` teams with ``max_minutes`` left."""
    return TurfProblem(
        MEETING,
        tuple(doors),
        team_count=teams,
        max_minutes=max_minutes,
        time_limit_s=1.0,
        solution_limit=20,
    )


def assert_walks_keep_the_rules(
    problem: TurfProblem,
    starts: Sequence[GeoPoint | None],
    walks: Sequence[PlannedRoute],
    out_of_time: Sequence[int],
) -> None:
    """Each door is on one walk or out of time, and each walk fits the minutes left."""
    placed = [door_id for walk in walks for door_id in walk.door_ids]
    assert len(placed) == len(set(placed))
    assert sorted([*placed, *out_of_time]) == sorted(d.address_id for d in problem.doors)
    dwellings = {d.address_id: d.dwellings for d in problem.doors}
    for start, walk in zip(starts, walks, strict=True):
        if not walk.door_ids:
            continue
        walking = walk.length_m / problem.walking_speed_m_per_min
        at_doors = sum(dwellings[d] for d in walk.door_ids) * problem.minutes_per_dwelling
        assert walk.total_minutes == pytest.approx(walking + at_doors)
        assert walk.total_minutes <= problem.max_minutes
        assert walk.path[0] == (MEETING if start is None else start)
        assert walk.path[-1] == problem.finish


# Team 0 is 900 m east with three doors on its way home, team 1 at 200 m east with one
# door at 100 and team 2 at 350 m east with one door at 300. Each team is nearest to its
# own route's doors.
EAST = (door(10, 800), door(11, 600), door(12, 400))
STARTS = (at(900, 5), at(200, 5), at(350, 5))
ROUTES = (route(0, 10, 11, 12), route(1, 20), route(2, 30))


def test_dropped_door_goes_to_cheapest_team(street: StreetGraph) -> None:
    problem = session((*EAST, door(20, 100), door(30, 300)), teams=3, max_minutes=16)

    walks, out_of_time = resume_walks(street, problem, STARTS, ROUTES)

    # Team 0 walks 905 m home, past all three doors: 12.9 min and 4.5 at the doors is
    # more than 16, so the door at 400 m is cut. Team 2 takes it on its way, for 100 m
    # more (455 m, 9.5 min); team 1 would walk 400 m more.
    assert [walk.door_ids for walk in walks] == [(10, 11), (20,), (12, 30)]
    assert out_of_time == ()
    assert [walk.length_m for walk in walks] == [905, 205, 455]
    assert walks[0].total_minutes == pytest.approx(905 / 70 + 3.0)
    assert walks[2].total_minutes == pytest.approx(455 / 70 + 3.0)
    assert walks[2].team == 2
    assert_walks_keep_the_rules(problem, STARTS, walks, out_of_time)


def test_dropped_door_goes_to_team_with_room(street: StreetGraph) -> None:
    # Team 2's door has 6 dwellings: its walk takes 5.1 + 9 = 14.1 min, and with the
    # door at 400 m it would take 6.5 + 10.5 = 17 min.
    problem = session((*EAST, door(20, 100), door(30, 300, dwellings=6)), teams=3, max_minutes=16)

    walks, out_of_time = resume_walks(street, problem, STARTS, ROUTES)

    # Team 1 goes out to 400 m first, then back past its own door: 605 m, 11.6 min.
    assert [walk.door_ids for walk in walks] == [(10, 11), (12, 20), (30,)]
    assert out_of_time == ()
    assert [walk.length_m for walk in walks] == [905, 605, 355]
    assert walks[1].total_minutes == pytest.approx(605 / 70 + 3.0)
    assert walks[1].path[0] == at(200, 5)
    assert_walks_keep_the_rules(problem, STARTS, walks, out_of_time)


def test_door_fitting_no_team_is_out_of_time(street: StreetGraph) -> None:
    # The door at 400 m has 6 dwellings (9 min). Team 1 would walk 605 m with it,
    # 8.6 + 10.5 = 19.1 min, and team 2 455 m, 6.5 + 10.5 = 17 min, both over 16.
    problem = session(
        (door(10, 800), door(11, 600), door(12, 400, dwellings=6), door(20, 100), door(30, 300)),
        teams=3,
        max_minutes=16,
    )

    walks, out_of_time = resume_walks(street, problem, STARTS, ROUTES)

    assert [walk.door_ids for walk in walks] == [(10, 11), (20,), (30,)]
    assert out_of_time == (12,)
    assert [walk.length_m for walk in walks] == [905, 205, 355]
    assert_walks_keep_the_rules(problem, STARTS, walks, out_of_time)


def test_cut_walk_takes_back_a_door_it_passes(street: StreetGraph) -> None:
    # From 300 m east: 500, 200 (4 dwellings) and 100, 705 m and 9 min at the doors.
    # Cut after 500, the walk home still passes 100: that door adds no metre and fits
    # (705 m, 13.1 min), the one at 200 (6 min) does not.
    problem = session(
        (door(3, 500), door(2, 200, dwellings=4), door(1, 100)), teams=1, max_minutes=16
    )
    start = at(300, 5)

    walks, out_of_time = resume_walks(street, problem, [start], [route(0, 3, 2, 1)])

    assert walks[0].door_ids == (3, 1)
    assert walks[0].length_m == 705
    assert walks[0].total_minutes == pytest.approx(705 / 70 + 3.0)
    assert out_of_time == (2,)
    assert_walks_keep_the_rules(problem, [start], walks, out_of_time)


def test_team_not_started_takes_a_dropped_door(street: StreetGraph) -> None:
    problem = session((*EAST, door(20, 100)), teams=2, max_minutes=16)
    # Team 1 has not started: its planned walk goes from the meeting point to 100 and
    # back, 210 m.
    planned, _ = walk_from(
        TurfProblem(MEETING, (door(20, 100),), team_count=1, max_minutes=16, end_point=MEETING),
        street,
        team=1,
    )
    starts = [at(900, 5), None]

    walks, out_of_time = resume_walks(street, problem, starts, [route(0, 10, 11, 12), planned])

    # The door at 400 adds 600 m whichever way round: out to 400 first, the tie's first.
    assert walks[1].door_ids == (12, 20)
    assert walks[1].length_m == 810
    assert walks[1].total_minutes == pytest.approx(810 / 70 + 3.0)
    assert out_of_time == ()
    assert_walks_keep_the_rules(problem, starts, walks, out_of_time)


def test_team_out_without_doors_takes_a_dropped_door(street: StreetGraph) -> None:
    # Team 1 is out at 450 m east but its route is empty: the door at 400 m makes it a
    # walk of 50 + 405 m.
    problem = session(EAST, teams=2, max_minutes=16)
    starts = [at(900, 5), at(450, 5)]

    walks, out_of_time = resume_walks(street, problem, starts, [route(0, 10, 11, 12), route(1)])

    assert [walk.door_ids for walk in walks] == [(10, 11), (12,)]
    assert walks[1].length_m == 455
    assert walks[1].path[0] == at(450, 5)
    assert out_of_time == ()
    assert_walks_keep_the_rules(problem, starts, walks, out_of_time)


def reverse_walk(cost: object, walk: tuple[int, ...], problem: TurfProblem) -> tuple[int, ...]:
    """Stand in for the walk search with a reorder that may well be longer."""
    return walk[::-1]


def test_reordered_walk_is_kept_when_it_fits(
    street: StreetGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resume_offer, "polish_resumed", reverse_walk)
    problem = session((*EAST, door(20, 100), door(30, 300)), teams=3, max_minutes=16)

    walks, _ = resume_walks(street, problem, STARTS, ROUTES)

    # From 350 m east to 300 first, then 400 and home: 50 + 100 + 405 m, 10.9 min.
    assert walks[2].door_ids == (30, 12)
    assert walks[2].length_m == 555


def test_reorder_too_long_is_undone(street: StreetGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resume_offer, "polish_resumed", reverse_walk)
    problem = session(
        (door(3, 500), door(2, 200, dwellings=4), door(1, 100)), teams=1, max_minutes=16
    )

    walks, out_of_time = resume_walks(street, problem, [at(300, 5)], [route(0, 3, 2, 1)])

    # From 300 m east to 100 first, then 500 and home: 1,105 m, 18.8 min.
    assert walks[0].door_ids == (3, 1)
    assert walks[0].length_m == 705
    assert out_of_time == (2,)


def test_offer_without_dropped_doors_changes_nothing(street: StreetGraph) -> None:
    problem = session(EAST, teams=1, max_minutes=60)
    walk = route(0, 10, 11, 12)

    assert offer_dropped(street, problem, [None], [walk], []) == ([walk], ())


def test_offered_doors_leave_fewer_out_of_time(
    street: StreetGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 24 doors every 75 m, of 1 to 3 dwellings, are planned for three teams with 20 min
    # each. Then team 0 is out 600 m east, team 1 600 m west, and team 2 has not started.
    doors = [door(k, -862.5 + 75 * k, dwellings=1 + k % 3) for k in range(24)]
    problem = session(doors, teams=3, max_minutes=20)
    plan = plan_turf(street, problem)
    starts = [at(600, 5), at(-600, 5), None]
    cut: list[int] = []
    real_walk_from = resume.walk_from

    def spy(
        problem: TurfProblem, graph: StreetGraph, *, team: int
    ) -> tuple[PlannedRoute, tuple[int, ...]]:
        walk, late = real_walk_from(problem, graph, team=team)
        cut.extend(late)
        return walk, late

    monkeypatch.setattr(resume, "walk_from", spy)

    walks, out_of_time = resume_walks(street, problem, starts, plan.routes)

    assert cut
    assert set(out_of_time) < set(cut)
    left_out = [*out_of_time, *plan.unvisited_door_ids]
    assert_walks_keep_the_rules(problem, starts, walks, left_out)
