"""The route's figures on its page and its printed sheet: the whole route's, or, after a
re-planning that walked the team on from its last visited door, those of the walk left.

The hand-seeded route walks G5, G3 (12 dwellings), G1, E2 and E4: 1,260 m and 47.6
minutes in all. Re-planned after its first two doors, its walk left goes through G1, E2
and E4: 640 m and 13.6 minutes.
"""

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.webapp.accounts.html_page import Page
from tests.webapp.canvass.conftest import TOKEN, Walk
from tests.webapp.canvass.pdf_reading import text_lines
from tests.webapp.canvass.test_views import record_visits
from tests.webapp.canvass.test_walk_sheet_pdf import get_pdf
from webapp.db import utcnow
from webapp.services.route_view import load_route_sheet


def replan_from(db_session: Session, walk: Walk, index: int, length_m: int, minutes: float) -> None:
    """Store the route as a re-planning leaves it once its first `index` doors are done."""
    record_visits(db_session, walk, index)
    route = walk.route
    route.walk_start_index = index
    route.length_m = length_m
    route.walking_minutes = round(length_m / 70, 1)
    route.total_minutes = minutes
    db_session.commit()


def in_english(client: FlaskClient) -> None:
    with client.session_transaction() as browser_session:
        browser_session["locale"] = "en"


def totals(client: FlaskClient) -> list[str]:
    """Return the caption of the route page's figures, if any, then the three figures."""
    page = Page(client.get(f"/parcours/{TOKEN}").get_data(as_text=True))
    caption = [page.by_id("totals-caption").text] if page.has_id("totals-caption") else []
    return caption + [page.by_id(f"total-{name}").text for name in ("doors", "length", "minutes")]


def test_page_figures_before_any_visit(client: FlaskClient, walk: Walk) -> None:
    assert totals(client) == ["5 adresses", "1,3 km à pied", "48 min au total"]


def test_page_figures_without_replanning(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    record_visits(db_session, walk, 2)
    db_session.commit()

    assert totals(client) == ["5 adresses", "1,3 km à pied", "48 min au total"]


def test_page_figures_of_walk_left_in_english(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    replan_from(db_session, walk, 2, 640, 13.6)
    in_english(client)

    assert totals(client) == [
        "Route re-planned from step 3:",
        "3 addresses to visit",
        "0.6 km on foot",
        "14 min left",
    ]


def test_page_figures_of_walk_left_in_french(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    replan_from(db_session, walk, 2, 640, 13.6)

    assert totals(client) == [
        "Parcours recalculé depuis l’étape 3 :",
        "3 adresses à visiter",
        "0,6 km à pied",
        "14 min restantes",
    ]


def test_page_figures_of_one_door_left(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    replan_from(db_session, walk, 4, 230, 4.8)
    in_english(client)

    assert totals(client) == [
        "Route re-planned from step 5:",
        "1 address to visit",
        "0.2 km on foot",
        "5 min left",
    ]


def test_page_figures_of_empty_walk_left(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    replan_from(db_session, walk, 5, 0, 0.0)
    walk.route.path = []
    db_session.commit()
    in_english(client)

    assert totals(client) == ["0 addresses to visit", "0.0 km on foot", "0 min left"]


def test_sheet_walk_skips_addresses_no_longer_stored(db_session: Session, walk: Walk) -> None:
    doors = walk.doors
    walk.route.address_ids = [doors["G5"].id, 999_999, doors["E2"].id, doors["E4"].id]
    walk.route.walk_start_index = 1
    db_session.flush()

    sheet = load_route_sheet(db_session, TOKEN, now=utcnow())

    assert sheet.walk_start_step == 2
    assert [stop.number for stop in sheet.walk_stops] == ["2", "4"]


def test_pdf_figures_without_replanning(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    record_visits(db_session, walk, 2)
    db_session.commit()

    lines = text_lines(get_pdf(client))

    for figure in ("5 adresses", "1,3 km à pied", "48 min au total", "environ 16 logements"):
        assert figure in lines, figure
    assert not [line for line in lines if "recalculé" in line]


@pytest.mark.parametrize(
    ("locale", "figures"),
    [
        (
            "en",
            [
                "Route re-planned from step 3:",
                "3 addresses to visit",
                "0.6 km on foot",
                "14 min left",
                "about 3 dwellings",
            ],
        ),
        (
            "fr",
            [
                "Parcours recalculé depuis l’étape 3 :",
                "3 adresses à visiter",
                "0,6 km à pied",
                "14 min restantes",
                "environ 3 logements",
            ],
        ),
    ],
)
def test_pdf_figures_of_walk_left(
    client: FlaskClient, db_session: Session, walk: Walk, locale: str, figures: list[str]
) -> None:
    replan_from(db_session, walk, 2, 640, 13.6)
    with client.session_transaction() as browser_session:
        browser_session["locale"] = locale

    lines = text_lines(get_pdf(client))

    # The plan's door numbers may share a baseline with the figures, so each is looked up.
    for figure in figures:
        assert figure in lines, figure
    positions = [lines.index(figure) for figure in figures]
    assert positions == sorted(positions)
    assert not [line for line in lines if line.startswith(("5 ad", "48 min"))]
