"""Split the volunteers placed on a session into teams."""

from collections.abc import Iterable, Mapping, Set

from routing.assignment_types import Placement


def form_teams(
    session_id: int,
    volunteer_ids: Iterable[int],
    is_experienced: Mapping[int, bool],
    team_size: int,
    *,
    speaks: Set[int] = frozenset(),
    partner_pairs: Iterable[tuple[int, int]] = (),
    gap_points: tuple[int, int] = (2, 1),
) -> list[Placement]:
    """Deal the session's volunteers into teams of `team_size`.

    Friends who asked to canvass together share a team first. Then volunteers are dealt
    one by one (experienced speakers, experienced, speakers, others, each by id) to the
    team where they fill a gap (no experienced member, no speaker of a needed language),
    else to the emptiest team, lowest number first. `gap_points` weighs filling an
    experienced gap against filling a language gap. Without friends and speakers this is
    a round-robin of the experienced, then of the others, so no team gets a second
    experienced member before every team has one.
    """
    members = sorted(set(volunteer_ids))
    if not members:
        return []
    team_count = -(-len(members) // team_size)
    teams: list[list[int]] = [[] for _ in range(team_count)]
    placed: set[int] = set()
    if team_size >= 2:
        _seat_partners(teams, members, partner_pairs, team_size, placed)

    def rank(v: int) -> tuple[bool, bool, int]:
        return (not is_experienced[v], v not in speaks, v)

    for volunteer in sorted((v for v in members if v not in placed), key=rank):
        best = min(
            (t for t in range(team_count) if len(teams[t]) < team_size),
            key=lambda t: (
                -_gain(teams[t], volunteer, is_experienced, speaks, gap_points),
                len(teams[t]),
                t,
            ),
        )
        teams[best].append(volunteer)
    return [
        Placement(volunteer_id=v, session_id=session_id, team=number)
        for number, team in enumerate(teams, start=1)
        for v in sorted(team)
    ]


def _seat_partners(
    teams: list[list[int]],
    members: list[int],
    partner_pairs: Iterable[tuple[int, int]],
    team_size: int,
    placed: set[int],
) -> None:
    present = set(members)
    next_team = 0
    for a, b in sorted(tuple(sorted(pair)) for pair in partner_pairs):
        if a in present and b in present and a not in placed and b not in placed:
            while next_team < len(teams) and len(teams[next_team]) + 2 > team_size:
                next_team += 1
            if next_team == len(teams):
                return
            teams[next_team].extend((a, b))
            placed.update((a, b))
            if len(teams[next_team]) >= team_size:
                next_team += 1


def _gain(
    team: list[int],
    volunteer: int,
    is_experienced: Mapping[int, bool],
    speaks: Set[int],
    gap_points: tuple[int, int],
) -> int:
    gain = 0
    if is_experienced[volunteer] and not any(is_experienced[m] for m in team):
        gain += gap_points[0]
    if volunteer in speaks and not any(m in speaks for m in team):
        gain += gap_points[1]
    return gain
