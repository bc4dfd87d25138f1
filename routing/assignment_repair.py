"""Turn a set of candidates that breaks some rules into a valid plan, then add teams.

Steps, each greedy and deterministic:

1. keep, per volunteer, the most valuable sessions that neither clash nor exceed a
   weekly cap (locks first),
2. bring each session to a valid count (zero, or whole teams between its opening size
   and its maximum), adding the best free volunteers or dropping the least useful ones,
   whichever scores more,
3. add whole teams, or open sessions, wherever free volunteers make it worth it.

The soft team rules (experienced, language, friends) are left to CP-SAT.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.assignment_index import PlanningIndex
from routing.assignment_locks import LockState

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

FILL_PASSES = 3


@dataclass(frozen=True, slots=True)
class RepairOutcome:
    """The candidates chosen, valid except on `failed_sessions`, whose locks need others."""

    chosen: IntArray
    failed_sessions: IntArray


class PlanState:
    """Mutable placements with the counters the greedy steps need.

    Scalars are read from Python lists: indexing NumPy arrays one item at a time costs
    several times more, and the steps do it millions of times on large problems.
    """

    def __init__(self, index: PlanningIndex, locks: LockState) -> None:
        self.index = index
        self.cand = index.candidates
        self.locks = locks
        self.size = index.problem.team_size
        self.rest = index.problem.rest_minutes
        self.fairness = index.weights.fairness
        self.bonus = index.weights.session_opened
        self.chosen = np.zeros(len(self.cand), dtype=np.bool_)
        self.load = np.zeros(index.volunteer_count, dtype=np.int64)
        self.sessions_of: dict[int, list[int]] = {}
        self.members: dict[int, list[int]] = {}
        self.volunteer_of: list[int] = self.cand.volunteer.tolist()
        self.session_of: list[int] = self.cand.session.tolist()
        self.start: list[int] = index.timeline.start.tolist()
        self.end: list[int] = index.timeline.end.tolist()
        self.week: list[int] = index.timeline.week.tolist()
        self.caps = index.week_caps
        timeline = index.timeline
        max_slots = int(index.weekly_cap.max(initial=0)) * max(timeline.week_count, 1)
        max_slots += int(np.bincount(self.cand.volunteer[locks.locked]).max(initial=0))
        # slots[v] holds the sessions volunteer v is on, -1 where free: a fixed-width
        # table lets `fits_many` test many candidates in a few array operations.
        self.slots = np.full((index.volunteer_count, max(max_slots, 1)), -1, dtype=np.int64)
        self.start_array = timeline.start
        self.end_array = timeline.end
        self.week_array = timeline.week
        order = np.argsort(self.cand.session, kind="stable")
        self.by_session = order.astype(np.int64)
        self.session_start = np.searchsorted(
            self.cand.session[order], np.arange(index.session_count + 1)
        ).astype(np.int64)

    def count(self, session: int) -> int:
        return len(self.members.get(session, ()))

    def add(self, c: int) -> None:
        v, s = self.volunteer_of[c], self.session_of[c]
        self.chosen[c] = True
        self.load[v] += 1
        self.sessions_of.setdefault(v, []).append(c)
        self.members.setdefault(s, []).append(c)
        row = self.slots[v]
        row[int(np.argmin(row >= 0))] = s

    def remove(self, c: int) -> None:
        v, s = self.volunteer_of[c], self.session_of[c]
        self.chosen[c] = False
        self.load[v] -= 1
        self.sessions_of[v].remove(c)
        self.members[s].remove(c)
        row = self.slots[v]
        row[int(np.argmax(row == s))] = -1

    def fits(self, c: int, without: int | None = None) -> bool:
        """Tell whether candidate c can be added without a clash or a weekly excess,
        once the volunteer's chosen candidate `without`, if given, is left out."""
        v, s = self.volunteer_of[c], self.session_of[c]
        start, end, week, rest = self.start, self.end, self.week, self.rest
        s_start, s_end, s_week = start[s], end[s], week[s]
        in_week = 0
        for other in self.sessions_of.get(v, ()):
            if other == without:
                continue
            o = self.session_of[other]
            if s_start < end[o] + rest and start[o] < s_end + rest:
                return False
            in_week += week[o] == s_week
        return in_week < self.caps.left(v, s_week)

    def fits_many(self, cands: IntArray) -> npt.NDArray[np.bool_]:
        """Tell, for each candidate, whether it can be added without a clash or a weekly
        excess (the same test as `fits`, on arrays)."""
        volunteers = self.cand.volunteer[cands]
        sessions = self.cand.session[cands]
        others = self.slots[volunteers]
        taken = others >= 0
        other = np.where(taken, others, 0)
        start = self.start_array[sessions][:, None]
        end = self.end_array[sessions][:, None]
        clashes = (
            taken
            & (start < self.end_array[other] + self.rest)
            & (self.start_array[other] < end + self.rest)
        )
        same_week = taken & (self.week_array[other] == self.week_array[sessions][:, None])
        result: npt.NDArray[np.bool_] = ~clashes.any(axis=1) & (
            same_week.sum(axis=1) < self.caps.in_week(volunteers, self.week_array[sessions])
        )
        return result

    def maybe_addable(self) -> IntArray:
        """Count, per session, the candidates that might still join: a cheap upper bound.

        It leaves out candidates whose volunteer is already on a session of the same
        clash group, the usual reason a busy volunteer cannot join.
        """
        cand = self.cand
        groups = int(self.index.group.max(initial=0)) + 1
        keys = cand.volunteer * groups + self.index.group[cand.session]
        busy = np.isin(keys, keys[self.chosen])
        loose = ~self.chosen & ~busy & ~self.locks.blocked & ~cand.is_locked
        counts: IntArray = np.bincount(cand.session[loose], minlength=self.index.session_count)
        return counts

    def addable(self, session: int) -> IntArray:
        """Return the candidates that could join the session now, best first."""
        low, high = self.session_start[session], self.session_start[session + 1]
        cands = self.by_session[low:high]
        cands = cands[
            ~self.chosen[cands] & ~self.locks.blocked[cands] & ~self.cand.is_locked[cands]
        ]
        if len(cands) == 0:
            return cands
        cands = cands[self.fits_many(cands)]
        marginal = self.marginal_add(cands)
        return cands[np.argsort(-marginal, kind="stable")]

    def marginal_add(self, cands: IntArray) -> IntArray:
        """Points each candidate adds by itself: its pair points minus the fairness step."""
        result: IntArray = (
            self.cand.points[cands] - self.fairness * self.load[self.cand.volunteer[cands]]
        )
        return result

    def marginal_drop(self, cands: IntArray) -> IntArray:
        """Points each member loses on leaving, team points aside."""
        result: IntArray = self.cand.points[cands] - self.fairness * (
            self.load[self.cand.volunteer[cands]] - 1
        )
        return result

    def team_value(self, session: int, count: int) -> int:
        """Return the points of a session holding `count` volunteers in whole teams."""
        if count == 0:
            return 0
        return int(self.index.team_points[session]) * (count // self.size) + self.bonus


def repair(index: PlanningIndex, locks: LockState, chosen: IntArray) -> RepairOutcome:
    """Make the chosen candidates a valid plan, then add teams where worthwhile."""
    plan = PlanState(index, locks)
    _load(plan, chosen)
    _pair_remainders(plan)
    failed = [
        session
        for session in _sessions_by_value(index, list(plan.members))
        if not _fix_session(plan, session)
    ]
    for _ in range(FILL_PASSES):
        if not _fill(plan):
            break
    return RepairOutcome(
        chosen=np.flatnonzero(plan.chosen).astype(np.int64),
        failed_sessions=np.array(sorted(failed), dtype=np.int64),
    )


def _sessions_by_value(index: PlanningIndex, sessions: list[int]) -> list[int]:
    return sorted(sessions, key=lambda s: (-int(index.team_points[s]), s))


def _load(plan: PlanState, chosen: IntArray) -> None:
    """Add the chosen candidates, locks first, then by value, skipping those that misfit."""
    cand = plan.cand
    value = cand.points[chosen] + plan.index.team_points[cand.session[chosen]] // plan.size
    locked = cand.is_locked[chosen]
    order = np.lexsort((chosen, -value, ~locked))
    blocked = plan.locks.blocked
    per_volunteer = np.bincount(cand.volunteer[chosen], minlength=plan.index.volunteer_count)
    # A volunteer the flow gave one session cannot clash, and the flow keeps weekly caps.
    single = (per_volunteer[cand.volunteer[chosen]] == 1).tolist()
    ordered = zip(
        chosen[order].tolist(),
        locked[order].tolist(),
        np.array(single)[order].tolist(),
        strict=True,
    )
    for c, is_locked, alone in ordered:
        if is_locked or (not blocked[c] and (alone or plan.fits(c))):
            plan.add(c)


def _pair_remainders(plan: PlanState) -> None:
    """Move single volunteers from sessions one over whole teams to sessions one short.

    Each move completes a team that dropping both remainders would lose. The donor must
    stay open (or empty), the receiver within its maximum and at its opening size.
    """
    index = plan.index
    size = plan.size
    if size < 2:
        return
    cand = plan.cand
    start = index.volunteer_start

    def count(s: int) -> int:
        return plan.count(s)

    def short_by_one(s: int) -> bool:
        c = count(s)
        return c > 0 and (c + 1) % size == 0 and index.opening[s] <= c + 1 <= index.maximum[s]

    donors = [s for s in _sessions_by_value(index, list(plan.members)) if count(s) % size == 1]
    for donor in reversed(donors):
        left = count(donor) - 1
        if count(donor) % size != 1 or (left and left < index.opening[donor]):
            continue
        best: tuple[int, int, int] | None = None
        for c in list(plan.members[donor]):
            if cand.is_locked[c]:
                continue
            v = plan.volunteer_of[c]
            plan.remove(c)
            for other in range(int(start[v]), int(start[v + 1])):
                s = plan.session_of[other]
                if s == donor or plan.locks.blocked[other] or not short_by_one(s):
                    continue
                if plan.fits(other):
                    gain = int(cand.points[other]) - int(cand.points[c])
                    if best is None or gain > best[0]:
                        best = (gain, c, other)
            plan.add(c)
        if best is not None:
            plan.remove(best[1])
            plan.add(best[2])


def _fix_session(plan: PlanState, session: int) -> bool:
    """Bring one session to a valid count, and return False if its locks cannot be."""
    index = plan.index
    count = plan.count(session)
    opening, maximum = int(index.opening[session]), int(index.maximum[session])
    locked = int(plan.locks.per_session[session])
    if count == 0 or (count % plan.size == 0 and opening <= count <= maximum):
        return True
    up = max(opening, -(-count // plan.size) * plan.size)
    down = count // plan.size * plan.size
    if down < opening:
        down = 0
    options: list[tuple[int, list[int], list[int]]] = []
    if up <= maximum:
        addable = plan.addable(session)[: up - count]
        if len(addable) == up - count:
            gain = plan.team_value(session, up) + int(plan.marginal_add(addable).sum())
            options.append((gain, addable.tolist(), []))
    if down >= locked and down <= maximum:
        members = np.array(
            [c for c in plan.members[session] if not plan.cand.is_locked[c]], dtype=np.int64
        )
        drop = members[np.argsort(plan.marginal_drop(members), kind="stable")][: count - down]
        gain = plan.team_value(session, down) - int(plan.marginal_drop(drop).sum())
        options.append((gain, [], drop.tolist()))
    if not options:
        return False
    _, added, dropped = max(options, key=lambda option: option[0])
    for c in dropped:
        plan.remove(c)
    for c in added:
        plan.add(c)
    return True


def _fill(plan: PlanState) -> bool:
    """Add whole teams wherever they gain points, and return whether anything changed."""
    index = plan.index
    changed = False
    counts = np.bincount(plan.cand.session[plan.chosen], minlength=index.session_count)
    first_step = np.where(counts > 0, plan.size, index.opening)
    worth = (
        (index.opening <= index.maximum)
        & (index.maximum - counts >= first_step)
        & (plan.maybe_addable() >= first_step)
    )
    for session in _sessions_by_value(index, np.flatnonzero(worth).tolist()):
        count = plan.count(session)
        room = int(index.maximum[session]) - count
        step = plan.size if count else int(index.opening[session])
        if room < step:
            continue
        addable = plan.addable(session)
        while room >= step and len(addable) >= step:
            group, addable = addable[:step], addable[step:]
            gain = plan.team_value(session, count + step) - plan.team_value(session, count)
            gain += int(plan.marginal_add(group).sum())
            if gain <= 0:
                break
            for c in group.tolist():
                plan.add(c)
            changed = True
            count += step
            room -= step
            step = plan.size
    return changed
