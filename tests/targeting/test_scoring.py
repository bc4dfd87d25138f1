import logging

import pytest

from targeting.crosswalk import count_station_addresses
from targeting.households import households_per_iris
from targeting.readers import StationResult
from targeting.scoring import (
    MIN_HOUSEHOLDS_SHOWN,
    IrisScore,
    StationContribution,
    UnknownCandidateError,
    compute_station_figures,
    find_unspread_stations,
    spread_over_iris,
)
from targeting.territory import TerritoryData

OURS = frozenset({"MÉLENCHON"})


def _result(
    number: int, *, registered: int, abstentions: int, blank: int, ours: int, others: int
) -> StationResult:
    voters = registered - abstentions
    expressed = ours + others
    null = voters - blank - expressed
    votes = (("MÉLENCHON", ours), ("LE_PEN", others))
    return StationResult(
        "93010", number, registered, abstentions, voters, blank, null, expressed, votes
    )


# Station 1: 100 registered, 40 abstentions, 50 expressed, 20 ours: share 0.4, potential 16.
# Station 2: 200 registered, 50 abstentions, 100 expressed, 60 ours: share 0.6, potential 30.
RESULT_1 = _result(1, registered=100, abstentions=40, blank=6, ours=20, others=30)
STATION_1 = compute_station_figures(RESULT_1, OURS)
STATION_2 = compute_station_figures(
    _result(2, registered=200, abstentions=50, blank=40, ours=60, others=40), OURS
)
# Station 1 has 3 addresses in A and 1 in B, station 2 has all 4 of its addresses in B.
ADDRESSES = {(1, "930100101"): 3, (1, "930100102"): 1, (2, "930100102"): 4}


def _by_code(scores: list[IrisScore]) -> dict[str, IrisScore]:
    return {score.iris_code: score for score in scores}


def test_bondy_station_1_by_hand(bondy: TerritoryData) -> None:
    result = next(item for item in bondy.presidential_results if item.number == 1)

    figures = compute_station_figures(result, OURS)

    assert (figures.commune_code, figures.station_number) == ("93010", 1)
    assert (figures.registered, figures.abstentions, figures.voters) == (736, 190, 546)
    assert (figures.expressed, figures.our_votes) == (533, 233)
    assert figures.abstention_rate == pytest.approx(190 / 736)
    assert figures.our_share == pytest.approx(233 / 533)
    assert figures.potential == pytest.approx(190 * 233 / 533)
    assert figures.potential == pytest.approx(83.05816135)


@pytest.mark.parametrize("name", ["MELENCHON", "Mélenchon", "melenchon", " MÉLENCHON "])
def test_candidate_matched_loosely(name: str) -> None:
    figures = compute_station_figures(RESULT_1, frozenset({name}))

    assert figures.our_votes == 20


def test_several_candidates_summed() -> None:
    figures = compute_station_figures(RESULT_1, frozenset({"Le Pen", "MÉLENCHON"}))

    assert (figures.our_votes, figures.our_share, figures.potential) == (50, 1.0, 40.0)


def test_unknown_candidate() -> None:
    with pytest.raises(UnknownCandidateError) as caught:
        compute_station_figures(RESULT_1, frozenset({"MELANCHON", "MÉLENCHON"}))

    assert caught.value.names == ("MELANCHON",)


def test_no_candidate() -> None:
    with pytest.raises(ValueError, match="empty"):
        compute_station_figures(RESULT_1, frozenset())


def test_station_without_votes() -> None:
    empty = StationResult("93010", 9, 0, 0, 0, 0, 0, 0, (("MÉLENCHON", 0),))

    figures = compute_station_figures(empty, OURS)

    assert (figures.abstention_rate, figures.our_share, figures.potential) == (0.0, 0.0, 0.0)


def test_hand_stations() -> None:
    assert STATION_1.our_share == pytest.approx(0.4)
    assert STATION_1.potential == pytest.approx(16.0)
    assert STATION_1.abstention_rate == pytest.approx(0.4)
    assert STATION_2.our_share == pytest.approx(0.6)
    assert STATION_2.potential == pytest.approx(30.0)
    assert STATION_2.abstention_rate == pytest.approx(0.25)


def test_spread_two_stations_two_iris() -> None:
    scores = spread_over_iris(
        [STATION_1, STATION_2], ADDRESSES, {"930100101": 50.0, "930100102": 200.0}
    )

    assert [score.iris_code for score in scores] == ["930100102", "930100101"]
    b, a = scores
    # A receives 3/4 of station 1.
    assert a.registered == pytest.approx(75.0)
    assert a.abstentions == pytest.approx(30.0)
    assert a.expressed == pytest.approx(37.5)
    assert a.our_votes == pytest.approx(15.0)
    assert a.potential == pytest.approx(12.0)
    assert a.abstention_rate == pytest.approx(0.4)
    assert a.our_share == pytest.approx(0.4)
    assert a.score == pytest.approx(100 * 12 / 34)
    assert a.contributions == (StationContribution(1, 0.75),)
    assert (a.rank, a.households, a.is_suppressed) == (2, 50.0, False)
    # B receives 1/4 of station 1 and all of station 2.
    assert b.registered == pytest.approx(225.0)
    assert b.abstentions == pytest.approx(60.0)
    assert b.expressed == pytest.approx(112.5)
    assert b.our_votes == pytest.approx(65.0)
    assert b.potential == pytest.approx(34.0)
    assert b.abstention_rate == pytest.approx(60 / 225)
    assert b.our_share == pytest.approx(65 / 112.5)
    assert b.score == pytest.approx(100.0)
    assert b.contributions == (StationContribution(1, 0.25), StationContribution(2, 1.0))
    assert (b.rank, b.households, b.is_suppressed) == (1, 200.0, False)


