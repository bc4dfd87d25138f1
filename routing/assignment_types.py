"""Inputs and outputs of the assignment of volunteers to canvassing sessions.

Times are naive local wall-clock values (Europe/Paris): availability is entered that way
and sessions are scheduled that way, so no conversion is needed to compare them.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from routing.assignment_weights import PlanningWeights, WeightName
from routing.geo import GeoPoint
from routing.status import SolveStatus
from routing.transit_table import TransitTable
from routing.walking_table import WalkingTable

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
        _check_minutes(self.start_minute, self.end_minute)


@dataclass(frozen=True, slots=True)
class DatedException:
    """A dated change to the weekly grid: hours off, or extra hours, on one date.

    Without minutes the exception covers the whole day. Time off wins over extra hours
    and over the weekly grid on the same date.
    """

    on_date: date
    is_available: bool
    start_minute: int | None = None
    end_minute: int | None = None

    def __post_init__(self) -> None:
        if (self.start_minute is None) != (self.end_minute is None):
            raise ValueError("an exception needs both minutes or neither")
        if self.start_minute is not None and self.end_minute is not None:
            _check_minutes(self.start_minute, self.end_minute)

    @property
    def minutes(self) -> tuple[int, int]:
        """Return the covered minutes of the day, end exclusive."""
        if self.start_minute is None or self.end_minute is None:
            return (0, MINUTES_PER_DAY)
        return (self.start_minute, self.end_minute)


def _check_minutes(start_minute: int, end_minute: int) -> None:
    if not 0 <= start_minute < end_minute <= MINUTES_PER_DAY:
        raise ValueError(
            f"slot minutes must satisfy 0 <= start < end <= {MINUTES_PER_DAY}, "
            f"got {start_minute}..{end_minute}"
        )


class TravelMode(StrEnum):
    """How a volunteer gets to meeting points, for the travel-time limit."""

    WALK = "walk"
    TRANSIT = "transit"


@dataclass(frozen=True, slots=True)
class Commitment:
    """A session the volunteer is already on outside this run, such as one under way.

    It counts like a placement for clashes, rest and the weekly cap, but earns nothing.
    """

    starts_at: datetime
    ends_at: datetime

    def __post_init__(self) -> None:
        if self.starts_at.tzinfo is not None or self.ends_at.tzinfo is not None:
            raise ValueError("commitment times must be naive local wall-clock values")
        if self.ends_at <= self.starts_at:
            raise ValueError("a commitment must end after it starts")


@dataclass(frozen=True, slots=True)
class VolunteerInput:
    """A volunteer's planning data.

    With neither `max_distance_m` nor `max_travel_minutes` the problem's distance
    applies, and with both the stricter one. `max_sessions_per_week` lower than the
    problem's cap wins. `partner_id` is a friend to canvass with, `previous_session_ids`
    the sessions of the plan being redone (kept when possible), `declined_session_ids`
    sessions they turned down (never proposed again unless locked), `languages` ISO
    639-1 codes, `commitments` the sessions they are on outside this run.
    """

    id: int
    home: GeoPoint | None
    availability: tuple[WeeklySlot, ...]
    is_experienced: bool
    max_distance_m: int | None = None
    locked_session_ids: tuple[int, ...] = ()
    exceptions: tuple[DatedException, ...] = ()
    max_travel_minutes: int | None = None
    travel_mode: TravelMode = TravelMode.WALK
    max_sessions_per_week: int | None = None
    languages: frozenset[str] = frozenset()
    partner_id: int | None = None
    previous_session_ids: tuple[int, ...] = ()
    declined_session_ids: tuple[int, ...] = ()
    commitments: tuple[Commitment, ...] = ()

    def __post_init__(self) -> None:
        if self.max_distance_m is not None and self.max_distance_m < 0:
            raise ValueError(f"volunteer {self.id}: max_distance_m must be >= 0")
        if self.max_travel_minutes is not None and self.max_travel_minutes < 0:
            raise ValueError(f"volunteer {self.id}: max_travel_minutes must be >= 0")
        if self.max_sessions_per_week is not None and self.max_sessions_per_week < 0:
            raise ValueError(f"volunteer {self.id}: max_sessions_per_week must be >= 0")
        if self.partner_id == self.id:
            raise ValueError(f"volunteer {self.id} cannot be their own partner")


@dataclass(frozen=True, slots=True)
class SessionInput:
    """A canvassing session, whose `weight` is the target score (0-100) of its IRIS.

    `languages` lists the languages (ISO 639-1) a team should speak in its IRIS.
    """

    id: int
    starts_at: datetime
    ends_at: datetime
    meeting_point: GeoPoint
    min_volunteers: int
    max_volunteers: int
    weight: float
    languages: frozenset[str] = frozenset()

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

    `time_limit_s` bounds the search: the decomposition rounds, CP-SAT, and the
    diagnosis of conflicting locks (which gets at least 1 s) stop by then. The
    candidates, the first flow with its repair, the teams and the reasons are always
    worked out, which takes about 9 s of CPU for 100,000 volunteers and 50,000
    sessions (see benchmarks/README.md).

    `rest_minutes` must separate two sessions of one volunteer (0 lets sessions
    touch), and `max_sessions_per_week` caps each volunteer per ISO week.
    `conflict_limit` also stops CP-SAT after that many conflicts: with one worker it
    makes runs reproducible, whatever the machine's speed.

    `walking_table`, when given, checks walking-time limits on the streets (see
    `routing.assignment_travel`). Without it every limit is a straight-line radius.
    `transit_table`, when given, checks public transport limits on the timetable in the
    same way.
    """

    volunteers: tuple[VolunteerInput, ...]
    sessions: tuple[SessionInput, ...]
    max_distance_m: int = 3000
    time_limit_s: float = 10.0
    team_size: int = 2
    workers: int = 2
    rest_minutes: int = 60
    max_sessions_per_week: int = 3
    weights: PlanningWeights = field(default_factory=PlanningWeights)
    conflict_limit: int | None = None
    walking_table: WalkingTable | None = None
    transit_table: TransitTable | None = None

    def __post_init__(self) -> None:
        if self.max_distance_m < 0:
            raise ValueError("max_distance_m must be >= 0")
        if not (math.isfinite(self.time_limit_s) and self.time_limit_s > 0):
            raise ValueError("time_limit_s must be a positive number of seconds")
        if self.team_size < 1:
            raise ValueError("team_size must be >= 1")
        if self.workers < 1:
            raise ValueError("workers must be >= 1")
        if self.rest_minutes < 0:
            raise ValueError("rest_minutes must be >= 0")
        if self.max_sessions_per_week < 0:
            raise ValueError("max_sessions_per_week must be >= 0")
        if self.conflict_limit is not None and self.conflict_limit < 0:
            raise ValueError("conflict_limit must be >= 0")
        expected_shape = (len(self.volunteers), len(self.sessions))
        if self.walking_table is not None and self.walking_table.shape != expected_shape:
            raise ValueError(
                f"walking_table must have shape {expected_shape} (volunteers, sessions), "
                f"got {self.walking_table.shape}"
            )
        if self.transit_table is not None and self.transit_table.shape != expected_shape:
            raise ValueError(
                f"transit_table must have shape {expected_shape} (volunteers, sessions), "
                f"got {self.transit_table.shape}"
            )
        _require_unique("volunteer", [v.id for v in self.volunteers])
        _require_unique("session", [s.id for s in self.sessions])
        session_ids = {s.id for s in self.sessions}
        volunteer_ids = {v.id for v in self.volunteers}
        for volunteer in self.volunteers:
            _require_known(volunteer.id, "locked to", volunteer.locked_session_ids, session_ids)
            _require_known(
                volunteer.id, "previously on", volunteer.previous_session_ids, session_ids
            )
            _require_known(volunteer.id, "declining", volunteer.declined_session_ids, session_ids)
            if volunteer.partner_id is not None and volunteer.partner_id not in volunteer_ids:
                raise ValueError(
                    f"volunteer {volunteer.id} has an unknown partner {volunteer.partner_id}"
                )


