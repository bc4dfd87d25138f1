"""Sectors: cut a large turf into angular slices around the meeting point.

One routing model over thousands of doors is slow to improve and its matrices need a lot
of memory, so a large turf is cut into sectors of at most ``max_doors`` doors, each with
its share of the teams, and each sector is planned on its own. Slices follow the angle
of each door seen from the meeting point, so every team still starts and ends there and
walks out along its own slice. Each slice holds about the same work (the time at its
doors), and teams are shared in proportion to that work.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from routing.geo import GeoPoint


@dataclass(frozen=True, slots=True)
class Sector:
    """Positions (in the door list) of a slice's doors and the number of its teams."""

    doors: tuple[int, ...]
    team_count: int


@dataclass(frozen=True, slots=True)
class TeamSector:
    """Positions (in the door list) of a sector's doors and the teams that walk them."""

    doors: tuple[int, ...]
    teams: tuple[int, ...]


def number_teams(sectors: Sequence[Sector]) -> tuple[TeamSector, ...]:
    """Give the sectors the problem's teams in order, each sector its ``team_count``."""
    numbered = []
    first = 0
    for sector in sectors:
        numbered.append(TeamSector(sector.doors, tuple(range(first, first + sector.team_count))))
        first += sector.team_count
    return tuple(numbered)


def keep_previous_teams(
    sectors: Sequence[Sector], previous_teams: Sequence[int | None], *, team_count: int
) -> tuple[TeamSector, ...]:
    """Give each team the sector of most of its previous doors, and those doors with it.

    ``previous_teams[d]`` is the team that had door ``d`` before a re-planning, or None.
    A door that no team had stays in its slice. Teams without previous doors go one at
    a time to the sector furthest below its share of teams (``split_sectors``). A sector
    left without a team hands its doors to the nearest sector before it that has one,
    or after it when none before has. A sector may end up without doors.
    """
    slice_of = {door: k for k, sector in enumerate(sectors) for door in sector.doors}
    counts: dict[int, Counter[int]] = {}
    for door, team in enumerate(previous_teams):
        if team is not None:
            counts.setdefault(team, Counter())[slice_of[door]] += 1
    home = {
        team: min(count.items(), key=lambda item: (-item[1], item[0]))[0]
        for team, count in counts.items()
    }
    teams: list[list[int]] = [[] for _ in sectors]
    for team in range(team_count):
        if team in home:
            teams[home[team]].append(team)
    for team in range(team_count):
        if team not in home:
            k = max(range(len(sectors)), key=lambda k: (sectors[k].team_count - len(teams[k]), -k))
            teams[k].append(team)
    doors: list[list[int]] = [[] for _ in sectors]
    for door, team in enumerate(previous_teams):
        doors[slice_of[door] if team is None else home[team]].append(door)
    staffed = [k for k in range(len(sectors)) if teams[k]]
    for k in range(len(sectors)):
        if not teams[k]:
            before = [j for j in staffed if j < k]
            doors[before[-1] if before else staffed[0]].extend(doors[k])
    return tuple(TeamSector(tuple(sorted(doors[k])), tuple(teams[k])) for k in staffed)


def split_sectors(
    meeting_point: GeoPoint,
    points: Sequence[GeoPoint],
    work: Sequence[float],
    *,
    team_count: int,
    max_doors: int,
) -> tuple[Sector, ...]:
    """Cut the doors into angular sectors of at most ``max_doors`` doors with their teams.

    ``work`` is each door's weight (for instance its seconds at the door). There are
    never more sectors than teams, so with few teams a sector may hold more doors.
    """
    count = len(points)
    if len(work) != count:
        raise ValueError(f"work has {len(work)} values for {count} doors")
    if max_doors < 1:
        raise ValueError(f"max_doors must be at least 1, got {max_doors}")
    sector_count = min(team_count, -(-count // max_doors))
    if sector_count <= 1:
        return (Sector(tuple(range(count)), team_count),)
    angle = _angles(meeting_point, points)
    order = np.argsort(angle, kind="stable")
    order = np.roll(order, -_widest_gap_end(angle[order]))
    weights = np.asarray(work, dtype=np.float64)[order] + 1e-9
    cumulative = np.cumsum(weights) / weights.sum()
    # A slice ends just after the door whose cumulative work reaches its share.
    targets = np.searchsorted(cumulative, np.arange(1, sector_count) / sector_count - 1e-9) + 1
    cuts: list[int] = []
    for k, target in enumerate(targets):
        # Every sector keeps at least one door.
        low = cuts[-1] + 1 if cuts else 1
        high = count - (sector_count - 1 - k)
        cuts.append(min(max(int(target), low), high))
    slices = np.split(order, cuts)
    total = np.asarray(work, dtype=np.float64)
    teams = _share_teams([float(total[part].sum()) for part in slices], team_count)
    return tuple(
        Sector(tuple(sorted(int(d) for d in part)), share)
        for part, share in zip(slices, teams, strict=True)
    )


def _angles(meeting_point: GeoPoint, points: Sequence[GeoPoint]) -> NDArray[np.float64]:
    """Return each point's bearing from the meeting point, in radians."""
    scale = math.cos(math.radians(meeting_point.lat))
    dx = np.array([(p.lon - meeting_point.lon) * scale for p in points])
    dy = np.array([p.lat - meeting_point.lat for p in points])
    angles: NDArray[np.float64] = np.arctan2(dy, dx)
    return angles


def _widest_gap_end(sorted_angles: NDArray[np.float64]) -> int:
    """Return the index that follows the widest empty angle, where slicing starts.

    Starting there keeps a slice from wrapping around an empty direction.
    """
    gaps = np.diff(np.append(sorted_angles, sorted_angles[0] + 2 * math.pi))
    return int((np.argmax(gaps) + 1) % sorted_angles.shape[0])


def _share_teams(work: list[float], team_count: int) -> list[int]:
    """Give each sector one team, then the rest in proportion to its work."""
    shares = [1] * len(work)
    spare = team_count - len(work)
    total = sum(work) or 1.0
    exact = [spare * w / total for w in work]
    for k, value in enumerate(exact):
        shares[k] += int(value)
    left = team_count - sum(shares)
    by_remainder = sorted(range(len(work)), key=lambda k: exact[k] - int(exact[k]), reverse=True)
    for k in by_remainder[:left]:
        shares[k] += 1
    return shares