def test_suppressed_iris_under_11_households() -> None:
    scores = _by_code(
        spread_over_iris([STATION_1, STATION_2], ADDRESSES, {"930100101": 10.0, "930100102": 11.0})
    )

    assert scores["930100101"].is_suppressed
    assert scores["930100101"].score == 0.0
    assert scores["930100101"].rank == 2
    assert not scores["930100102"].is_suppressed
    assert scores["930100102"].score == pytest.approx(100.0)
    assert MIN_HOUSEHOLDS_SHOWN == 11


def test_suppressed_iris_left_out_of_maximum() -> None:
    scores = _by_code(
        spread_over_iris([STATION_1, STATION_2], ADDRESSES, {"930100101": 50.0, "930100102": 10.9})
    )

    # B has the higher potential (34) but is hidden, so A's 12 sets the scale.
    assert scores["930100101"].score == pytest.approx(100.0)
    assert scores["930100101"].rank == 1
    assert scores["930100102"].is_suppressed
    assert scores["930100102"].score == 0.0
    assert scores["930100102"].rank == 2
    assert scores["930100102"].potential == pytest.approx(34.0)


def test_iris_without_station_or_households() -> None:
    scores = _by_code(spread_over_iris([STATION_1, STATION_2], ADDRESSES, {"930100103": 400.0}))

    assert scores.keys() == {"930100101", "930100102", "930100103"}
    empty = scores["930100103"]
    assert (empty.registered, empty.potential, empty.score, empty.contributions) == (
        0.0,
        0.0,
        0.0,
        (),
    )
    assert not empty.is_suppressed
    # No households figure means none may be shown.
    assert scores["930100101"].is_suppressed
    assert scores["930100102"].is_suppressed
    ranks = {code: score.rank for code, score in scores.items()}
    assert ranks == {"930100103": 1, "930100101": 2, "930100102": 3}


def test_all_potentials_zero() -> None:
    none_of_ours = compute_station_figures(
        _result(1, registered=100, abstentions=40, blank=6, ours=0, others=50), OURS
    )

    (score,) = spread_over_iris([none_of_ours], {(1, "930100101"): 2}, {"930100101": 30.0})

    assert (score.potential, score.score, score.rank) == (0.0, 0.0, 1)


def test_station_without_addresses(caplog: pytest.LogCaptureFixture) -> None:
    lost = compute_station_figures(
        _result(3, registered=500, abstentions=100, blank=0, ours=100, others=300), OURS
    )

    with caplog.at_level(logging.WARNING, logger="targeting.scoring"):
        scores = spread_over_iris(
            [STATION_1, STATION_2, lost], ADDRESSES, {"930100101": 50.0, "930100102": 200.0}
        )

    assert sum(score.registered for score in scores) == pytest.approx(300.0)
    assert find_unspread_stations([STATION_1, STATION_2, lost], ADDRESSES) == [3]
    assert "[3]" in caplog.text


def test_repeated_station_number() -> None:
    with pytest.raises(ValueError, match="station number 1"):
        spread_over_iris([STATION_1, STATION_1], ADDRESSES, {})


def test_negative_address_count() -> None:
    with pytest.raises(ValueError, match="negative"):
        spread_over_iris([STATION_1], {(1, "930100101"): -1}, {})


def test_bondy_scores(bondy: TerritoryData) -> None:
    figures = [
        compute_station_figures(result, frozenset({"MELENCHON"}))
        for result in bondy.presidential_results
    ]
    counts = count_station_addresses(bondy.reu_addresses, bondy.iris)
    households = households_per_iris(bondy.grid_squares, bondy.iris)

    scores = spread_over_iris(figures, counts, households)

    assert len(scores) == 22
    assert [score.rank for score in scores] == list(range(1, 23))
    assert scores[0].score == pytest.approx(100.0)
    assert scores[0].iris_code == "930100107"
    assert sum(score.registered for score in scores) == pytest.approx(25_281)
    assert sum(score.our_votes for score in scores) == pytest.approx(9_290)
    assert sum(score.potential for score in scores) == pytest.approx(
        sum(item.potential for item in figures)
    )
    assert not any(score.is_suppressed for score in scores)
    assert find_unspread_stations(figures, counts) == []
