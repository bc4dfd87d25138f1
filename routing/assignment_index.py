"""The assignment problem as arrays: candidate pairs, session values, volunteer limits.

A candidate is a (volunteer, session) pair that passes the availability and travel
tests, or that a coordinator locked. The flow, the repair and the CP-SAT model all work
on candidate indices, and candidates are sorted by volunteer, then session.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from routing.assignment_availability import Interval, horizon_intervals
from routing.assignment_commitments import WeekCaps, week_caps, without_commitments
from routing.assignment_spatial import haversine_array_m, nearby_pairs
from routing.assignment_timing import Timeline, build_timeline, clique_partition
from routing.assignment_travel import (
    TRANSIT_SPEED_M_PER_MIN,
    TravelLimit,
    check_by_timetable,
    check_on_streets,
    transit_budget_minutes,
    travel_limit,
    walking_budget_m,
)
from routing.assignment_types import (
    AssignmentProblem,
    DatedException,
    SessionInput,
    WeeklySlot,
)
from routing.assignment_weights import PlanningWeights

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Candidates:
    """Candidate pairs, sorted by volunteer index then session index.

    `points` is what the pair itself adds to the objective: the stability bonus if the
    previous plan had it, minus the travel cost. `speaks` tells whether the volunteer
    speaks a language the session's IRIS needs.
    """

    volunteer: IntArray
    session: IntArray
    distance_m: IntArray
    is_locked: BoolArray
    is_previous: BoolArray
    speaks: BoolArray
    points: IntArray

    def __len__(self) -> int:
        return len(self.volunteer)


@dataclass(frozen=True, slots=True)
class PlanningIndex:
    """Arrays over volunteers (by position in the problem) and sessions (likewise).

    `team_points` is what one team earns on a session, and `opening` the fewest volunteers
    that open it (whole teams, at least its minimum), which exceeds `maximum` when it
    can never open. `group` splits sessions into groups that clash pairwise. Friends
    count as kept apart only on `partner_shared` sessions, which both could join.
    `volunteer_start[v]:volunteer_start[v + 1]` are volunteer v's candidates.
    `weekly_cap` is each volunteer's own cap, and `week_caps` what their commitments
    leave of it in each week. `intervals` are the free intervals without the windows
    the commitments block.
    """

    problem: AssignmentProblem
    timeline: Timeline
    group: IntArray
    team_points: IntArray
    opening: IntArray
    minimum: IntArray
    maximum: IntArray
    needs_language: BoolArray
    experienced: BoolArray
    weekly_cap: IntArray
    week_caps: WeekCaps
    limits: tuple[TravelLimit, ...]
    intervals: tuple[tuple[Interval, ...], ...]
    candidates: Candidates
    volunteer_start: IntArray
    partners: tuple[tuple[int, int], ...]
    partner_shared: tuple[frozenset[int], ...]  # sessions both friends of a pair could join

    @property
    def weights(self) -> PlanningWeights:
        return self.problem.weights

    @property
    def volunteer_count(self) -> int:
        return len(self.problem.volunteers)

    @property
    def session_count(self) -> int:
        return len(self.problem.sessions)

    def find(self, volunteer: IntArray, session: IntArray) -> IntArray:
        """Return the candidate index of each (volunteer, session) pair, -1 if none."""
        keys = self.candidates.volunteer * self.session_count + self.candidates.session
        wanted = volunteer * self.session_count + session
        if len(keys) == 0:
            return np.full(len(wanted), -1, dtype=np.int64)
        position = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        result: IntArray = np.where(keys[position] == wanted, position, -1)
        return result


def opening_size(session: SessionInput, team_size: int) -> int:
    """Return the fewest volunteers that open a session: whole teams, at least its minimum."""
    needed = max(session.min_volunteers, 1)
    return -(-needed // team_size) * team_size


def team_points(session: SessionInput, weights: PlanningWeights) -> int:
    """Return the points one team earns on the session (team weight plus target score)."""
    return weights.team + round(weights.target_score * session.weight)


def travel_points(distance_m: int, weights: PlanningWeights) -> int:
    """Return the points lost by one trip of `distance_m` metres (whole points, floored)."""
    return weights.travel * distance_m // 1000


def build_index(problem: AssignmentProblem) -> PlanningIndex:
    """Work out every candidate pair and the arrays the solvers share."""
    sessions = problem.sessions
    volunteers = problem.volunteers
    weights = problem.weights
    timeline = build_timeline(sessions)
    on_streets = problem.walking_table is not None
    by_timetable = problem.transit_table is not None
    limits = tuple(
        travel_limit(v, problem.max_distance_m, on_streets=on_streets, by_timetable=by_timetable)
        for v in volunteers
    )
    intervals = _all_intervals(problem, timeline)
    candidates, over_time = _candidates(problem, timeline, limits, intervals)
    # A volunteer who lost a session to the walk along the streets or to the timetable
    # gets the travel-time reason, even when their distance limit is the shorter radius.
    limits = tuple(
        replace(lim, is_time_based=True) if i in over_time else lim for i, lim in enumerate(limits)
    )
    starts = np.searchsorted(candidates.volunteer, np.arange(len(volunteers) + 1)).astype(np.int64)
    partners = _partner_pairs(problem)
    own_caps = [
        problem.max_sessions_per_week
        if v.max_sessions_per_week is None
        else min(v.max_sessions_per_week, problem.max_sessions_per_week)
        for v in volunteers
    ]
    return PlanningIndex(
        problem=problem,
        timeline=timeline,
        group=clique_partition(timeline, problem.rest_minutes),
        team_points=np.array([team_points(s, weights) for s in sessions], dtype=np.int64),
        opening=np.array([opening_size(s, problem.team_size) for s in sessions], dtype=np.int64),
        minimum=np.array([s.min_volunteers for s in sessions], dtype=np.int64),
        maximum=np.array([s.max_volunteers for s in sessions], dtype=np.int64),
        needs_language=np.array([bool(s.languages) for s in sessions], dtype=np.bool_),
        experienced=np.array([v.is_experienced for v in volunteers], dtype=np.bool_),
        weekly_cap=np.array(own_caps, dtype=np.int64),
        week_caps=week_caps(volunteers, timeline, own_caps),
        limits=limits,
        intervals=intervals,
        candidates=candidates,
        volunteer_start=starts,
        partners=partners,
        partner_shared=tuple(
            frozenset(_sessions_of(candidates, starts, a) & _sessions_of(candidates, starts, b))
            for a, b in partners
        ),
    )


def _sessions_of(candidates: Candidates, starts: IntArray, v: int) -> set[int]:
    return set(candidates.session[starts[v] : starts[v + 1]].tolist())


def _all_intervals(
    problem: AssignmentProblem, timeline: Timeline
) -> tuple[tuple[Interval, ...], ...]:
    # Many volunteers share a weekly grid, so grids without exceptions are worked out once.
    cache: dict[tuple[WeeklySlot, ...], tuple[Interval, ...]] = {}
    last_day = timeline.day_count
    result: list[tuple[Interval, ...]] = []
    for volunteer in problem.volunteers:
        relevant: tuple[DatedException, ...] = tuple(
            e for e in volunteer.exceptions if 0 <= (e.on_date - timeline.first_day).days < last_day
        )
        if relevant:
            free = tuple(
                horizon_intervals(volunteer.availability, relevant, timeline.first_day, last_day)
            )
        else:
            key = volunteer.availability
            if key not in cache:
                cache[key] = tuple(horizon_intervals(key, (), timeline.first_day, last_day))
            free = cache[key]
        result.append(without_commitments(free, volunteer, timeline, problem.rest_minutes))
    return tuple(result)


def covered_mask(
    intervals: Sequence[Sequence[Interval]],
    volunteer: IntArray,
    start: IntArray,
    end: IntArray,
) -> BoolArray:
    """Tell, for each (volunteer, window) row, whether one free interval contains it."""
    owner = np.fromiter((v for v, own in enumerate(intervals) for _ in own), dtype=np.int64)
    low = np.fromiter((a for own in intervals for a, _ in own), dtype=np.int64)
    high = np.fromiter((b for own in intervals for _, b in own), dtype=np.int64)
    if len(owner) == 0 or len(volunteer) == 0:
        return np.zeros(len(volunteer), dtype=np.bool_)
    span = int(max(high.max(), start.max())) + 1
    keys = owner * span + low  # sorted: intervals are in volunteer order, then by start
    position = np.searchsorted(keys, volunteer * span + start, side="right") - 1
    safe = np.maximum(position, 0)
    result: BoolArray = (position >= 0) & (owner[safe] == volunteer) & (high[safe] >= end)
    return result


def _candidates(
    problem: AssignmentProblem,
    timeline: Timeline,
    limits: Sequence[TravelLimit],
    intervals: Sequence[Sequence[Interval]],
) -> tuple[Candidates, frozenset[int]]:
    """Return the candidate pairs, and the volunteers who lost a pair to the streets or
    to the timetable."""
    volunteers = problem.volunteers
    sessions = problem.sessions
    home_lon = np.array([v.home.lon if v.home else 0.0 for v in volunteers], dtype=np.float64)
    home_lat = np.array([v.home.lat if v.home else 0.0 for v in volunteers], dtype=np.float64)
    radius = np.array(
        [
            float(lim.radius_m) if v.home else -1.0
            for v, lim in zip(volunteers, limits, strict=True)
        ],
        dtype=np.float64,
    )
    point_lon = np.array([s.meeting_point.lon for s in sessions], dtype=np.float64)
    point_lat = np.array([s.meeting_point.lat for s in sessions], dtype=np.float64)
    near = nearby_pairs(home_lon, home_lat, radius, point_lon, point_lat)
    free = covered_mask(intervals, near.home, timeline.start[near.point], timeline.end[near.point])
    volunteer = near.home[free]
    session = near.point[free]
    metres = near.distance_m[free]
    over_time: frozenset[int] = frozenset()
    if problem.walking_table is not None:
        check = check_on_streets(problem.walking_table, limits, (volunteer, session), metres)
        volunteer, session = volunteer[check.kept], session[check.kept]
        metres = check.distance_m[check.kept]
        over_time = frozenset(check.over_time.tolist())
    if problem.transit_table is not None:
        ride = check_by_timetable(problem.transit_table, limits, (volunteer, session), metres)
        volunteer, session = volunteer[ride.kept], session[ride.kept]
        metres = ride.distance_m[ride.kept]
        over_time = over_time | frozenset(ride.over_time.tolist())
    distance = np.rint(metres).astype(np.int64)
    kept = ~_declined(problem, volunteer, session)
    volunteer, session, distance = volunteer[kept], session[kept], distance[kept]
    locked = np.zeros(len(volunteer), dtype=np.bool_)
    volunteer, session, distance, locked = _with_locks(
        problem, (volunteer, session, distance, locked), (home_lon, home_lat, point_lon, point_lat)
    )
    previous = _previous_pairs(problem, volunteer, session)
    speaks = _speaks(problem, volunteer, session)
    weights = problem.weights
    points = weights.stability * previous.astype(np.int64) - weights.travel * distance // 1000
    candidates = Candidates(
        volunteer=volunteer,
        session=session,
        distance_m=distance,
        is_locked=locked,
        is_previous=previous,
        speaks=speaks,
        points=points,
    )
    return candidates, over_time


def _with_locks(
    problem: AssignmentProblem,
    arrays: tuple[IntArray, IntArray, IntArray, BoolArray],
    coordinates: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
) -> tuple[IntArray, IntArray, IntArray, BoolArray]:
    """Mark locked pairs, adding those that failed the tests: a lock overrides them.

    A coordinator who pinned a volunteer outside their slots or travel limit has agreed
    it with them. A volunteer without a home counts 0 m of travel. A volunteer with a
    walking-time limit counts the walk in the walking table where it is finite, and one
    with a transit-time limit the transit table's minutes at 15 km/h where it has them.
    """
    volunteer, session, distance, locked = arrays
    home_lon, home_lat, point_lon, point_lat = coordinates
    session_index = {s.id: j for j, s in enumerate(problem.sessions)}
    lock_v: list[int] = []
    lock_s: list[int] = []
    for i, v in enumerate(problem.volunteers):
        for session_id in sorted(set(v.locked_session_ids)):
            lock_v.append(i)
            lock_s.append(session_index[session_id])
    if not lock_v:
        return volunteer, session, distance, locked
    count = len(problem.sessions)
    wanted_v = np.array(lock_v, dtype=np.int64)
    wanted_s = np.array(lock_s, dtype=np.int64)
    keys = volunteer * count + session
    wanted = wanted_v * count + wanted_s
    present = np.isin(wanted, keys)
    locked = np.isin(keys, wanted)
    missing_v, missing_s = wanted_v[~present], wanted_s[~present]
    has_home = np.array([v.home is not None for v in problem.volunteers], dtype=np.bool_)
    metres = haversine_array_m(
        home_lon[missing_v], home_lat[missing_v], point_lon[missing_s], point_lat[missing_s]
    )
    if problem.walking_table is not None:
        walkers = np.array(
            [walking_budget_m(v) is not None for v in problem.volunteers], dtype=np.bool_
        )
        walked = problem.walking_table.metres[missing_v, missing_s].astype(np.float64)
        metres = np.where(walkers[missing_v] & np.isfinite(walked), walked, metres)
    if problem.transit_table is not None:
        riders = np.array(
            [transit_budget_minutes(v) is not None for v in problem.volunteers], dtype=np.bool_
        )
        rode = problem.transit_table.minutes[missing_v, missing_s].astype(np.float64)
        metres = np.where(
            riders[missing_v] & np.isfinite(rode), rode * TRANSIT_SPEED_M_PER_MIN, metres
        )
    metres = np.where(has_home[missing_v], metres, 0.0)
    volunteer = np.concatenate([volunteer, missing_v])
    session = np.concatenate([session, missing_s])
    distance = np.concatenate([distance, np.rint(metres).astype(np.int64)])
    locked = np.concatenate([locked, np.ones(len(missing_v), dtype=np.bool_)])
    order = np.lexsort((session, volunteer))
    return volunteer[order], session[order], distance[order], locked[order]


def _declined(problem: AssignmentProblem, volunteer: IntArray, session: IntArray) -> BoolArray:
    """Mark the pairs a volunteer declined, except those a lock brings back."""
    session_index = {s.id: j for j, s in enumerate(problem.sessions)}
    count = len(problem.sessions)
    wanted = [
        i * count + session_index[sid]
        for i, v in enumerate(problem.volunteers)
        for sid in set(v.declined_session_ids) - set(v.locked_session_ids)
    ]
    if not wanted:
        return np.zeros(len(volunteer), dtype=np.bool_)
    result: BoolArray = np.isin(volunteer * count + session, np.array(wanted, dtype=np.int64))
    return result


def _previous_pairs(
    problem: AssignmentProblem, volunteer: IntArray, session: IntArray
) -> BoolArray:
    session_index = {s.id: j for j, s in enumerate(problem.sessions)}
    count = len(problem.sessions)
    wanted = [
        i * count + session_index[sid]
        for i, v in enumerate(problem.volunteers)
        for sid in set(v.previous_session_ids)
    ]
    if not wanted:
        return np.zeros(len(volunteer), dtype=np.bool_)
    result: BoolArray = np.isin(volunteer * count + session, np.array(wanted, dtype=np.int64))
    return result


def _speaks(problem: AssignmentProblem, volunteer: IntArray, session: IntArray) -> BoolArray:
    result = np.zeros(len(volunteer), dtype=np.bool_)
    needing = np.array([bool(s.languages) for s in problem.sessions], dtype=np.bool_)
    if len(session) == 0 or not needing.any():
        return result
    for position in np.flatnonzero(needing[session]).tolist():
        spoken = problem.volunteers[int(volunteer[position])].languages
        result[position] = bool(spoken & problem.sessions[int(session[position])].languages)
    return result


def _partner_pairs(problem: AssignmentProblem) -> tuple[tuple[int, int], ...]:
    position = {v.id: i for i, v in enumerate(problem.volunteers)}
    pairs = {
        (min(i, position[v.partner_id]), max(i, position[v.partner_id]))
        for i, v in enumerate(problem.volunteers)
        if v.partner_id is not None
    }
    return tuple(sorted(pairs))
