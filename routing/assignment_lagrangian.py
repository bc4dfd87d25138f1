"""A tighter bound: split the assignment into a volunteer side and a session side.

The flow bound is weak because it spreads a team's points over its members and so
lets a session earn them with one volunteer. Here every candidate is copied, once on
the volunteer side and once on the session side, and a price per candidate stands for
the rule that both copies agree (Lagrangian decomposition). With the agreement dropped,
each side solves exactly and fast for any prices:

- volunteer side: each volunteer takes the candidates whose price plus own points pay,
  at most one per clash group and week, at most the weekly cap per week, while each
  one beyond the first still pays its fairness step;
- session side: each session takes no candidate, or a whole number of teams between its
  opening size and its maximum, the cheapest candidates first, and earns the teams'
  points and the opening bonus minus the prices it takes.

Both sides together are an upper bound on every plan's objective whatever the prices,
because every plan is a choice both sides could make. The soft team rules are priced
per session: w * max(0, teams - experienced) is at least p * (teams - experienced) for
any price p in [0, w], so the product keeps the bound valid. The friend rule is a
penalty, so leaving it out keeps the bound valid too.
A subgradient step moves the prices towards agreement after each solve: a candidate
the volunteers take and the session does not becomes cheaper for the volunteer side.
The sides split by part, so each part keeps its own lowest value and step size.

The session side also suggests which sessions to open: the flow forced to open those
sessions, then repaired, gives another plan.
"""

import math
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.assignment_components import Components
from routing.assignment_index import PlanningIndex
from routing.assignment_locks import LockState

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

# Rounds without a lower value in a part before its step halves.
PATIENCE = 5
# A part stops when its step falls below this share of the first one.
LAST_STEP = 1e-2
# Float sums of these values may be a few units in the last place off.
ROUNDING_SLACK = 1e-3


@dataclass(frozen=True, slots=True)
class LagrangianOutcome:
    """Per part, the lowest value found (`NO_BOUND` where the part was left out), and the
    sessions the session side opened at the last prices."""

    bounds: IntArray
    opened: BoolArray
    rounds: int


NO_BOUND = np.iinfo(np.int64).max


@dataclass(frozen=True, slots=True)
class _Side:
    """The candidates of the decomposition, in their own order, with their sort keys."""

    candidate: IntArray  # index into the planning index's candidates
    volunteer: IntArray
    session: IntArray
    slot: IntArray  # one value per (volunteer, clash group, week), ascending
    week_key: IntArray  # one value per (volunteer, week)
    week_cap: IntArray  # the sessions the volunteer may take in that week
    part: IntArray
    points: FloatArray
    experienced: FloatArray
    speaks: FloatArray


def lagrangian_bounds(
    index: PlanningIndex,
    locks: LockState,
    parts: Components,
    floors: IntArray,
    deadline: float,
) -> LagrangianOutcome:
    """Lower each part's bound by subgradient rounds until the deadline or convergence.

    `floors` are the scores of known plans per part: the step size aims at them. Parts
    with a lock are left out, since a lock forces a pair on both sides.
    """
    side = _side(index, locks, parts)
    bounds = np.full(parts.count, NO_BOUND, dtype=np.int64)
    opened = np.zeros(index.session_count, dtype=np.bool_)
    if not len(side.candidate):
        return LagrangianOutcome(bounds, opened, 0)
    search = _Search(index, side, parts.count)
    lowest = np.full(parts.count, math.inf)
    step = np.ones(parts.count)
    stall = np.zeros(parts.count, dtype=np.int64)
    rounds = 0
    while time.perf_counter() < deadline and (step >= LAST_STEP).any():
        taken, volunteer_value = search.volunteer_side()
        chosen, session_value, teams = search.session_side()
        value = volunteer_value + session_value
        improved = value < lowest - 0.5
        lowest = np.minimum(lowest, value)
        stall = np.where(improved, 0, stall + 1)
        step = np.where(stall >= PATIENCE, step / 2, step)
        stall[stall >= PATIENCE] = 0
        search.move_prices(taken, chosen, teams, step * np.maximum(value - floors, 1.0))
        opened = teams > 0
        rounds += 1
    # Parts left out score zero on both sides, which bounds nothing.
    found = (np.bincount(side.part, minlength=parts.count) > 0) & np.isfinite(lowest)
    bounds[found] = np.floor(lowest[found] + ROUNDING_SLACK).astype(np.int64)
    return LagrangianOutcome(bounds, opened, rounds)


