"""A coordinator on the targeting page in Chromium: the map, its legend and a saved target."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, ViewportSize, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.conftest import PHONE_VIEWPORT
from tests.browser.coordinator_login import add_coordinator, log_in_new_coordinator
from tests.webapp.targets.scored_case import CENTRE, PETIT_BOIS, SAINT_BLAISE, seed_scored_case
from tests.webapp.targets.test_answers_page import CENTRE_ANSWERS, add_answers
from webapp.models import Campaign, IrisScore
from webapp.services.targets_view import SCORE_CLASSES, SUPPRESSED_COLOUR

pytestmark = pytest.mark.browser

PASSWORD = "une phrase de passe assez longue"
DESKTOP_VIEWPORT = {"width": 1280, "height": 900}


@pytest.fixture
def coordinator_page(phone_page: Page, live_server: str, live_db: Session) -> Page:
    """A desktop-sized page of a logged-in coordinator of the scored case."""
    case = seed_scored_case(live_db)
    add_coordinator(live_db, case.campaign, PASSWORD)
    page = phone_page
    page.set_viewport_size(DESKTOP_VIEWPORT)
    log_in_new_coordinator(page, live_server, "/ciblage/", PASSWORD)
    return page


def test_coordinator_saves_target_from_map(
    coordinator_page: Page, live_db: Session, blocked_urls: list[str]
) -> None:
    page = coordinator_page
    shapes = page.locator("#targets-map .leaflet-overlay-pane svg path")

    # Three IRIS drawn, without any map tile.
    expect(shapes).to_have_count(3)
    fills = {shapes.nth(index).get_attribute("fill") for index in range(3)}
    assert fills == {SCORE_CLASSES[4].colour, SCORE_CLASSES[1].colour, SUPPRESSED_COLOUR}
    legend = page.locator(".targets-legend")
    expect(legend).to_contain_text("80 à 100")
    expect(legend).to_contain_text("données masquées (moins de 11 ménages)")
    swatch = legend.locator("[data-score-class='5'] .legend-swatch")
    assert (
        swatch.evaluate("element => getComputedStyle(element).backgroundColor")
        == "rgb(122, 26, 16)"
    )
    expect(page.locator(f"#target-{PETIT_BOIS}")).to_have_count(0)

    page.locator(f"#target-{CENTRE}").check()
    page.get_by_role("button", name="Enregistrer les cibles").click()

    expect(page.get_by_role("status")).to_have_text("1 IRIS cible enregistré.")
    expect(page.locator(f"#target-{CENTRE}")).to_be_checked()
    # The target is outlined on the map once the page reloads.
    expect(page.locator("#targets-map path[stroke-width='4']")).to_have_count(1)
    targets = {
        row.iris_code for row in live_db.scalars(select(IrisScore).where(IrisScore.is_target))
    }
    assert targets == {CENTRE}
    # Only map tiles were asked of another host, and the browser never reached it.
    assert all(urlsplit(url).path.endswith(".png") for url in blocked_urls)


def test_suppressed_popup_has_no_figure(coordinator_page: Page) -> None:
    page = coordinator_page
    expect(page.locator("#targets-map .leaflet-overlay-pane svg path")).to_have_count(3)

    page.locator(f"#targets-map path[fill='{SUPPRESSED_COLOUR}']").click()

    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Petit Bois (930100303)")
    expect(popup).to_contain_text("données masquées (moins de 11 ménages)")
    rest = popup.inner_text().replace("930100303", "").replace("moins de 11 ménages", "")
    assert not any(char.isdigit() for char in rest)


LAPTOP_VIEWPORT: ViewportSize = {"width": 1366, "height": 768}


def test_ranking_explanation_is_readable(coordinator_page: Page) -> None:
    page = coordinator_page
    page.set_viewport_size(LAPTOP_VIEWPORT)
    page.reload()

    explanation = page.locator(f"#iris-{CENTRE} td.explanation")
    box = explanation.bounding_box()
    assert box is not None and box["width"] >= 300
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP_VIEWPORT["width"]
    # A station's line wraps at most once, so the page grows by the row, not by the word.
    items = explanation.locator("li")
    assert items.count() >= 1
    line_height = items.first.evaluate("item => parseFloat(getComputedStyle(item).lineHeight)")
    for index in range(items.count()):
        item_box = items.nth(index).bounding_box()
        assert item_box is not None and item_box["height"] <= 2 * line_height + 1, index

    page.set_viewport_size(PHONE_VIEWPORT)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    ranking = page.get_by_role("region", name="Classement des IRIS", exact=True).and_(
        page.locator(".table-scroll")
    )
    assert ranking.evaluate("box => box.scrollWidth > box.clientWidth")


def test_answers_page_reads_like_a_table(
    coordinator_page: Page, live_server: str, live_db: Session
) -> None:
    campaign = live_db.scalars(select(Campaign)).one()
    add_answers(live_db, campaign, CENTRE, CENTRE_ANSWERS)
    add_answers(live_db, campaign, SAINT_BLAISE, (("La sécurité", "no"),))
    page = coordinator_page
    page.goto(f"{live_server}/ciblage/reponses")

    themes = page.locator(f"#iris-{CENTRE} table.answers-themes")
    row_header = themes.locator("tbody th").first
    expect(row_header).to_have_text("Logement")
    assert row_header.evaluate("cell => getComputedStyle(cell).textAlign") == "left"
    assert row_header.evaluate("cell => getComputedStyle(cell).borderBottomStyle") == "solid"
    expect(themes.locator("tbody th").last).to_have_text("Sans thème")
    count = themes.locator("td.number").first
    assert count.evaluate("cell => getComputedStyle(cell).textAlign") == "right"
    expect(page.locator(f"#iris-{SAINT_BLAISE} table")).to_have_count(0)
    # The keywords box ends well above the first IRIS heading.
    keywords = page.locator("#answers-keywords").bounding_box()
    heading = page.locator(f"#iris-{CENTRE}-title").bounding_box()
    assert keywords is not None
    assert heading is not None
    assert heading["y"] - (keywords["y"] + keywords["height"]) >= 24

    page.get_by_role("link", name="Retour au ciblage").click()
    expect(page).to_have_url(f"{live_server}/ciblage/")
