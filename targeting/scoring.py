"""Transparent IRIS scoring from polling-station results.

Per polling station s, from the results of one round:

- ``abstention_rate(s) = abstentions(s) / registered(s)``
- ``our_share(s) = our_votes(s) / expressed(s)``, where our_votes is the sum of the votes
  of the campaign's candidates
- ``potential(s) = abstentions(s) × our_share(s)``: the people who stayed home, weighted
  by how much of the vote our candidates get where they live.

Rates and shares are 0 where their denominator is 0.

Stations do not follow IRIS borders, so each station's figures are split over the IRIS
where its electors live, in proportion to its addresses there:
``weight(s, i) = addresses of s in i / addresses of s``. For each IRIS i, registered,
abstentions, expressed, our_votes and potential are the sums over stations of
``weight(s, i) × figure(s)``, and its abstention rate and our share are recomputed from
those sums.

``score(i) = 100 × potential(i) / max potential`` over the IRIS that can be shown, 0 when
that maximum is 0. An IRIS with fewer than MIN_HOUSEHOLDS_SHOWN households is suppressed:
its figures must not be shown, its score is 0 and it ranks after every shown IRIS. It is
left out of the maximum as well, since a maximum of its own would let its potential be
recomputed from any other IRIS's score.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from targeting.names import fold_name
from targeting.readers import StationResult

logger = logging.getLogger(__name__)

MIN_HOUSEHOLDS_SHOWN = 11
"""Minimum number of households for any figure about an area to be shown."""


class UnknownCandidateError(ValueError):
    """Some names given as the campaign's candidates match no candidate of the results."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = tuple(sorted(names))
        super().__init__(f"no candidate of the results is named {', '.join(self.names)}")


@dataclass(frozen=True)
class StationFigures:
    """Turnout and our candidates' results at one polling station."""

    commune_code: str
    station_number: int
    registered: int
    abstentions: int
    voters: int
    expressed: int
    our_votes: int
    abstention_rate: float
    our_share: float
    potential: float
    """Abstentions weighted by our share of the expressed votes, in people."""


@dataclass(frozen=True)
class StationContribution:
    """The part of one station's figures that an IRIS receives."""

    station_number: int
    weight: float
    """Share of the station's addresses that lie in the IRIS, between 0 and 1."""


@dataclass(frozen=True)
class IrisScore:
    """The figures, score and rank of one IRIS, with the stations they come from."""

    iris_code: str
    registered: float
    abstentions: float
    expressed: float
    our_votes: float
    potential: float
    abstention_rate: float
    our_share: float
    score: float
    """Potential as a percentage of the highest potential among shown IRIS."""
    households: float
    is_suppressed: bool
    """True when the IRIS has too few households for any of its figures to be shown."""
    contributions: tuple[StationContribution, ...]
    rank: int
    """1 for the highest score; suppressed IRIS come last."""


def compute_station_figures(
    result: StationResult, our_candidates: frozenset[str]
) -> StationFigures:
    """Compute a station's abstention rate, our share and potential.

    Candidate names match whatever their case, accents and separators, so ``MELENCHON``
    matches ``MÉLENCHON``. Raises UnknownCandidateError if a name in ``our_candidates``
    matches no candidate of the result, and ValueError if ``our_candidates`` is empty.
    """
    if not our_candidates:
        raise ValueError("our_candidates is empty")
    requested = {fold_name(name): name for name in our_candidates}
    votes_by_name = {fold_name(name): votes for name, votes in result.votes}
    unknown = [name for folded, name in requested.items() if folded not in votes_by_name]
    if unknown:
        raise UnknownCandidateError(unknown)

    our_votes = sum(votes_by_name[folded] for folded in requested)
    our_share = _ratio(our_votes, result.expressed)
    return StationFigures(
        commune_code=result.commune_code,
        station_number=result.number,
        registered=result.registered,
        abstentions=result.abstentions,
        voters=result.voters,
        expressed=result.expressed,
        our_votes=our_votes,
        abstention_rate=_ratio(result.abstentions, result.registered),
        our_share=our_share,
        potential=result.abstentions * our_share,
    )


