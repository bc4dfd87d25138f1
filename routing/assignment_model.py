"""CP-SAT model that places volunteers on sessions.

Objective scaling (CP-SAT takes integer coefficients only). Placing volunteer v on
session s is worth

    BASE_POINTS + round(weight_s * WEIGHT_SCALE) - min(distance_m // METRES_PER_POINT,
                                                       MAX_DISTANCE_PENALTY)

points. The base makes every placement count. The IRIS score (0-100, kept to one
decimal) adds 0-1000 points. Each full 100 m between home and meeting point costs one
point, so 1 km of walking weighs as much as one point of IRIS score. The penalty is
capped below the base, so a placement is always worth at least 1 point.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from routing.assignment_eligibility import VolunteerOptions, overlap_groups
from routing.assignment_types import AssignmentProblem, SessionInput, SessionLock
from routing.geo import haversine_m
from routing.ortools_api import cp_model

BASE_POINTS = 1000
WEIGHT_SCALE = 10
METRES_PER_POINT = 100
MAX_DISTANCE_PENALTY = BASE_POINTS - 1
# Fixed so that runs are comparable; `solver_for` notes what it cannot guarantee.
SOLVER_SEED = 20_170_501

Pair = tuple[int, int]  # (volunteer id, session id)


@dataclass(frozen=True, slots=True)
class AssignmentModel:
    """A built model and the variable of each candidate pair."""

    model: cp_model.CpModel
    placed: Mapping[Pair, cp_model.IntVar]
    locks: tuple[SessionLock, ...]


def placement_points(weight: float, distance_m: int) -> int:
    """Return the objective points of one placement (see the module docstring)."""
    penalty = min(distance_m // METRES_PER_POINT, MAX_DISTANCE_PENALTY)
    return BASE_POINTS + round(weight * WEIGHT_SCALE) - penalty


def problem_locks(problem: AssignmentProblem) -> tuple[SessionLock, ...]:
    """List every lock of the problem once, ordered by volunteer then session."""
    return tuple(
        SessionLock(volunteer_id=v.id, session_id=session_id)
        for v in sorted(problem.volunteers, key=lambda v: v.id)
        for session_id in sorted(set(v.locked_session_ids))
    )


def candidate_points(
    problem: AssignmentProblem, options: Mapping[int, VolunteerOptions]
) -> dict[Pair, int]:
    """Give the objective points of every pair the model needs a variable for.

    A lock overrides eligibility: a coordinator who pinned a volunteer outside their
    slots or distance limit has agreed it with them, so the pair still gets a variable.
    """
    sessions = {s.id: s for s in problem.sessions}
    points: dict[Pair, int] = {}
    for volunteer_id, opts in options.items():
        for session_id, distance_m in opts.eligible_distance_m.items():
            points[volunteer_id, session_id] = placement_points(
                sessions[session_id].weight, distance_m
            )
    volunteers = {v.id: v for v in problem.volunteers}
    for lock in problem_locks(problem):
        pair = (lock.volunteer_id, lock.session_id)
        if pair not in points:
            session = sessions[lock.session_id]
            home = volunteers[lock.volunteer_id].home
            distance_m = 0 if home is None else round(haversine_m(home, session.meeting_point))
            points[pair] = placement_points(session.weight, distance_m)
    return points


def build_model(
    problem: AssignmentProblem,
    points: Mapping[Pair, int],
    *,
    fix_locks: bool = True,
    with_objective: bool = True,
) -> AssignmentModel:
    """Build the placement model over the candidate pairs.

    NOTE: no travel time is modelled. Sessions that merely touch (one ends when the
    next starts) may share a volunteer even when their meeting points are far apart.
    """
    model = cp_model.CpModel()
    placed = {pair: model.new_bool_var(f"x_v{pair[0]}_s{pair[1]}") for pair in sorted(points)}
    members: dict[int, list[cp_model.IntVar]] = {}
    for (_, session_id), var in placed.items():
        members.setdefault(session_id, []).append(var)
    for session in problem.sessions:
        if session.id in members:
            _add_session_constraints(model, session, members[session.id], problem.team_size)
    _add_overlap_constraints(model, problem.sessions, placed)
    locks = problem_locks(problem)
    if fix_locks:
        for lock in locks:
            model.add(placed[lock.volunteer_id, lock.session_id] == 1)
    if with_objective:
        pairs = list(placed)
        model.maximize(
            cp_model.LinearExpr.weighted_sum([placed[p] for p in pairs], [points[p] for p in pairs])
        )
    return AssignmentModel(model=model, placed=placed, locks=locks)


def _add_session_constraints(
    model: cp_model.CpModel,
    session: SessionInput,
    members: list[cp_model.IntVar],
    team_size: int,
) -> None:
    count = cp_model.LinearExpr.sum(members)
    is_open = model.new_bool_var(f"open_s{session.id}")
    teams = model.new_int_var(0, session.max_volunteers // team_size, f"teams_s{session.id}")
    model.add(count >= session.min_volunteers * is_open)
    model.add(count <= session.max_volunteers * is_open)
    model.add(count == team_size * teams)


def _add_overlap_constraints(
    model: cp_model.CpModel,
    sessions: tuple[SessionInput, ...],
    placed: Mapping[Pair, cp_model.IntVar],
) -> None:
    sessions_of: dict[int, set[int]] = {}
    for volunteer_id, session_id in placed:
        sessions_of.setdefault(volunteer_id, set()).add(session_id)
    groups = overlap_groups(sessions)
    for volunteer_id in sorted(sessions_of):
        mine = sessions_of[volunteer_id]
        if len(mine) < 2:
            continue
        seen: set[frozenset[int]] = set()
        for group in groups:
            shared = group & mine
            if len(shared) > 1 and shared not in seen:
                seen.add(shared)
                model.add_at_most_one(placed[volunteer_id, s] for s in sorted(shared))


def solver_for(time_limit_s: float, workers: int) -> cp_model.CpSolver:
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
    params.max_time_in_seconds = time_limit_s
    params.num_workers = workers
    params.random_seed = SOLVER_SEED
    params.linearization_level = 2
    params.ignore_subsolvers.append("default_lp")
    params.extra_subsolvers.append("max_lp")
    return solver
