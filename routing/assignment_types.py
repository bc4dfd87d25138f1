"""Inputs and outputs of the assignment of volunteers to canvassing sessions.

Times are naive local wall-clock values (Europe/Paris): availability is entered that way
and sessions are scheduled that way, so no conversion is needed to compare them.
"""

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from routing.geo import GeoPoint
from routing.status import SolveStatus

MINUTES_PER_DAY = 1440
MAX_WEIGHT = 100.0


@dataclass(frozen=True, slots=True)
class WeeklySlot:
    """A recurring weekly window when a volunteer can canvass, end minute exclusive."""

    weekday: int  # 0 = Monday
    start_minute: int
    end_minute: int

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0..6, got {self.weekday}")
        if not 0 <= self.start_minute < self.end_minute <= MINUTES_PER_DAY:
            raise ValueError(
                f"slot minutes must satisfy 0 <= start < end <= {MINUTES_PER_DAY}, "
                f"got {self.start_minute}..{self.end_minute}"
            )


@dataclass(frozen=True, slots=True)
class VolunteerInput:
    """A volunteer's planning data; `max_distance_m` None means the problem default."""

    id: int
    home: GeoPoint | None
    availability: tuple[WeeklySlot, ...]
    is_experienced: bool
    max_distance_m: int | None = None
    locked_session_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.max_distance_m is not None and self.max_distance_m < 0:
            raise ValueError(f"volunteer {self.id}: max_distance_m must be >= 0")


@dataclass(frozen=True, slots=True)
class SessionInput:
    """A canvassing session; `weight` is the target score (0-100) of its IRIS."""

    id: int
    starts_at: datetime
    ends_at: datetime
    meeting_point: GeoPoint
    min_volunteers: int
    max_volunteers: int
    weight: float

    def __post_init__(self) -> None:
        if self.starts_at.tzinfo is not None or self.ends_at.tzinfo is not None:
            raise ValueError(f"session {self.id}: times must be naive local wall-clock values")
        if self.ends_at <= self.starts_at:
            raise ValueError(f"session {self.id}: ends_at must be after starts_at")
        if not 0 <= self.min_volunteers <= self.max_volunteers:
            raise ValueError(f"session {self.id}: need 0 <= min_volunteers <= max_volunteers")
        if not (math.isfinite(self.weight) and 0.0 <= self.weight <= MAX_WEIGHT):
            raise ValueError(f"session {self.id}: weight must be within 0..{MAX_WEIGHT}")


@dataclass(frozen=True, slots=True)
class AssignmentProblem:
    """Everything one assignment run needs.

    `time_limit_s` bounds the solver: the main solve, then the diagnosis of conflicting
    locks in whatever time is left.
    """

    volunteers: tuple[VolunteerInput, ...]
    sessions: tuple[SessionInput, ...]
    max_distance_m: int = 3000
    time_limit_s: float = 10.0
    team_size: int = 2
    workers: int = 2

    def __post_init__(self) -> None:
        if self.max_distance_m < 0:
            raise ValueError("max_distance_m must be >= 0")
        if not (math.isfinite(self.time_limit_s) and self.time_limit_s > 0):
            raise ValueError("time_limit_s must be a positive number of seconds")
        if self.team_size < 1:
            raise ValueError("team_size must be >= 1")
        if self.workers < 1:
            raise ValueError("workers must be >= 1")
        _require_unique("volunteer", [v.id for v in self.volunteers])
        _require_unique("session", [s.id for s in self.sessions])
        session_ids = {s.id for s in self.sessions}
        for volunteer in self.volunteers:
            unknown = sorted(set(volunteer.locked_session_ids) - session_ids)
            if unknown:
                raise ValueError(
                    f"volunteer {volunteer.id} is locked to unknown sessions {unknown}"
                )


def _require_unique(kind: str, ids: list[int]) -> None:
    seen: set[int] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"duplicate {kind} id {item}")
        seen.add(item)


class LeftOutReason(StrEnum):
    """Reason a volunteer got no session: the web app translates these codes."""

    NO_HOME = "no_home"  # no home location, so no distance can be checked
    NO_AVAILABILITY = "no_availability"  # no weekly slot covers any session
    TOO_FAR = "too_far"  # available for some sessions, all beyond the distance limit
    NO_PARTNER = "no_partner"  # a session had room, but no team could be formed
    SESSIONS_FULL = "sessions_full"  # eligible sessions are full or missed their minimum
    NOT_SELECTED = "not_selected"  # the solver stopped before placing them


class ShortfallReason(StrEnum):
    """Reason a session stays empty: the web app translates these codes."""

    BELOW_MINIMUM = "below_minimum"  # some volunteers were eligible, too few to open it
    NO_ELIGIBLE_VOLUNTEER = "no_eligible_volunteer"


@dataclass(frozen=True, slots=True)
class SessionShortfall:
    """A session that no volunteer was placed on."""

    session_id: int
    reason: ShortfallReason


@dataclass(frozen=True, slots=True)
class Placement:
    """A volunteer placed on a session, in team 1..k of that session."""

    volunteer_id: int
    session_id: int
    team: int


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A volunteer placed nowhere, with the reason."""

    volunteer_id: int
    reason: LeftOutReason


@dataclass(frozen=True, slots=True)
class SessionLock:
    """A manual choice that pins a volunteer to a session."""

    volunteer_id: int
    session_id: int


@dataclass(frozen=True, slots=True)
class AssignmentPlan:
    """Result of one run.

    `objective` is in the solver's integer points (see `routing.assignment_model`).
    When the status has no solution, `placements`, `left_out` and `short_sessions` are
    empty; when it is INFEASIBLE, `conflicting_locks` lists locks that cannot all hold.
    """

    status: SolveStatus
    placements: tuple[Placement, ...]
    left_out: tuple[LeftOut, ...]
    short_sessions: tuple[SessionShortfall, ...]
    objective: float
    wall_time_s: float
    conflicting_locks: tuple[SessionLock, ...] = ()
