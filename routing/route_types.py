"""Inputs and outputs of turf cutting: doors to visit, the session's limits, routes."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from routing.geo import GeoPoint
from routing.status import SolveStatus


@dataclass(frozen=True, slots=True)
class Door:
    """An address to canvass; ``dwellings`` is the number of households behind it."""

    address_id: int
    point: GeoPoint
    street: str
    number: str
    dwellings: int = 1

    def __post_init__(self) -> None:
        if self.dwellings < 1:
            raise ValueError(
                f"door {self.address_id}: dwellings must be at least 1, got {self.dwellings}"
            )
        if not (math.isfinite(self.point.lon) and math.isfinite(self.point.lat)):
            raise ValueError(f"door {self.address_id}: coordinates must be finite numbers")


@dataclass(frozen=True, slots=True)
class TurfProblem:
    """Doors of one canvassing session to share among its teams.

    Every team leaves the meeting point and comes back to it within ``max_minutes``,
    walking at ``walking_speed_m_per_min`` and spending ``minutes_per_dwelling`` per
    household at each door, and knocks on at most ``max_doors_per_route`` doors when
    that is set. ``time_limit_s`` bounds the solver's search; ``solution_limit`` also
    stops it after that many improving solutions, so a run gives the same plan on any
    machine fast enough to get there within the time limit.
    ``balance_cost_per_second`` is the walking (in metres) the plan may add in total to
    shorten the longest walk by one second; 0 minimises the total walk alone. With a
    balance cost, every team gets at least one door when there are doors enough; with
    0, teams may be left without a walk.
    ``end_point``, when set, is where every walk ends instead of the meeting point (a
    public-transport stop): the walk there counts in the route's length and time.
    ``previous_routes``, when set, holds one tuple per team: the address ids the team
    had to visit before a re-planning, in walking order. Ids that are not among
    ``doors`` are ignored. The plan then keeps each of these doors with its team while
    the team's walk has time for it (``routing.turf_model``).
    ``street_change_m`` is what each move between doors of two streets adds to the
    objective, so that walks keep a street's doors together (``routing.street_changes``).
    """

    meeting_point: GeoPoint
    doors: tuple[Door, ...]
    team_count: int
    max_minutes: int
    walking_speed_m_per_min: float = 70.0
    minutes_per_dwelling: float = 1.5
    time_limit_s: float = 5.0
    max_doors_per_route: int | None = None
    balance_cost_per_second: int = 2
    solution_limit: int | None = None
    end_point: GeoPoint | None = None
    previous_routes: tuple[tuple[int, ...], ...] = ()
    street_change_m: int = 0

    @property
    def finish(self) -> GeoPoint:
        """Return where every walk ends: the end point, or else the meeting point."""
        return self.meeting_point if self.end_point is None else self.end_point

    def __post_init__(self) -> None:
        if self.team_count < 1:
            raise ValueError(f"team_count must be at least 1, got {self.team_count}")
        if self.max_minutes <= 0:
            raise ValueError(f"max_minutes must be positive, got {self.max_minutes}")
        if not (math.isfinite(self.walking_speed_m_per_min) and self.walking_speed_m_per_min > 0):
            raise ValueError(
                f"walking_speed_m_per_min must be positive, got {self.walking_speed_m_per_min}"
            )
        if not (math.isfinite(self.minutes_per_dwelling) and self.minutes_per_dwelling >= 0):
            raise ValueError(
                f"minutes_per_dwelling must be zero or positive, got {self.minutes_per_dwelling}"
            )
        if not (math.isfinite(self.time_limit_s) and self.time_limit_s > 0):
            raise ValueError(f"time_limit_s must be positive, got {self.time_limit_s}")
        if self.max_doors_per_route is not None and self.max_doors_per_route < 1:
            raise ValueError(
                f"max_doors_per_route must be at least 1, got {self.max_doors_per_route}"
            )
        if self.balance_cost_per_second < 0:
            raise ValueError(
                f"balance_cost_per_second must be zero or positive, "
                f"got {self.balance_cost_per_second}"
            )
        if self.solution_limit is not None and self.solution_limit < 1:
            raise ValueError(f"solution_limit must be at least 1, got {self.solution_limit}")
        if not (math.isfinite(self.meeting_point.lon) and math.isfinite(self.meeting_point.lat)):
            raise ValueError("meeting_point coordinates must be finite numbers")
        if not (math.isfinite(self.finish.lon) and math.isfinite(self.finish.lat)):
            raise ValueError("end_point coordinates must be finite numbers")
        counts = Counter(door.address_id for door in self.doors)
        duplicates = sorted(i for i, count in counts.items() if count > 1)
        if duplicates:
            raise ValueError(f"each door must appear once; repeated address ids: {duplicates}")
        self._check_previous_routes()

    @property
    def has_previous_teams(self) -> bool:
        """Tell whether a door of the problem was on a team's previous route."""
        return any(team is not None for team in self.previous_teams())

    def previous_teams(self) -> tuple[int | None, ...]:
        """Return the team that had each door before, in door order; None where none did."""
        team_of = {
            address_id: team
            for team, address_ids in enumerate(self.previous_routes)
            for address_id in address_ids
        }
        return tuple(team_of.get(door.address_id) for door in self.doors)

    def _check_previous_routes(self) -> None:
        if not self.previous_routes:
            return
        if len(self.previous_routes) != self.team_count:
            raise ValueError(
                f"previous_routes has {len(self.previous_routes)} routes "
                f"for {self.team_count} teams"
            )
        counts = Counter(i for address_ids in self.previous_routes for i in address_ids)
        repeated = sorted(i for i, count in counts.items() if count > 1)
        if repeated:
            raise ValueError(
                f"each door must be on one previous route; repeated address ids: {repeated}"
            )


@dataclass(frozen=True, slots=True)
class PlannedRoute:
    """One team's walk: doors in visiting order, and its length and duration.

    ``path`` runs from the meeting point (or, for a team already out, its last visited
    door: ``routing.resume``) through every door to the walk's end (the meeting point,
    or the problem's end point).
    A team with no doors has an empty path and zero length.
    """

    team: int
    door_ids: tuple[int, ...]
    length_m: int
    walking_minutes: float
    door_minutes: float
    total_minutes: float
    path: tuple[GeoPoint, ...]


@dataclass(frozen=True, slots=True)
class TurfPlan:
    """Routes of every team (one per team, in team order) and the doors left out."""

    status: SolveStatus
    routes: tuple[PlannedRoute, ...]
    unvisited_door_ids: tuple[int, ...]
    wall_time_s: float


@dataclass(frozen=True, slots=True)
class StreetStretch:
    """Consecutive doors of one street in a walk list, numbers in walking order."""

    street: str
    numbers: tuple[str, ...]
