"""Assign volunteers to canvassing sessions with CP-SAT, then form teams.

The model and its objective scaling live in `routing.assignment_model`; this module runs
the steps in order: eligibility, solve, teams, and a reason for each volunteer left out.
"""

import logging
import time
from collections import Counter
from collections.abc import Mapping

from routing.assignment_conflicts import conflicting_locks
from routing.assignment_eligibility import VolunteerOptions, all_options
from routing.assignment_model import Pair, build_model, candidate_points, solver_for
from routing.assignment_reasons import left_out_volunteers, short_sessions
from routing.assignment_teams import form_teams
from routing.assignment_types import (
    AssignmentPlan,
    AssignmentProblem,
    LeftOut,
    LeftOutReason,
    Placement,
    SessionInput,
    SessionLock,
    SessionShortfall,
    ShortfallReason,
    VolunteerInput,
    WeeklySlot,
)
from routing.ortools_api import sat_status
from routing.status import SolveStatus

__all__ = [
    "AssignmentPlan",
    "AssignmentProblem",
    "LeftOut",
    "LeftOutReason",
    "Placement",
    "SessionInput",
    "SessionLock",
    "SessionShortfall",
    "ShortfallReason",
    "VolunteerInput",
    "WeeklySlot",
    "assign_volunteers",
]

logger = logging.getLogger(__name__)


def assign_volunteers(problem: AssignmentProblem) -> AssignmentPlan:
    """Place volunteers on sessions, in teams, and explain who is left out.

    Locked pairs are honoured even outside the volunteer's slots or distance limit. If
    the locks cannot all be honoured, the plan is INFEASIBLE and lists conflicting locks.
    """
    started = time.perf_counter()
    options = all_options(problem)
    points = candidate_points(problem, options)
    if not problem.volunteers or not problem.sessions:
        plan = _plan_from(
            problem, options, [], status=SolveStatus.EMPTY, objective=0.0, started=started
        )
        _log(problem, points, plan)
        return plan
    built = build_model(problem, points)
    solver = solver_for(problem.time_limit_s, problem.workers)
    status = sat_status(solver.solve(built.model))
    if status.has_solution:
        chosen = [pair for pair, var in built.placed.items() if solver.boolean_value(var)]
        plan = _plan_from(
            problem,
            options,
            chosen,
            status=status,
            objective=float(round(solver.objective_value)),
            started=started,
        )
    else:
        conflicts: tuple[SessionLock, ...] = ()
        if status is SolveStatus.INFEASIBLE:
            remaining = problem.time_limit_s - (time.perf_counter() - started)
            conflicts = conflicting_locks(problem, points, remaining)
        plan = AssignmentPlan(
            status=status,
            placements=(),
            left_out=(),
            short_sessions=(),
            objective=0.0,
            wall_time_s=time.perf_counter() - started,
            conflicting_locks=conflicts,
        )
    _log(problem, points, plan)
    return plan


def _plan_from(
    problem: AssignmentProblem,
    options: Mapping[int, VolunteerOptions],
    chosen: list[Pair],
    *,
    status: SolveStatus,
    objective: float,
    started: float,
) -> AssignmentPlan:
    members: dict[int, list[int]] = {}
    for volunteer_id, session_id in chosen:
        members.setdefault(session_id, []).append(volunteer_id)
    experienced = {v.id: v.is_experienced for v in problem.volunteers}
    placements = [
        placement
        for session_id in sorted(members)
        for placement in form_teams(session_id, members[session_id], experienced, problem.team_size)
    ]
    placements.sort(key=lambda p: (p.session_id, p.team, p.volunteer_id))
    counts = Counter(session_id for _, session_id in chosen)
    placed_ids = {volunteer_id for volunteer_id, _ in chosen}
    return AssignmentPlan(
        status=status,
        placements=tuple(placements),
        left_out=tuple(left_out_volunteers(problem, options, placed_ids, counts)),
        short_sessions=tuple(short_sessions(problem, options, counts)),
        objective=objective,
        wall_time_s=time.perf_counter() - started,
    )


def _log(problem: AssignmentProblem, points: Mapping[Pair, int], plan: AssignmentPlan) -> None:
    logger.info(
        "assignment %s: volunteers=%s sessions=%s candidate_pairs=%s locks=%s placed=%s "
        "left_out=%s short_sessions=%s conflicting_locks=%s wall_time_s=%.3f",
        plan.status,
        len(problem.volunteers),
        len(problem.sessions),
        len(points),
        sum(len(set(v.locked_session_ids)) for v in problem.volunteers),
        len(plan.placements),
        len(plan.left_out),
        len(plan.short_sessions),
        len(plan.conflicting_locks),
        plan.wall_time_s,
    )
