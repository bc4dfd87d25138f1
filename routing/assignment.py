"""Assign volunteers to canvassing sessions, form teams and explain the outcome.

Steps: candidate pairs (availability, travel), min-cost flows over the core rules
(fast, and a bound on the objective), a greedy repair into a valid plan, then CP-SAT on
each independent part that may still improve, started from that plan. Teams are dealt
last, and every volunteer left out and every empty session gets a reason.
"""

import logging
import time

import numpy as np
import numpy.typing as npt

from routing.assignment_components import split_components
from routing.assignment_index import PlanningIndex, build_index
from routing.assignment_locks import LockState, lock_state
from routing.assignment_objective import score_terms, total_points
from routing.assignment_reasons import left_out_volunteers, short_sessions
from routing.assignment_search import SearchOutcome, improve
from routing.assignment_start import first_plan
from routing.assignment_teams import form_teams
from routing.assignment_types import (
    AssignmentPlan,
    AssignmentProblem,
    DatedException,
    LeftOut,
    LeftOutReason,
    ObjectiveTerm,
    Placement,
    PlanWarning,
    SessionInput,
    SessionLock,
    SessionShortfall,
    ShortfallReason,
    TravelMode,
    VolunteerInput,
    WarningCode,
    WeeklySlot,
)
from routing.assignment_weights import PlanningWeights, WeightName
from routing.status import SolveStatus

__all__ = [
    "AssignmentPlan",
    "AssignmentProblem",
    "DatedException",
    "LeftOut",
    "LeftOutReason",
    "ObjectiveTerm",
    "Placement",
    "PlanWarning",
    "PlanningWeights",
    "SessionInput",
    "SessionLock",
    "SessionShortfall",
    "ShortfallReason",
    "TravelMode",
    "VolunteerInput",
    "WarningCode",
    "WeeklySlot",
    "WeightName",
    "assign_volunteers",
]

logger = logging.getLogger(__name__)

IntArray = npt.NDArray[np.int64]


def assign_volunteers(problem: AssignmentProblem) -> AssignmentPlan:
    """Place volunteers on sessions, in teams, and explain who is left out.

    Locked pairs are honoured even outside the volunteer's slots, travel limit, rest or
    weekly cap. If the locks cannot all be honoured, the plan is INFEASIBLE and lists
    conflicting locks.
    """
    started = time.perf_counter()
    deadline = started + problem.time_limit_s
    index = build_index(problem)
    locks = lock_state(index)
    if not problem.volunteers or not problem.sessions:
        empty = np.zeros(0, dtype=np.int64)
        plan = _plan_from(
            index, locks, empty, status=SolveStatus.EMPTY, bound=None, started=started
        )
        _log(index, plan)
        return plan
    parts = split_components(index)
    start = first_plan(index, locks, parts, started)
    outcome = improve(index, locks, parts, start, deadline)
    if not outcome.status.has_solution:
        plan = _no_plan(outcome, started)
    else:
        plan = _plan_from(
            index,
            locks,
            outcome.chosen,
            status=outcome.status,
            bound=outcome.bound,
            started=started,
        )
    _log(index, plan)
    return plan


def _no_plan(outcome: SearchOutcome, started: float) -> AssignmentPlan:
    return AssignmentPlan(
        status=outcome.status,
        placements=(),
        left_out=(),
        short_sessions=(),
        objective=0.0,
        wall_time_s=time.perf_counter() - started,
        conflicting_locks=outcome.conflicting_locks,
    )


def _plan_from(
    index: PlanningIndex,
    locks: LockState,
    chosen: IntArray,
    *,
    status: SolveStatus,
    bound: int | None,
    started: float,
) -> AssignmentPlan:
    placements, team_of = _teams(index, chosen)
    terms = score_terms(index, chosen, team_of)
    objective = total_points(terms)
    if status is SolveStatus.EMPTY:
        bound = 0
    return AssignmentPlan(
        status=status,
        placements=tuple(placements),
        left_out=tuple(left_out_volunteers(index, locks, chosen)),
        short_sessions=tuple(short_sessions(index, locks, chosen)),
        objective=float(objective),
        wall_time_s=time.perf_counter() - started,
        terms=terms,
        warnings=tuple(_warnings(index, chosen, placements)),
        bound=None if bound is None else float(bound),
    )