def _require_unique(kind: str, ids: list[int]) -> None:
    seen: set[int] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"duplicate {kind} id {item}")
        seen.add(item)


def _require_known(volunteer_id: int, relation: str, ids: tuple[int, ...], known: set[int]) -> None:
    unknown = sorted(set(ids) - known)
    if unknown:
        raise ValueError(f"volunteer {volunteer_id} is {relation} unknown sessions {unknown}")


class LeftOutReason(StrEnum):
    """Reason a volunteer got no session: the web app translates these codes."""

    NO_HOME = "no_home"  # no home location, so no distance can be checked
    NO_AVAILABILITY = "no_availability"  # no weekly slot or extra hours cover any session
    DAY_OFF = "day_off"  # the weekly grid covered a session, a dated day off removed it
    TOO_FAR = "too_far"  # available for some sessions, all beyond the distance limit
    TRAVEL_TOO_LONG = "travel_too_long"  # available for some, all beyond the travel time
    WEEKLY_CAP = "weekly_cap"  # their weekly cap is zero, or their commitments use it up
    COMMITTED = "committed"  # every session they were free for clashes with a commitment
    PARTNER_ELSEWHERE = "partner_elsewhere"  # their friend is on a session they cannot join
    NO_PARTNER = "no_partner"  # a session had room, but no team could be formed
    SESSIONS_FULL = "sessions_full"  # eligible sessions are full or missed their minimum
    NOT_SELECTED = "not_selected"  # the solver stopped before placing them


