"""Eligibility of volunteers for sessions, decided before any solving.

Pruning here keeps the CP-SAT model small: a variable exists only for a pair that
passes both the availability and the distance test (or that a coordinator locked).
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time

from routing.assignment_types import (
    MINUTES_PER_DAY,
    AssignmentProblem,
    SessionInput,
    VolunteerInput,
    WeeklySlot,
)
from routing.geo import haversine_m


@dataclass(frozen=True, slots=True)
class SessionWindow:
    """A session as a weekday and a minute range, end exclusive, on its start day."""

    weekday: int
    start_minute: int
    end_minute: int


@dataclass(frozen=True, slots=True)
class VolunteerOptions:
    """The options of one volunteer: sessions they are free for and those within reach."""

    has_home: bool
    available_session_ids: frozenset[int]
    eligible_distance_m: Mapping[int, int]  # session id -> metres from home


def session_window(session: SessionInput) -> SessionWindow:
    """Express a session in minutes of its start day; past midnight the end exceeds 1440."""
    day_start = datetime.combine(session.starts_at.date(), time())
    start_s = (session.starts_at - day_start).total_seconds()
    end_s = (session.ends_at - day_start).total_seconds()
    # Rounding outwards keeps a slot from covering a session it misses by a few seconds.
    return SessionWindow(
        weekday=session.starts_at.weekday(),
        start_minute=math.floor(start_s / 60),
        end_minute=math.ceil(end_s / 60),
    )


def slots_cover(slots: Iterable[WeeklySlot], window: SessionWindow) -> bool:
    """Tell whether one slot contains the whole session window.

    NOTE: a session running past midnight is never covered, even by two back-to-back
    slots on consecutive days. Sessions are expected to end by midnight.
    """
    if window.end_minute > MINUTES_PER_DAY:
        return False
    return any(
        slot.weekday == window.weekday
        and slot.start_minute <= window.start_minute
        and window.end_minute <= slot.end_minute
        for slot in slots
    )


def distance_limit_m(volunteer: VolunteerInput, problem: AssignmentProblem) -> int:
    """Return the volunteer's own distance limit, or the problem default."""
    if volunteer.max_distance_m is not None:
        return volunteer.max_distance_m
    return problem.max_distance_m


def volunteer_options(
    volunteer: VolunteerInput,
    sessions: Iterable[SessionInput],
    windows: Mapping[int, SessionWindow],
    limit_m: int,
) -> VolunteerOptions:
    """Work out the sessions a volunteer is free for and those close enough to their home."""
    available = [s for s in sessions if slots_cover(volunteer.availability, windows[s.id])]
    eligible: dict[int, int] = {}
    if volunteer.home is not None:
        for session in available:
            distance = haversine_m(volunteer.home, session.meeting_point)
            if distance <= limit_m:
                eligible[session.id] = round(distance)
    return VolunteerOptions(
        has_home=volunteer.home is not None,
        available_session_ids=frozenset(s.id for s in available),
        eligible_distance_m=eligible,
    )


def all_options(problem: AssignmentProblem) -> dict[int, VolunteerOptions]:
    """Work out every volunteer's options, keyed by volunteer id."""
    windows = {s.id: session_window(s) for s in problem.sessions}
    return {
        v.id: volunteer_options(v, problem.sessions, windows, distance_limit_m(v, problem))
        for v in problem.volunteers
    }


def overlap_groups(sessions: Iterable[SessionInput]) -> list[frozenset[int]]:
    """Group sessions that run at a common instant; a volunteer joins at most one per group.

    Two intervals overlap exactly when both contain the later start, so the groups of
    sessions running at each session's start cover every overlapping pair.
    """
    ordered = sorted(sessions, key=lambda s: (s.starts_at, s.id))
    groups: set[frozenset[int]] = set()
    for probe in ordered:
        group = frozenset(s.id for s in ordered if s.starts_at <= probe.starts_at < s.ends_at)
        if len(group) > 1:
            groups.add(group)
    return sorted(groups, key=sorted)
