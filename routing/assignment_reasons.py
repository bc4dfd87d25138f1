"""Explain the outcome: why each volunteer is left out, and which sessions stay empty."""

from collections.abc import Mapping, Set

from routing.assignment_eligibility import VolunteerOptions
from routing.assignment_types import (
    AssignmentProblem,
    LeftOut,
    LeftOutReason,
    SessionInput,
    SessionShortfall,
    ShortfallReason,
)


def opening_size(session: SessionInput, team_size: int) -> int:
    """Return the fewest volunteers that open a session: whole teams, at least its minimum."""
    needed = max(session.min_volunteers, 1)
    return -(-needed // team_size) * team_size


def left_out_volunteers(
    problem: AssignmentProblem,
    options: Mapping[int, VolunteerOptions],
    placed_ids: Set[int],
    counts: Mapping[int, int],
) -> list[LeftOut]:
    """Give every volunteer placed nowhere a reason, ordered by volunteer id.

    `counts` contains the number of volunteers placed on each session.
    """
    unplaced = [v.id for v in problem.volunteers if v.id not in placed_ids]
    free_per_session: dict[int, int] = {}
    for volunteer_id in unplaced:
        for session_id in options[volunteer_id].eligible_distance_m:
            free_per_session[session_id] = free_per_session.get(session_id, 0) + 1
    sessions = {s.id: s for s in problem.sessions}
    return [
        LeftOut(
            volunteer_id=volunteer_id,
            reason=_reason(options[volunteer_id], sessions, counts, free_per_session, problem),
        )
        for volunteer_id in sorted(unplaced)
    ]


def _reason(
    opts: VolunteerOptions,
    sessions: Mapping[int, SessionInput],
    counts: Mapping[int, int],
    free_per_session: Mapping[int, int],
    problem: AssignmentProblem,
) -> LeftOutReason:
    if not opts.has_home:
        return LeftOutReason.NO_HOME
    if not opts.available_session_ids:
        return LeftOutReason.NO_AVAILABILITY
    if not opts.eligible_distance_m:
        return LeftOutReason.TOO_FAR
    verdicts = {
        _session_verdict(sessions[s], counts.get(s, 0), free_per_session[s], problem.team_size)
        for s in opts.eligible_distance_m
    }
    for reason in (LeftOutReason.NOT_SELECTED, LeftOutReason.NO_PARTNER):
        if reason in verdicts:
            return reason
    return LeftOutReason.SESSIONS_FULL


def _session_verdict(session: SessionInput, count: int, free: int, team_size: int) -> LeftOutReason:
    """Say what kept a volunteer off one eligible session.

    `free` counts the unplaced volunteers eligible for it, this one included. If they
    were enough to add a team, only an early stop of the solver explains the miss.
    """
    if count > 0:
        if count + team_size > session.max_volunteers:
            return LeftOutReason.SESSIONS_FULL
        needed = team_size
    else:
        needed = opening_size(session, team_size)
        if needed > session.max_volunteers:
            return LeftOutReason.SESSIONS_FULL
    if free >= needed:
        return LeftOutReason.NOT_SELECTED
    if needed <= team_size:
        return LeftOutReason.NO_PARTNER
    return LeftOutReason.SESSIONS_FULL


def short_sessions(
    problem: AssignmentProblem,
    options: Mapping[int, VolunteerOptions],
    counts: Mapping[int, int],
) -> list[SessionShortfall]:
    """List the sessions with no volunteer placed, ordered by session id."""
    reachable = {s for opts in options.values() for s in opts.eligible_distance_m}
    return [
        SessionShortfall(
            session_id=session.id,
            reason=(
                ShortfallReason.BELOW_MINIMUM
                if session.id in reachable
                else ShortfallReason.NO_ELIGIBLE_VOLUNTEER
            ),
        )
        for session in sorted(problem.sessions, key=lambda s: s.id)
        if counts.get(session.id, 0) == 0
    ]
