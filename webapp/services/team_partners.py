"""The team a volunteer left alone joins, picked from the number of members still coming."""

from collections.abc import Iterable, Mapping


def partner_team(coming: Mapping[int, int], team: int) -> int | None:
    """Return the team a lone member of `team` joins: the smallest other team still coming.

    `coming` maps each team number to its members still coming. Ties go to the lowest
    number, so two volunteers left alone in teams 2 and 5 pair up in team 2.
    """
    others = [(count, number) for number, count in coming.items() if number != team and count]
    return min(others)[1] if others else None


def count_coming_per_team(statuses: Iterable[tuple[int, bool]]) -> dict[int, int]:
    """Count the members still coming per team from (team, has declined) pairs."""
    counts: dict[int, int] = {}
    for number, has_declined in statuses:
        counts[number] = counts.get(number, 0) + (not has_declined)
    return counts