def spread_over_iris(
    figures: Sequence[StationFigures],
    address_counts: Mapping[tuple[int, str], int],
    households: Mapping[str, float],
) -> list[IrisScore]:
    """Split each station's figures over IRIS by its addresses there, then score the IRIS.

    ``address_counts`` maps (station number, IRIS code) to the station's addresses in
    that IRIS, and ``households`` maps IRIS codes to households. The result has one
    entry per IRIS that is in ``households`` or receives part of a station, sorted by
    rank. A station with no address in any IRIS cannot be split and is left out (see
    ``find_unspread_stations``). Raises ValueError for a negative address count or for
    two stations with the same number.
    """
    # NOTE: stations are keyed by number alone, as address_counts is, so one call scores
    # one commune at a time.
    by_number = _index_by_number(figures)
    weights = _station_weights(by_number, address_counts)
    iris_codes = set(households) | {iris_code for _, iris_code in weights}

    contributions: dict[str, list[StationContribution]] = defaultdict(list)
    for (number, iris_code), weight in sorted(weights.items()):
        contributions[iris_code].append(StationContribution(number, weight))

    sums = {code: _sum_figures(contributions[code], by_number) for code in iris_codes}
    shown_potentials = [
        sums[code].potential
        for code in iris_codes
        if households.get(code, 0.0) >= MIN_HOUSEHOLDS_SHOWN
    ]
    max_potential = max(shown_potentials, default=0.0)

    unranked = [
        _score_iris(code, sums[code], contributions[code], households.get(code, 0.0), max_potential)
        for code in iris_codes
    ]
    unranked.sort(key=lambda item: (item.is_suppressed, -item.score, item.iris_code))
    return [replace(item, rank=rank) for rank, item in enumerate(unranked, 1)]


def find_unspread_stations(
    figures: Sequence[StationFigures], address_counts: Mapping[tuple[int, str], int]
) -> list[int]:
    """List the station numbers that have no address in any IRIS, in ascending order."""
    with_addresses = {number for (number, _), count in address_counts.items() if count > 0}
    return sorted(
        item.station_number for item in figures if item.station_number not in with_addresses
    )


def _index_by_number(figures: Sequence[StationFigures]) -> dict[int, StationFigures]:
    by_number: dict[int, StationFigures] = {}
    for item in figures:
        if item.station_number in by_number:
            raise ValueError(f"station number {item.station_number} appears twice")
        by_number[item.station_number] = item
    return by_number


def _station_weights(
    by_number: Mapping[int, StationFigures], address_counts: Mapping[tuple[int, str], int]
) -> dict[tuple[int, str], float]:
    totals: dict[int, int] = defaultdict(int)
    for (number, iris_code), count in address_counts.items():
        if count < 0:
            raise ValueError(f"negative address count for station {number} in IRIS {iris_code}")
        totals[number] += count

    unspread = [number for number in by_number if totals.get(number, 0) == 0]
    if unspread:
        logger.warning(
            "Stations %s have no address in any IRIS and are not scored", sorted(unspread)
        )
    return {
        (number, iris_code): count / totals[number]
        for (number, iris_code), count in address_counts.items()
        if number in by_number and count > 0
    }


@dataclass(frozen=True)
class _SpreadTotals:
    registered: float = 0.0
    abstentions: float = 0.0
    expressed: float = 0.0
    our_votes: float = 0.0
    potential: float = 0.0


def _sum_figures(
    contributions: Sequence[StationContribution], by_number: Mapping[int, StationFigures]
) -> _SpreadTotals:
    totals = _SpreadTotals()
    for contribution in contributions:
        station = by_number[contribution.station_number]
        weight = contribution.weight
        totals = _SpreadTotals(
            registered=totals.registered + weight * station.registered,
            abstentions=totals.abstentions + weight * station.abstentions,
            expressed=totals.expressed + weight * station.expressed,
            our_votes=totals.our_votes + weight * station.our_votes,
            potential=totals.potential + weight * station.potential,
        )
    return totals


def _score_iris(
    iris_code: str,
    totals: _SpreadTotals,
    contributions: Sequence[StationContribution],
    households: float,
    max_potential: float,
) -> IrisScore:
    is_suppressed = households < MIN_HOUSEHOLDS_SHOWN
    if is_suppressed or max_potential == 0:
        score = 0.0
    else:
        score = 100.0 * totals.potential / max_potential
    return IrisScore(
        iris_code=iris_code,
        registered=totals.registered,
        abstentions=totals.abstentions,
        expressed=totals.expressed,
        our_votes=totals.our_votes,
        potential=totals.potential,
        abstention_rate=_ratio(totals.abstentions, totals.registered),
        our_share=_ratio(totals.our_votes, totals.expressed),
        score=score,
        households=households,
        is_suppressed=is_suppressed,
        contributions=tuple(contributions),
        rank=0,
    )


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0
