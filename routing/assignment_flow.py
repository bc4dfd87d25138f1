"""The core of the assignment as a min-cost flow: fast, exact for its rules, and a bound.

Network: source -> volunteer -> (volunteer, week) -> (volunteer, clash group, week) ->
session -> sink, plus a source -> sink bypass so that only worthwhile placements carry
flow. It keeps session maxima, weekly caps, at most one session per clash group (see
`clique_partition`), the progressive fairness cost (parallel source arcs of increasing
cost), travel and stability. It relaxes the rest: whole teams and minimums (a team's
points and the opening bonus are spread over its volunteers), clashes across groups, and
the soft team rules. Its optimum is therefore an upper bound on every plan's objective.

Costs are objective points times `scale` = 60 x team size, so that a team's points split
exactly over its members and the opening bonus over up to 6 teams. Larger openings are
rounded up, which keeps the bound valid.
"""

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from routing.assignment_components import Components
from routing.assignment_index import PlanningIndex
from routing.assignment_locks import LockState, locked_per_week
from routing.ortools_api import min_cost_flow

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

SCALE_PER_MEMBER = 60
# Candidates per flow network: small parts are solved together, large ones alone.
FLOW_BATCH = 50_000
SOURCE = 0
SINK = 1
ONE = np.ones(1, dtype=np.int64)
ZERO = np.zeros(1, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class FlowAnswer:
    """Candidates the flow chose (locks included) and the bound it proves."""

    chosen: IntArray
    bound: int
    is_solved: bool


@dataclass(frozen=True, slots=True)
class FlowOptions:
    """Variants of the network.

    `only_sessions` keeps the other sessions out, and `force_opening` makes filling the
    sessions it marks up to their opening size worth more than anything else: the answer
    is then a plan around that set of open sessions, and its optimum no longer a bound.
    """

    only_sessions: BoolArray | None = None
    force_opening: BoolArray | None = None


@dataclass(slots=True)
class _Network:
    tails: list[IntArray] = field(default_factory=list)
    heads: list[IntArray] = field(default_factory=list)
    capacities: list[IntArray] = field(default_factory=list)
    costs: list[IntArray] = field(default_factory=list)
    node_count: int = 2
    arc_count: int = 0

    def nodes(self, count: int) -> IntArray:
        first = self.node_count
        self.node_count += count
        return np.arange(first, first + count, dtype=np.int64)

    def arcs(self, tails: IntArray, heads: IntArray, capacities: IntArray, costs: IntArray) -> int:
        """Add arcs (capacities and costs broadcast) and return the index of the first."""
        first = self.arc_count
        size = len(tails)
        self.arc_count += size
        self.tails.append(tails.astype(np.int64))
        self.heads.append(np.broadcast_to(heads, size).astype(np.int64))
        self.capacities.append(np.broadcast_to(capacities, size).astype(np.int64))
        self.costs.append(np.broadcast_to(costs, size).astype(np.int64))
        return first


def solve_flow(
    index: PlanningIndex,
    locks: LockState,
    parts: Components,
    options: FlowOptions = FlowOptions(),
) -> FlowAnswer:
    """Solve the relaxation part by part. The chosen candidates may break relaxed rules.

    Independent parts are solved in batches: the solver's time grows faster than the
    size of its network.
    """
    chosen: list[IntArray] = []
    total = 0
    for batch in _batches(parts):
        answer = _solve_batch(index, locks, batch, options)
        if not answer.is_solved:
            return FlowAnswer(chosen=locks.locked, bound=0, is_solved=False)
        chosen.append(answer.chosen)
        total += answer.bound
    merged = np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)
    return FlowAnswer(chosen=merged, bound=total, is_solved=True)


def _batches(parts: Components) -> list[IntArray]:
    """Group parts into batches of about FLOW_BATCH candidates, each big part alone."""
    sizes = np.diff(parts.start)
    batches: list[IntArray] = []
    first = 0
    running = 0
    for part in range(parts.count):
        running += int(sizes[part])
        if running >= FLOW_BATCH or part == parts.count - 1:
            batches.append(parts.order[parts.start[first] : parts.start[part + 1]])
            first = part + 1
            running = 0
    return [np.sort(batch) for batch in batches]


