"""CP-SAT model of the assignment over a set of candidates, with every rule.

Hard rules: whole teams, session minimum (or nobody) and maximum, no two clashing
sessions for one volunteer (overlap or too little rest), weekly caps, locks. Soft rules
enter the objective, in the points of `routing.assignment_weights`:

    sum over sessions  team_points * teams + session_opened * is_open
                       - experienced * teams_without_experienced
                       - language * teams_without_speaker
    + sum over pairs   stability * was_previous - travel * metres // 1000
    - fairness * (1 + 2 + ... + (sessions - 1)) per volunteer
    - partner * sessions both friends could join that only one of them joins

Teams without an experienced member are counted as max(0, teams - experienced), the
fewest that a split into teams can reach, and `form_teams` then deals the members.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.assignment_index import PlanningIndex
from routing.assignment_locks import LockState
from routing.assignment_timing import clash, clash_cliques, overlap
from routing.assignment_types import SessionLock
from routing.ortools_api import cp_model

IntArray = npt.NDArray[np.int64]

# Fixed so that runs are comparable. `solver_for` notes what it cannot guarantee.
SOLVER_SEED = 20_170_501


@dataclass(frozen=True, slots=True)
class AssignmentModel:
    """A built model, the variable of each candidate, and the literal of each lock.

    `hint_objective` is the objective of the hint, when one was given.
    """

    model: cp_model.CpModel
    placed: Mapping[int, cp_model.IntVar]
    lock_literals: Mapping[SessionLock, cp_model.IntVar]
    has_objective: bool
    hint_objective: int | None = None


@dataclass(slots=True)
class _Builder:
    index: PlanningIndex
    model: cp_model.CpModel
    placed: dict[int, cp_model.IntVar]
    terms: list[tuple[cp_model.IntVar, int]]
    hint: set[int] | None
    outside: Mapping[int, Sequence[int]]
    hinted: dict[int, int]  # variable index -> hinted value


def build_model(
    index: PlanningIndex,
    locks: LockState,
    candidates: IntArray,
    *,
    fix_locks: bool = True,
    with_objective: bool = True,
    hint: IntArray | None = None,
    outside: Mapping[int, Sequence[int]] | None = None,
) -> AssignmentModel:
    """Build the model over the given candidates.

    The candidates are a whole part of the problem, or every candidate of some sessions
    with `outside` giving, per volunteer, the candidates chosen elsewhere and kept
    fixed: they count for clashes, weekly caps and fairness. With `fix_locks` the locks
    are constraints and the candidates they rule out are dropped. Without it, the
    caller passes lock literals as assumptions. `hint`, chosen candidates of a valid
    plan, starts the search.
    """
    cand = index.candidates
    pool = candidates if not fix_locks else candidates[~locks.blocked[candidates]]
    fixed = outside or {}
    if fixed:
        pool = pool[[not _clashes_outside(index, c, fixed) for c in pool.tolist()]]
    build = _Builder(
        index=index,
        model=cp_model.CpModel(),
        placed={},
        terms=[],
        hint=None if hint is None else set(hint.tolist()),
        outside=fixed,
        hinted={},
    )
    for c in pool.tolist():
        var = build.model.new_bool_var(f"x{c}")
        build.placed[c] = var
        if build.hint is not None:
            _hinted(build, var, int(c in build.hint))
        points = int(cand.points[c])
        if points:
            build.terms.append((var, points))
    by_session: dict[int, list[int]] = {}
    by_volunteer: dict[int, list[int]] = {}
    for c in pool.tolist():
        by_session.setdefault(int(cand.session[c]), []).append(c)
        by_volunteer.setdefault(int(cand.volunteer[c]), []).append(c)
    for session in sorted(by_session):
        _add_session(build, session, by_session[session])
    for volunteer in sorted(by_volunteer):
        _add_volunteer(build, volunteer, by_volunteer[volunteer])
    _add_partners(build, by_volunteer)
    lock_literals: dict[SessionLock, cp_model.IntVar] = {}
    for c in pool.tolist():
        if cand.is_locked[c]:
            lock = SessionLock(
                volunteer_id=index.problem.volunteers[int(cand.volunteer[c])].id,
                session_id=index.problem.sessions[int(cand.session[c])].id,
            )
            lock_literals[lock] = build.placed[c]
            if fix_locks:
                build.model.add(build.placed[c] == 1)
    has_objective = with_objective and bool(build.terms)
    if has_objective:
        variables, coefficients = zip(*build.terms, strict=True)
        build.model.maximize(cp_model.LinearExpr.weighted_sum(variables, coefficients))
    hint_objective = None
    if build.hint is not None:
        hint_objective = sum(build.hinted.get(var.index, 0) * k for var, k in build.terms)
    return AssignmentModel(
        model=build.model,
        placed=build.placed,
        lock_literals=lock_literals,
        has_objective=has_objective,
        hint_objective=hint_objective,
    )


def _clashes_outside(index: PlanningIndex, c: int, outside: Mapping[int, Sequence[int]]) -> bool:
    """Tell whether an unlocked candidate clashes with its volunteer's fixed sessions."""
    cand = index.candidates
    fixed = outside.get(int(cand.volunteer[c]), ())
    if not fixed or cand.is_locked[c]:
        return False
    rest = index.problem.rest_minutes
    s = int(cand.session[c])
    return any(clash(index.timeline, s, int(cand.session[o]), rest) for o in fixed)


