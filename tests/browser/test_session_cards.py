"""A coordinator reads a session's routes and volunteers on a phone, one card per row."""

from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.conftest import PHONE_VIEWPORT
from tests.browser.coordinator_login import add_coordinator, log_in_new_coordinator
from tests.webapp.planning.bondy_case import (
    PARC_DU_CHATEAU,
    SATURDAY,
    BondyCase,
    seed_bondy_case,
    seed_pairs,
)
from tests.webapp.planning.three_teams import ROUTE_SETTINGS
from webapp.models import Campaign, Route
from webapp.services.sessions import SessionDraft, create_session

pytestmark = pytest.mark.browser

PASSWORD = "une phrase de passe assez longue"
DESKTOP_VIEWPORT = {"width": 1280, "height": 900}
# Screenshot for a person to look at, which the test does not read.
PHONE_SCREENSHOT_PATH = "/tmp/planning_session_cards_phone.png"  # noqa: S108


@pytest.fixture
def case(live_db: Session) -> BondyCase:
    """Two teams with their routes, a second session to move volunteers to, a coordinator."""
    case = seed_bondy_case(live_db)
    seed_pairs(live_db, case, ROUTE_SETTINGS)
    addresses = list(case.address_ids)
    create_session(
        live_db,
        case.campaign_id,
        SessionDraft(
            day=SATURDAY + timedelta(days=7),
            start=case.starts_at.time(),
            end=case.ends_at.time(),
            iris_code=PARC_DU_CHATEAU,
            min_volunteers=2,
            max_volunteers=8,
            meeting_address_id=addresses[1],
        ),
        today=SATURDAY,
    )
    add_coordinator(live_db, live_db.get(Campaign, case.campaign_id), PASSWORD)
    return case


def is_in_viewport_width(locator: Locator) -> bool:
    """Tell whether the element lies within the page's width, scrolled or not."""
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_VIEWPORT["width"]


def row_display(row: Locator) -> str:
    return row.evaluate("row => getComputedStyle(row).display")


def page_scroll_width(page: Page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def test_session_tables_as_cards_on_phone(
    phone_page: Page, live_server: str, live_db: Session, case: BondyCase
) -> None:
    page = phone_page
    path = f"/planification/sessions/{case.session_id}"
    log_in_new_coordinator(page, live_server, path, PASSWORD)
    # Loaded again, so that the checks wait for the stylesheets.
    page.goto(live_server + path)
    routes = live_db.scalars(
        select(Route).where(Route.session_id == case.session_id).order_by(Route.team)
    ).all()
    assert [route.team for route in routes] == [1, 2]

    assert page_scroll_width(page) <= page.evaluate("window.innerWidth")
    assert row_display(page.locator("#route-1")) == "block"
    for route in routes:
        card = page.locator(f"#route-{route.team}")
        # Addresses, dwellings, doors done, to come back to, metres, minutes, route link.
        cells = card.locator("td")
        expect(cells).to_have_count(7)
        for cell in cells.all():
            expect(cell).to_be_visible()
            assert is_in_viewport_width(cell), cell.inner_text()
        expect(cells.nth(0)).to_have_text(str(route.door_count))
        expect(cells.nth(2)).to_have_text("0")
        link = card.get_by_role("link", name=f"Ouvrir le parcours de l’équipe {route.team}")
        expect(link).to_be_visible()
        assert link.get_attribute("href") == f"/parcours/{route.access_token}"
        assert is_in_viewport_width(link)

    volunteers = page.locator(".volunteer-table tbody tr")
    expect(volunteers).to_have_count(len(case.volunteer_ids))
    for row in volunteers.all():
        lock_button = row.get_by_role("button").first
        move_list = row.get_by_role("combobox")
        expect(lock_button).to_be_visible()
        expect(move_list).to_be_visible()
        assert is_in_viewport_width(lock_button)
        assert is_in_viewport_width(move_list)
    page.screenshot(path=PHONE_SCREENSHOT_PATH, full_page=True)

    # A laptop keeps the tables as tables.
    page.set_viewport_size(DESKTOP_VIEWPORT)  # type: ignore[arg-type]
    assert row_display(page.locator("#route-1")) == "table-row"
    assert row_display(page.locator(".volunteer-table tbody tr").first) == "table-row"