def _solve_batch(
    index: PlanningIndex, locks: LockState, batch: IntArray, options: FlowOptions
) -> FlowAnswer:
    """Solve the relaxation over one batch of candidates, with `bound` in scaled points."""
    cand = index.candidates
    scale = SCALE_PER_MEMBER * index.problem.team_size
    net = _Network()
    v_ids = np.unique(cand.volunteer[batch])
    s_ids = np.unique(cand.session[batch])
    volunteers = net.nodes(len(v_ids))
    sessions = net.nodes(len(s_ids))
    keep = _usable(index, locks)[batch]
    if options.only_sessions is not None:
        keep &= options.only_sessions[cand.session[batch]]
    free, room = _free_candidates(index, locks, batch[keep])
    local_v = np.searchsorted(v_ids, cand.volunteer[free])
    units, tails = _volunteer_layers(net, index, volunteers, (free, room, local_v))
    in_batch = np.isin(locks.locked, batch)
    locked = locks.locked[in_batch]
    locked_total = np.bincount(np.searchsorted(v_ids, cand.volunteer[locked]), minlength=len(v_ids))
    supply = _fairness_arcs(net, volunteers, units, locked_total, index.weights.fairness * scale)
    s_of = cand.session[free]
    value = cand.points[free] * scale + index.team_points[s_of] * SCALE_PER_MEMBER
    local_s = np.searchsorted(s_ids, s_of)
    placement_first = net.arcs(tails, sessions[local_s], ONE, -value)
    forced = np.zeros(len(s_ids), dtype=np.int64)
    if options.force_opening is not None:
        forced = options.force_opening[s_ids] * _forced_points(index, scale)
    _sink_arcs(net, index, locks, sessions, s_ids=s_ids, scale=scale, forced=forced)
    net.arcs(np.array([SOURCE]), np.array([SINK]), np.array([supply]), ZERO)

    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(net.tails).astype(np.int32),
        np.concatenate(net.heads).astype(np.int32),
        np.concatenate(net.capacities),
        np.concatenate(net.costs),
    )
    supplies = np.zeros(net.node_count, dtype=np.int64)
    supplies[SOURCE], supplies[SINK] = supply, -supply
    flow.set_nodes_supplies(np.arange(net.node_count, dtype=np.int32), supplies)
    if flow.solve() != flow.OPTIMAL:
        return FlowAnswer(chosen=locked, bound=0, is_solved=False)
    carried = flow.flows(np.arange(placement_first, placement_first + len(free), dtype=np.int32))
    chosen = np.sort(np.concatenate([locked, free[carried > 0]]))
    lock_value = _locked_value(index, locks, locked, s_ids, scale)
    total = -int(flow.optimal_cost()) + lock_value
    return FlowAnswer(chosen=chosen, bound=total // scale, is_solved=True)


def _free_candidates(
    index: PlanningIndex, locks: LockState, usable: IntArray
) -> tuple[IntArray, IntArray]:
    """Keep the usable candidates whose volunteer has room left in that week."""
    cand = index.candidates
    week_locked = locked_per_week(index, locks)
    v_of = cand.volunteer[usable]
    week = index.timeline.week[cand.session[usable]]
    taken = np.zeros(len(usable), dtype=np.int64)
    if week_locked:
        taken = np.array(
            [week_locked.get((v, w), 0) for v, w in zip(v_of.tolist(), week.tolist(), strict=True)],
            dtype=np.int64,
        )
    room = np.maximum(index.week_caps.in_week(v_of, week) - taken, 0)
    return usable[room > 0], room[room > 0]


def _volunteer_layers(
    net: _Network,
    index: PlanningIndex,
    volunteers: IntArray,
    free_candidates: tuple[IntArray, IntArray, IntArray],
) -> tuple[IntArray, IntArray]:
    """Add the (volunteer, week) and (volunteer, clash group, week) layers.

    Return how many sessions each volunteer can take and the node each free candidate's
    placement arc leaves from. A group with one candidate needs no node of its own.
    `free_candidates` holds the candidates, their room in the week and their volunteer's
    node position.
    """
    free, room, local_v = free_candidates
    cand = index.candidates
    weeks = index.timeline.week_count + 1
    week = index.timeline.week[cand.session[free]]
    groups = int(index.group.max(initial=0)) + 1
    keys = (local_v * weeks + week) * groups + index.group[cand.session[free]]
    unique, first, group_of, members = np.unique(
        keys, return_index=True, return_inverse=True, return_counts=True
    )
    group_v, group_week, group_room = local_v[first], week[first], room[first]
    shared = members > 1
    group_nodes = np.full(len(unique), -1, dtype=np.int64)
    group_nodes[shared] = net.nodes(int(shared.sum()))
    count = len(volunteers)
    if index.timeline.week_count > 1:
        week_unique, week_first, week_of = np.unique(
            group_v * weeks + group_week, return_index=True, return_inverse=True
        )
        week_nodes = net.nodes(len(week_unique))
        week_v = group_v[week_first]
        week_room = group_room[week_first]
        net.arcs(volunteers[week_v], week_nodes, week_room, ZERO)
        upper = week_nodes[week_of]
        capacity = np.bincount(week_v, weights=week_room, minlength=count)
    else:
        upper = volunteers[group_v]
        capacity = np.zeros(count, dtype=np.float64)
        capacity[group_v] = group_room
    net.arcs(upper[shared], group_nodes[shared], ONE, ZERO)
    tails = np.where(shared, group_nodes, upper)[group_of]
    per_volunteer = np.bincount(group_v, minlength=count)
    units = np.minimum(capacity.astype(np.int64), per_volunteer)
    return units, tails


def _usable(index: PlanningIndex, locks: LockState) -> BoolArray:
    """Unlocked candidates on sessions that can open, not ruled out by a lock."""
    cand = index.candidates
    can_open = index.opening <= index.maximum
    room = index.maximum - locks.per_session
    result: BoolArray = (
        ~cand.is_locked & ~locks.blocked & can_open[cand.session] & (room[cand.session] > 0)
    )
    return result


def _fairness_arcs(
    net: _Network, volunteers: IntArray, units: IntArray, locked: IntArray, step_cost: int
) -> int:
    """Add source arcs: the k-th extra session of a volunteer costs k - 1 steps more."""
    owners = np.repeat(np.arange(len(units), dtype=np.int64), units)
    if len(owners) == 0:
        return 0
    rank = np.arange(len(owners)) - np.repeat(np.cumsum(units) - units, units)
    cost = (locked[owners] + rank) * step_cost
    net.arcs(np.full(len(owners), SOURCE), volunteers[owners], ONE, cost)
    return len(owners)


def _sink_arcs(
    net: _Network,
    index: PlanningIndex,
    locks: LockState,
    sessions: IntArray,
    *,
    s_ids: IntArray,
    scale: int,
    forced: IntArray,
) -> None:
    """Add session -> sink arcs: the opening bonus spread over the opening places first.

    `forced` (per session of `s_ids`) is added to each opening place.
    """
    bonus = index.weights.session_opened
    opening = index.opening[s_ids]
    maximum = index.maximum[s_ids]
    taken = locks.per_session[s_ids]
    room = np.where(opening <= maximum, np.maximum(maximum - taken, 0), 0)
    opening_room = np.clip(opening - taken, 0, room)
    share = -(-bonus * scale // opening)
    first = np.flatnonzero(opening_room > 0)
    net.arcs(sessions[first], np.array([SINK]), opening_room[first], -share[first] - forced[first])
    rest = room - opening_room
    second = np.flatnonzero(rest > 0)
    net.arcs(sessions[second], np.array([SINK]), rest[second], ZERO)


def _forced_points(index: PlanningIndex, scale: int) -> int:
    """Return scaled points that outweigh any other gain or cost of one placement."""
    weights = index.weights
    biggest = int(index.team_points.max(initial=0)) + weights.session_opened + weights.stability
    costs = weights.partner + weights.experienced + weights.language
    costs += weights.fairness * int(index.weekly_cap.max(initial=0)) * index.timeline.week_count
    return 4 * (biggest + costs + weights.travel * 1000) * scale


def _locked_value(
    index: PlanningIndex, locks: LockState, locked: IntArray, s_ids: IntArray, scale: int
) -> int:
    """Return the scaled value the batch's locked pairs add outside the network."""
    cand = index.candidates
    weights = index.weights
    pairs = int((cand.points[locked] * scale).sum())
    teams = int((index.team_points[cand.session[locked]] * SCALE_PER_MEMBER).sum())
    share = -(-weights.session_opened * scale // index.opening[s_ids])
    opening = int((np.minimum(locks.per_session[s_ids], index.opening[s_ids]) * share).sum())
    per_volunteer = np.bincount(cand.volunteer[locked])
    fairness = int((per_volunteer * (per_volunteer - 1) // 2).sum()) * weights.fairness * scale
    return pairs + teams + opening - fairness


def relaxed_bounds(index: PlanningIndex, chosen: IntArray, parts: Components) -> IntArray:
    """Split the flow optimum by part: each entry bounds that part's objective.

    `chosen` must be the flow's answer. Its value in the relaxation,
    summed per part, is the flow optimum, since every term belongs to one part.
    """
    cand = index.candidates
    weights = index.weights
    scale = SCALE_PER_MEMBER * index.problem.team_size
    component = parts.of_candidate[chosen]
    session = cand.session[chosen]
    value = cand.points[chosen] * scale + index.team_points[session] * SCALE_PER_MEMBER
    totals = np.bincount(component, weights=value, minlength=parts.count).astype(np.float64)
    counts = np.bincount(session, minlength=index.session_count)
    share = -(-weights.session_opened * scale // index.opening)
    bonus = np.minimum(counts, index.opening) * share
    session_component = np.full(index.session_count, -1, dtype=np.int64)
    session_component[session] = component
    opened = np.flatnonzero(counts > 0)
    totals += np.bincount(session_component[opened], weights=bonus[opened], minlength=parts.count)
    per_volunteer = np.bincount(cand.volunteer[chosen], minlength=index.volunteer_count)
    volunteer_component = np.full(index.volunteer_count, -1, dtype=np.int64)
    volunteer_component[cand.volunteer[chosen]] = component
    busy = np.flatnonzero(per_volunteer > 1)
    steps = per_volunteer[busy] * (per_volunteer[busy] - 1) // 2 * weights.fairness * scale
    totals -= np.bincount(volunteer_component[busy], weights=steps, minlength=parts.count)
    # Float sums of integers below 2**53 are exact, and the values here stay far below.
    result: IntArray = np.floor_divide(np.rint(totals).astype(np.int64), scale)
    return result