def _hinted(build: _Builder, var: cp_model.IntVar, value: int) -> None:
    if build.hint is not None:
        build.model.add_hint(var, value)
        build.hinted[var.index] = value


def _add_session(build: _Builder, session: int, members: Sequence[int]) -> None:
    index = build.index
    model = build.model
    weights = index.weights
    size = index.problem.team_size
    opening, maximum = int(index.opening[session]), int(index.maximum[session])
    xs = [build.placed[c] for c in members]
    count = cp_model.LinearExpr.sum(xs)
    is_open = model.new_bool_var(f"open{session}")
    teams = model.new_int_var(0, maximum // size, f"teams{session}")
    # Opening means whole teams and at least the minimum, so never an empty session.
    model.add(count >= opening * is_open)
    model.add(count <= maximum * is_open)
    model.add(count == size * teams)
    hint = build.hint
    hinted = 0 if hint is None else sum(c in hint for c in members)
    _hinted(build, is_open, int(hinted > 0))
    _hinted(build, teams, hinted // size)
    build.terms.append((teams, int(index.team_points[session])))
    if weights.session_opened:
        build.terms.append((is_open, weights.session_opened))
    cand = index.candidates
    if weights.experienced:
        experienced = [c for c in members if index.experienced[cand.volunteer[c]]]
        lacking = _lacking(build, teams, experienced, maximum // size, f"lack_e{session}")
        build.terms.append((lacking, -weights.experienced))
        if hint is not None:
            _hinted(build, lacking, max(0, hinted // size - sum(c in hint for c in experienced)))
    if index.needs_language[session] and weights.language:
        speakers = [c for c in members if cand.speaks[c]]
        lacking = _lacking(build, teams, speakers, maximum // size, f"lack_l{session}")
        build.terms.append((lacking, -weights.language))
        if hint is not None:
            _hinted(build, lacking, max(0, hinted // size - sum(c in hint for c in speakers)))


def _lacking(
    build: _Builder, teams: cp_model.IntVar, having: list[int], top: int, name: str
) -> cp_model.IntVar:
    """Return a variable at least teams minus the chosen candidates of `having`, and 0."""
    lacking = build.model.new_int_var(0, top, name)
    chosen = cp_model.LinearExpr.sum([build.placed[c] for c in having])
    build.model.add(lacking >= teams - chosen)
    return lacking


def _add_volunteer(build: _Builder, volunteer: int, own: Sequence[int]) -> None:
    index = build.index
    cand = index.candidates
    model = build.model
    timeline = index.timeline
    rest = index.problem.rest_minutes
    session_of = {int(cand.session[c]): c for c in own}
    locked = {s for s, c in session_of.items() if cand.is_locked[c]}
    for clique in clash_cliques(timeline, sorted(session_of), rest):
        pinned = [s for s in clique if s in locked]
        if len(pinned) < 2:
            model.add_at_most_one(build.placed[session_of[s]] for s in clique)
            continue
        # Locks are exempt from the rest rule between themselves, not from overlaps.
        others = [s for s in clique if s not in locked]
        for s in pinned:
            model.add_at_most_one(build.placed[session_of[o]] for o in [*others, s])
        for a in pinned:
            for b in pinned:
                if a < b and overlap(timeline, a, b):
                    model.add_bool_or(
                        [build.placed[session_of[a]].Not(), build.placed[session_of[b]].Not()]
                    )
    fixed = build.outside.get(volunteer, ())
    weeks: dict[int, list[int]] = {}
    for s in session_of:
        weeks.setdefault(int(timeline.week[s]), []).append(s)
    max_sessions = 0
    for week, members in weeks.items():
        fixed_here = [o for o in fixed if int(timeline.week[cand.session[o]]) == week]
        locked_here = sum(s in locked for s in members)
        locked_here += sum(bool(cand.is_locked[o]) for o in fixed_here)
        allowed = max(index.week_caps.left(volunteer, week), locked_here) - len(fixed_here)
        max_sessions += min(allowed, len(members))
        if len(members) > allowed:
            model.add(
                cp_model.LinearExpr.sum([build.placed[session_of[s]] for s in members]) <= allowed
            )
    _add_fairness(build, volunteer, own, (min(max_sessions, len(own)), len(fixed)))


def _add_fairness(
    build: _Builder, volunteer: int, own: Sequence[int], counts: tuple[int, int]
) -> None:
    """Charge a volunteer's k-th session k - 1 fairness steps.

    `counts` holds how many of `own` the volunteer can take and how many sessions they
    keep outside the model, which come first.
    """
    fairness = build.index.weights.fairness
    max_sessions, fixed = counts
    if not fairness or max_sessions + fixed < 2 or max_sessions < 1:
        return
    # With nothing fixed, the first session is free and needs no step.
    first = 1 if fixed == 0 else 0
    steps = [build.model.new_bool_var(f"extra{volunteer}_{k}") for k in range(first, max_sessions)]
    xs = [build.placed[c] for c in own]
    build.model.add(cp_model.LinearExpr.sum(steps) >= cp_model.LinearExpr.sum(xs) - first)
    build.terms.extend((step, -fairness * (fixed + k)) for k, step in enumerate(steps, start=first))
    if build.hint is not None:
        hinted = sum(c in build.hint for c in own)
        for k, step in enumerate(steps, start=first):
            _hinted(build, step, int(k < hinted))


def _add_partners(build: _Builder, by_volunteer: Mapping[int, list[int]]) -> None:
    """Charge each session both friends could join and only one of them joins."""
    index = build.index
    weight = index.weights.partner
    if not weight:
        return
    cand = index.candidates
    hint = build.hint
    for (a, b), shared in zip(index.partners, index.partner_shared, strict=True):
        of_a = {int(cand.session[c]): c for c in by_volunteer.get(a, [])}
        of_b = {int(cand.session[c]): c for c in by_volunteer.get(b, [])}
        for session in sorted(shared & of_a.keys() & of_b.keys()):
            xa, xb = build.placed[of_a[session]], build.placed[of_b[session]]
            apart = build.model.new_bool_var(f"apart{a}_{b}_{session}")
            build.model.add(apart >= xa - xb)
            build.model.add(apart >= xb - xa)
            build.terms.append((apart, -weight))
            if hint is not None:
                _hinted(build, apart, int((of_a[session] in hint) != (of_b[session] in hint)))


def solver_for(
    time_limit_s: float, workers: int, conflict_limit: int | None = None
) -> cp_model.CpSolver:
    """Return a solver with a time limit, a worker count and a fixed seed.

    With two workers the default portfolio runs one full search, `default_lp`, whose LP
    relaxation is too weak here. On random 60 x 8 instances its bound stayed 18-36 %
    above the optimum, and the search hit a 5 s limit without proof. The fuller relaxation
    (`linearization_level` 2, the `max_lp` worker instead of `default_lp`) proves the
    same instances optimal in a few milliseconds.

    NOTE: with several workers a run that stops on the time limit, or that has several
    optimal plans, may return a different plan from one run to the next.
    """
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(time_limit_s, 0.001)
    params.num_workers = workers
    params.random_seed = SOLVER_SEED
    params.linearization_level = 2
    if workers > 1:
        params.ignore_subsolvers.append("default_lp")
        params.extra_subsolvers.append("max_lp")
    if conflict_limit is not None:
        params.max_number_of_conflicts = conflict_limit
    return solver