def _side(index: PlanningIndex, locks: LockState, parts: Components) -> _Side:
    cand = index.candidates
    locked_part = np.zeros(parts.count, dtype=np.bool_)
    locked_part[parts.of_candidate[cand.is_locked | locks.blocked]] = True
    keep = np.flatnonzero(~locked_part[parts.of_candidate])
    weeks = index.timeline.week_count + 1
    groups = int(index.group.max(initial=0)) + 1
    slot = (cand.volunteer * groups + index.group[cand.session]) * weeks + index.timeline.week[
        cand.session
    ]
    keep = keep[np.argsort(slot[keep], kind="stable")]
    volunteer = cand.volunteer[keep]
    session = cand.session[keep]
    week = index.timeline.week[session]
    return _Side(
        candidate=keep.astype(np.int64),
        volunteer=volunteer,
        session=session,
        slot=slot[keep],
        week_key=volunteer * weeks + week,
        week_cap=index.week_caps.in_week(volunteer, week),
        part=parts.of_candidate[keep],
        points=cand.points[keep].astype(np.float64),
        experienced=index.experienced[volunteer].astype(np.float64),
        speaks=(cand.speaks[keep] & index.needs_language[session]).astype(np.float64),
    )


def _by_key_then_gain(keys: IntArray, gain: FloatArray) -> IntArray:
    """Return the order that sorts by key, then by decreasing gain within a key.

    One float sort of the key plus the gain mapped into [0, 1) takes half the time of a
    two-key lexsort. Gains within about 1e-6 points of each other may swap, which moves
    a side's value by far less than `ROUNDING_SLACK`.
    """
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    low, high = float(gain.min()), float(gain.max())
    fraction = (high - gain) / ((high - low) * 1.0001 + 1.0)
    order: IntArray = np.argsort(keys + fraction)
    return order


