"""A team that did every door of its route taps « Nous avons fini : d’autres portes » on
a phone and gets more doors.

The French texts checked here need the rebuilt catalogue.
"""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.conftest import PHONE_VIEWPORT
from tests.webapp.planning.bondy_case import BondyCase, seed_bondy_case, seed_pairs
from webapp.db import utcnow
from webapp.models import DoorVisit, Route
from webapp.models.canvass import DoorOutcome
from webapp.services.routes import RouteSettings

pytestmark = pytest.mark.browser

# For a person to look at; the test does not read it.
DONE_SCREENSHOT_PATH = "/tmp/route_all_doors_done.png"  # noqa: S108
ROUTE_SETTINGS = RouteSettings(time_limit_s=1.0)


def team_route(session: Session, team: int) -> Route:
    session.expire_all()
    return session.scalars(select(Route).where(Route.team == team)).one()


@pytest.fixture
def case(live_db: Session) -> BondyCase:
    """Bondy's case with two teams of two and their routes, team 1's doors all done."""
    case = seed_bondy_case(live_db)
    seed_pairs(live_db, case, ROUTE_SETTINGS)
    route = team_route(live_db, 1)
    for address_id in route.address_ids:
        live_db.add(
            DoorVisit(
                route_id=route.id,
                address_id=address_id,
                outcome=DoorOutcome.ABSENT,
                visited_at=utcnow(),
            )
        )
    live_db.commit()
    return case


def test_more_doors_on_a_phone(
    phone_page: Page, live_server: str, live_db: Session, case: BondyCase
) -> None:
    page = phone_page
    route = team_route(live_db, 1)
    done = len(route.address_ids)
    page.goto(f"{live_server}/parcours/{route.access_token}")

    button = page.get_by_role("button", name="Nous avons fini : d’autres portes")
    expect(button).to_be_visible()
    box = button.bounding_box()
    # At the top of the page, in the first screen, and large enough for a thumb.
    assert box is not None and box["height"] >= 44
    assert box["y"] + box["height"] <= PHONE_VIEWPORT["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    page.screenshot(path=DONE_SCREENSHOT_PATH, full_page=True)

    button.tap()

    expect(page.locator(".flash-success")).to_have_text(
        re.compile(r"^Votre équipe a \d+ portes? de plus : ")
    )
    after = team_route(live_db, 1)
    added = len(after.address_ids) - done
    assert added > 0
    expect(page.get_by_role("link", name=re.compile(f"étape {done + 1}"))).to_be_visible()
    expect(page.locator(".walk-door.is-visited")).to_have_count(done)
    expect(page.locator(".walk-door:not(.is-visited)")).to_have_count(added)
    expect(button).to_have_count(0)
