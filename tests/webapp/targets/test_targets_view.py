"""Colour bands of the targeting map and the rows of the ranked table."""

import pytest
from sqlalchemy.orm import Session

from tests.webapp.targets.scored_case import CENTRE, PETIT_BOIS, SAINT_BLAISE, seed_scored_case
from webapp.services.targets_view import SCORE_CLASSES, load_targeting_table, score_class


@pytest.mark.parametrize(
    ("score", "index"),
    [(0.0, 1), (19.99, 1), (20.0, 2), (33.3, 2), (59.9, 3), (60.0, 4), (80.0, 5), (100.0, 5)],
)
def test_score_class_bounds(score: float, index: int) -> None:
    assert score_class(score).index == index


def test_bands_cover_zero_to_hundred_without_gap() -> None:
    bounds = [(band.lower, band.upper) for band in SCORE_CLASSES]
    assert bounds == [(0, 20), (20, 40), (40, 60), (60, 80), (80, 100)]
    assert len({band.colour for band in SCORE_CLASSES}) == 5


def test_table_hides_suppressed_figures(db_session: Session) -> None:
    case = seed_scored_case(db_session)

    table = load_targeting_table(db_session, case.campaign.id)

    assert [row.code for row in table.rows] == [SAINT_BLAISE, CENTRE, PETIT_BOIS]
    first = table.rows[0].figures
    assert first is not None
    assert (first.rank, first.registered, first.households) == (1, 850.0, 300.0)
    assert first.score == pytest.approx(100.0)
    assert first.potential == pytest.approx(168.75)
    assert first.abstention_rate == pytest.approx(375 / 850)
    assert first.our_share == pytest.approx(192.5 / 470)
    assert [(s.number, s.name, s.weight) for s in first.stations] == [
        (2, "Gymnase Roger Salengro", 0.75),
        (1, "École Jules Ferry", 0.25),
    ]
    second = table.rows[1].figures
    assert second is not None
    assert second.score == pytest.approx(100 * 56.25 / 168.75)
    assert table.rows[2].is_suppressed
    assert table.rows[2].figures is None
    assert table.target_count == 0


def test_table_is_empty_before_scoring(db_session: Session) -> None:
    case = seed_scored_case(db_session, score=False)

    table = load_targeting_table(db_session, case.campaign.id)

    assert table.rows == ()
    assert not table.has_scores
    assert table.computed_at is None