def _teams(index: PlanningIndex, chosen: IntArray) -> tuple[list[Placement], IntArray]:
    """Deal every session's volunteers into teams, and return the placements and teams.

    NOTE: the solvers count max(0, teams - experienced members) teams without an
    experienced member, and likewise for speakers. Friends seated together first, or
    both rules at once, can leave more such teams after dealing, so an OPTIMAL plan's
    objective may then fall below its bound.
    """
    cand = index.candidates
    problem = index.problem
    volunteers = problem.volunteers
    members: dict[int, list[int]] = {}
    for c in chosen.tolist():
        members.setdefault(int(cand.session[c]), []).append(c)
    friends: dict[int, list[int]] = {}
    for a, b in index.partners:
        friends.setdefault(volunteers[a].id, []).append(volunteers[b].id)
    weights = index.weights
    placements: list[Placement] = []
    team_of_pair: dict[tuple[int, int], int] = {}
    for s in sorted(members):
        own = members[s]
        ids = [volunteers[int(cand.volunteer[c])].id for c in own]
        experienced = {
            volunteers[int(cand.volunteer[c])].id: bool(index.experienced[cand.volunteer[c]])
            for c in own
        }
        speaks = {volunteers[int(cand.volunteer[c])].id for c in own if cand.speaks[c]}
        dealt = form_teams(
            problem.sessions[s].id,
            ids,
            experienced,
            problem.team_size,
            speaks=speaks,
            partner_pairs=[(a, b) for a in ids for b in friends.get(a, ()) if b in experienced],
            gap_points=(weights.experienced, weights.language),
        )
        placements.extend(dealt)
        team_of_pair.update({(p.volunteer_id, p.session_id): p.team for p in dealt})
    placements.sort(key=lambda p: (p.session_id, p.team, p.volunteer_id))
    team_of = np.array(
        [
            team_of_pair[
                volunteers[int(cand.volunteer[c])].id, problem.sessions[int(cand.session[c])].id
            ]
            for c in chosen.tolist()
        ],
        dtype=np.int64,
    )
    return placements, team_of


def _warnings(
    index: PlanningIndex, chosen: IntArray, placements: list[Placement]
) -> list[PlanWarning]:
    """List teams that miss an experienced member or a speaker, and friends kept apart."""
    problem = index.problem
    position = {v.id: i for i, v in enumerate(problem.volunteers)}
    session_position = {s.id: j for j, s in enumerate(problem.sessions)}
    cand = index.candidates
    speaking = {
        (int(cand.volunteer[c]), int(cand.session[c])) for c in chosen.tolist() if cand.speaks[c]
    }
    teams: dict[tuple[int, int], list[int]] = {}
    for p in placements:
        teams.setdefault((p.session_id, p.team), []).append(p.volunteer_id)
    warnings: list[PlanWarning] = []
    for (session_id, team), ids in sorted(teams.items()):
        s = session_position[session_id]
        if not any(index.experienced[position[v]] for v in ids):
            warnings.append(PlanWarning(WarningCode.TEAM_WITHOUT_EXPERIENCED, session_id, team))
        if index.needs_language[s] and not any((position[v], s) in speaking for v in ids):
            warnings.append(PlanWarning(WarningCode.TEAM_WITHOUT_LANGUAGE, session_id, team))
    teams_of: dict[int, dict[int, int]] = {}
    for p in placements:
        teams_of.setdefault(p.volunteer_id, {})[p.session_id] = p.team
    for a, b in index.partners:
        first, second = problem.volunteers[a].id, problem.volunteers[b].id
        for me, friend in ((first, second), (second, first)):
            theirs = teams_of.get(friend, {})
            for session_id, team in teams_of.get(me, {}).items():
                if theirs.get(session_id) != team:
                    warnings.append(PlanWarning(WarningCode.PARTNER_APART, session_id, 0, me))
    return sorted(warnings, key=lambda w: (w.session_id, w.team, w.code, w.volunteer_id or 0))


def _log(index: PlanningIndex, plan: AssignmentPlan) -> None:
    logger.info(
        "assignment %s: volunteers=%s sessions=%s candidate_pairs=%s locks=%s placed=%s "
        "left_out=%s short_sessions=%s conflicting_locks=%s objective=%s bound=%s "
        "wall_time_s=%.3f",
        plan.status,
        index.volunteer_count,
        index.session_count,
        len(index.candidates),
        int(index.candidates.is_locked.sum()),
        len(plan.placements),
        len(plan.left_out),
        len(plan.short_sessions),
        len(plan.conflicting_locks),
        round(plan.objective),
        None if plan.bound is None else round(plan.bound),
        plan.wall_time_s,
    )
