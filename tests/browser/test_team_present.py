"""A member of a team marked absent taps « Nous sommes là » on a phone and gets a route.

The French texts checked here need the rebuilt catalogue.
"""

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.conftest import PHONE_VIEWPORT
from tests.webapp.planning.bondy_case import BondyCase, seed_bondy_case, seed_pairs
from webapp.db import utcnow
from webapp.models import Assignment, Route
from webapp.models.planning import AssignmentStatus
from webapp.services.routes import RouteSettings
from webapp.services.team_changes import mark_team_absent

pytestmark = pytest.mark.browser

# For a person to look at; the test does not read it.
ABSENT_SCREENSHOT_PATH = "/tmp/route_team_absent.png"  # noqa: S108
ROUTE_SETTINGS = RouteSettings(time_limit_s=1.0)


@pytest.fixture
def case(live_db: Session) -> BondyCase:
    """Bondy's case with two teams of two and their routes, team 2 marked absent."""
    case = seed_bondy_case(live_db)
    seed_pairs(live_db, case, ROUTE_SETTINGS)
    mark_team_absent(
        live_db, case.campaign_id, case.session_id, 2, settings=ROUTE_SETTINGS, now=utcnow()
    )
    live_db.commit()
    return case


def team_two_route(session: Session) -> Route:
    session.expire_all()
    return session.scalars(select(Route).where(Route.team == 2)).one()


def test_we_are_here_on_a_phone(
    phone_page: Page, live_server: str, live_db: Session, case: BondyCase
) -> None:
    page = phone_page
    token = team_two_route(live_db).access_token
    page.goto(f"{live_server}/parcours/{token}")

    expect(page.locator("#team-absent")).to_contain_text(
        "Votre équipe a été notée absente : ses portes restantes ont été retirées de son parcours."
    )
    button = page.get_by_role("button", name="Nous sommes là")
    expect(button).to_be_visible()
    expect(page.locator(".door-record")).to_have_count(0)
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    page.screenshot(path=ABSENT_SCREENSHOT_PATH, full_page=True)

    button.tap()

    expect(page.locator(".flash-success")).to_have_text(
        "Votre équipe est de nouveau notée présente : voici son parcours."
    )
    expect(page.locator("#team-absent")).to_have_count(0)
    route = team_two_route(live_db)
    assert route.door_count > 0
    assert route.present_declared_at is not None
    expect(page.locator(".walk-door")).to_have_count(route.door_count)
    expect(page.locator(".door-record")).to_have_count(route.door_count)
    statuses = live_db.scalars(
        select(Assignment.status).where(Assignment.team == 2).order_by(Assignment.id)
    ).all()
    assert statuses == [AssignmentStatus.PROPOSED, AssignmentStatus.PROPOSED]