class ShortfallReason(StrEnum):
    """Reason a session stays empty: the web app translates these codes."""

    NO_ELIGIBLE_VOLUNTEER = "no_eligible_volunteer"  # nobody free and within reach
    BELOW_MINIMUM = "below_minimum"  # fewer volunteers within reach than it needs to open
    VOLUNTEERS_BUSY = "volunteers_busy"  # enough, but on sessions at the same time
    REST = "rest"  # enough, but on sessions too close in time to leave their rest
    WEEKLY_CAP = "weekly_cap"  # enough, but already at their weekly number of sessions
    NOT_SELECTED = "not_selected"  # enough were free: the solver stopped or chose others


class WarningCode(StrEnum):
    """A soft rule a plan breaks: the web app translates these codes."""

    TEAM_WITHOUT_EXPERIENCED = "team_without_experienced"
    TEAM_WITHOUT_LANGUAGE = "team_without_language"  # nobody speaks a language the IRIS needs
    PARTNER_APART = "partner_apart"  # a volunteer canvasses without the friend they named


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
class PlanWarning:
    """A soft rule broken by the plan.

    Team warnings name the session and team. `PARTNER_APART` names the volunteer placed
    on `session_id` without their friend, with `team` 0.
    """

    code: WarningCode
    session_id: int
    team: int
    volunteer_id: int | None = None


@dataclass(frozen=True, slots=True)
class ObjectiveTerm:
    """One term of the objective as the final plan scores it.

    `amount` is in the term's own unit: teams (team, experienced, language), score
    points summed over teams (target_score), sessions (session_opened), metres (travel),
    kept assignments (stability), extra-session steps (fairness: 1 for a second session,
    2 more for a third...), sessions both friends could join that only one joins
    (partner). `points` is signed.
    """

    name: WeightName
    amount: int
    points: int


@dataclass(frozen=True, slots=True)
class SessionLock:
    """A manual choice that pins a volunteer to a session."""

    volunteer_id: int
    session_id: int


@dataclass(frozen=True, slots=True)
class AssignmentPlan:
    """Result of one run.

    `objective` is in integer points (see `routing.assignment_weights`) and equals the
    sum of `terms`. `bound` is the optimum of a relaxation (a min-cost flow without the
    team, minimum, overlap and soft rules): no plan scores above it. When the status has
    no solution, `placements`, `left_out` and `short_sessions` are empty. When it is
    INFEASIBLE, `conflicting_locks` lists locks that cannot all hold.
    """

    status: SolveStatus
    placements: tuple[Placement, ...]
    left_out: tuple[LeftOut, ...]
    short_sessions: tuple[SessionShortfall, ...]
    objective: float
    wall_time_s: float
    conflicting_locks: tuple[SessionLock, ...] = ()
    terms: tuple[ObjectiveTerm, ...] = ()
    warnings: tuple[PlanWarning, ...] = ()
    bound: float | None = None