def _rank_in_runs(keys: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """For sorted keys, return each item's rank in its run, the run starts and run ids."""
    new_run = np.ones(len(keys), dtype=np.bool_)
    new_run[1:] = keys[1:] != keys[:-1]
    starts = np.flatnonzero(new_run)
    run = np.cumsum(new_run) - 1
    rank: IntArray = np.arange(len(keys)) - starts[run]
    return rank, starts, run


@dataclass(frozen=True, slots=True)
class _SessionShape:
    """The session side's candidates sorted by session: what stays fixed between rounds.

    Position i of the sorted order is the (rank + 1)-th candidate of its session's run,
    so taking it and every one before it in the run takes `size[i]` candidates. Only
    the positions in `allowed` (whole teams between opening size and maximum) may end
    a take. They form one segment per session that can open at all.
    """

    rank: IntArray
    run: IntArray
    starts: IntArray
    sessions: IntArray  # the session of each run
    size: IntArray
    teams: IntArray
    allowed: IntArray
    allowed_run: IntArray
    segment_starts: IntArray  # where each run's allowed positions begin within `allowed`
    segment_run: IntArray

    @classmethod
    def of(cls, index: PlanningIndex, session: IntArray) -> "_SessionShape":
        team_size = index.problem.team_size
        ordered = np.sort(session, kind="stable")
        rank, starts, run = _rank_in_runs(ordered)
        size = rank + 1
        allowed = np.flatnonzero(
            (size % team_size == 0)
            & (size >= index.opening[ordered])
            & (size <= index.maximum[ordered])
        )
        allowed_run = run[allowed]
        first = np.ones(len(allowed), dtype=np.bool_)
        first[1:] = allowed_run[1:] != allowed_run[:-1]
        segment_starts = np.flatnonzero(first)
        return cls(
            rank=rank,
            run=run,
            starts=starts,
            sessions=ordered[starts],
            size=size,
            teams=size // team_size,
            allowed=allowed,
            allowed_run=allowed_run,
            segment_starts=segment_starts,
            segment_run=allowed_run[segment_starts],
        )


class _Search:
    """Prices and the two exact sides. Prices are in objective points."""

    def __init__(self, index: PlanningIndex, side: _Side, part_count: int) -> None:
        weights = index.weights
        self.side = side
        self.shape = _SessionShape.of(index, side.session)
        _, self.slot_starts, self.slot_run = _rank_in_runs(side.slot)
        self.part_count = part_count
        self.team_size = index.problem.team_size
        self.team_points = index.team_points.astype(np.float64)
        self.opening = index.opening
        self.fairness = float(weights.fairness)
        self.opened_points = float(weights.session_opened)
        self.session_part = np.zeros(index.session_count, dtype=np.int64)
        self.session_part[side.session] = side.part
        self.experienced_cap = float(weights.experienced)
        self.language_cap = float(weights.language) * index.needs_language
        # Start from the flow's split: each member carries its share of the team and
        # of the opening bonus, so the session side starts near zero.
        self.price = self.team_points[
            side.session
        ] / self.team_size + self.opened_points / np.maximum(self.opening[side.session], 1)
        self.experienced_price = np.zeros(index.session_count)
        self.language_price = np.zeros(index.session_count)

    def volunteer_side(self) -> tuple[BoolArray, FloatArray]:
        """Return the candidates the volunteers take and the value per part."""
        side = self.side
        gain = side.points + self.price
        # Candidates are sorted by slot: the best of each slot is its run's maximum.
        top = np.maximum.reduceat(gain, self.slot_starts)
        at_top = np.flatnonzero(gain >= top[self.slot_run])
        first = np.ones(len(at_top), dtype=np.bool_)
        first[1:] = self.slot_run[at_top[1:]] != self.slot_run[at_top[:-1]]
        best = at_top[first]
        best = best[gain[best] > 0]
        best = best[_by_key_then_gain(side.week_key[best], gain[best])]
        rank, _, _ = _rank_in_runs(side.week_key[best])
        best = best[rank < side.week_cap[best]]
        best = best[_by_key_then_gain(side.volunteer[best], gain[best])]
        rank, _, _ = _rank_in_runs(side.volunteer[best])
        net = gain[best] - self.fairness * rank
        pays = net > 0
        taken = np.zeros(len(side.candidate), dtype=np.bool_)
        taken[best[pays]] = True
        value = np.bincount(side.part[best[pays]], weights=net[pays], minlength=self.part_count)
        return taken, value.astype(np.float64)

    def session_side(self) -> tuple[BoolArray, FloatArray, IntArray]:
        """Return the candidates the sessions take, the value per part, teams per session."""
        side = self.side
        shape = self.shape
        gain = (
            -self.price
            + self.experienced_price[side.session] * side.experienced
            + self.language_price[side.session] * side.speaks
        )
        # Sorting by session keeps every run where it was, so only `order` changes.
        order = _by_key_then_gain(side.session, gain)

        # The value of taking the `size` cheapest candidates, where that size is allowed.
        running = np.cumsum(gain[order])
        before = np.concatenate(([0.0], running))[shape.starts]
        sessions = shape.sessions
        per_team = (
            self.team_points[sessions]
            - self.experienced_price[sessions]
            - self.language_price[sessions]
        )
        at, run = shape.allowed, shape.allowed_run
        total = running[at] - before[run] + shape.teams[at] * per_team[run] + self.opened_points

        # Each session takes its best allowed size, or no candidate when none pays.
        best = np.zeros(len(sessions))
        pick = np.zeros(len(sessions), dtype=np.int64)
        if len(at):
            top = np.maximum(np.maximum.reduceat(total, shape.segment_starts), 0.0)
            best[shape.segment_run] = top
            at_best = (total >= best[run]) & (best[run] > 0)
            smallest = np.minimum.reduceat(
                np.where(at_best, shape.size[at], NO_BOUND), shape.segment_starts
            )
            pick[shape.segment_run] = np.where(top > 0, smallest, 0)
        chosen = np.zeros(len(side.candidate), dtype=np.bool_)
        chosen[order[shape.rank < pick[shape.run]]] = True
        teams = np.zeros(len(self.team_points), dtype=np.int64)
        teams[sessions] = pick // self.team_size
        value = np.bincount(self.session_part[sessions], weights=best, minlength=self.part_count)
        return chosen, value.astype(np.float64), teams

    def move_prices(
        self, taken: BoolArray, chosen: BoolArray, teams: IntArray, scale: FloatArray
    ) -> None:
        """Step every price against its side's disagreement, `scale` per part."""
        side = self.side
        sessions = len(self.team_points)
        # Near agreement few candidates differ, so only those are touched.
        differ = np.flatnonzero(taken != chosen)
        disagree = np.where(taken[differ], 1.0, -1.0)
        differ_part = side.part[differ]
        seasoned = np.bincount(side.session[chosen], side.experienced[chosen], sessions)
        speakers = np.bincount(side.session[chosen], side.speaks[chosen], sessions)
        experienced_gap = seasoned - teams
        language_gap = (speakers - teams) * (self.language_cap > 0)
        norm = np.bincount(differ_part, minlength=self.part_count) + np.bincount(
            self.session_part,
            experienced_gap * experienced_gap + language_gap * language_gap,
            self.part_count,
        )
        step = np.where(norm > 0, scale / np.maximum(norm, 1e-9), 0.0)
        self.price[differ] -= step[differ_part] * disagree
        session_step = step[self.session_part]
        self.experienced_price = np.clip(
            self.experienced_price - session_step * experienced_gap, 0.0, self.experienced_cap
        )
        self.language_price = np.clip(
            self.language_price - session_step * language_gap, 0.0, self.language_cap
        )
