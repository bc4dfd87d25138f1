"""A coordinator closes a street on the day from a phone: one short summary tops the page.

The summary's line naming the changed teams is French text that needs the rebuilt
catalogue.
"""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.conftest import PHONE_VIEWPORT
from tests.browser.coordinator_login import add_coordinator, log_in_new_coordinator
from tests.webapp.planning.bondy_case import (
    CLOSABLE_STREET,
    CLOSABLE_STREET_DOORS,
    PARC_ADDRESS_COUNT,
    BondyCase,
    seed_bondy_case,
    seed_pairs,
)
from tests.webapp.planning.session_pages import routes_changed
from tests.webapp.planning.three_teams import ROUTE_SETTINGS, to_visit_by_team
from webapp.db import utcnow
from webapp.models import Campaign, CanvassSession, Message
from webapp.models.messaging import MessagePurpose

pytestmark = pytest.mark.browser

PASSWORD = "une phrase de passe assez longue"
# A screenshot for a person to look at; the test does not read it.
SUMMARY_SCREENSHOT_PATH = "/tmp/replan_summary_phone.png"  # noqa: S108


@pytest.fixture
def case(live_db: Session) -> BondyCase:
    """Three teams whose three-hour session starts in an hour, and their coordinator."""
    case = seed_bondy_case(live_db, volunteer_count=6)
    canvass = live_db.get(CanvassSession, case.session_id)
    assert canvass is not None
    canvass.starts_at = utcnow() + timedelta(hours=1)
    canvass.ends_at = canvass.starts_at + timedelta(hours=3)
    seed_pairs(live_db, case, ROUTE_SETTINGS)
    add_coordinator(live_db, live_db.get(Campaign, case.campaign_id), PASSWORD)
    return case


def test_replan_summary_fits_the_first_screen(
    phone_page: Page, live_server: str, live_db: Session, case: BondyCase
) -> None:
    page = phone_page
    session_path = f"/planification/sessions/{case.session_id}"
    log_in_new_coordinator(page, live_server, session_path, PASSWORD)
    before = to_visit_by_team(live_db)

    page.locator("#street").select_option(label=CLOSABLE_STREET)
    page.get_by_role("button", name="Fermer la rue et recalculer les parcours").click()

    expect(page.locator("#closed-streets li")).to_have_count(1)
    live_db.expire_all()
    notices = select(Message.user_id).where(Message.purpose == MessagePurpose.ROUTE_CHANGED)
    notified = set(live_db.scalars(notices))
    assert notified
    summary = page.locator(".flash")
    expect(summary).to_have_count(1)
    expect(page.locator(".flash-success > p")).to_have_text(
        f"Rue fermée pour cette session : {CLOSABLE_STREET}."
    )
    expect(page.locator(".flash-details li")).to_have_text(
        [
            "Parcours recalculés. Adresses à visiter : "
            f"{PARC_ADDRESS_COUNT - CLOSABLE_STREET_DOORS}.",
            f"Par rapport à avant : {CLOSABLE_STREET_DOORS} adresses à visiter en moins.",
            routes_changed(before, to_visit_by_team(live_db)),
            f"{CLOSABLE_STREET_DOORS} adresses de l’IRIS ne sont pas couvertes : leur rue est "
            "fermée.",
            f"{len(notified)} bénévoles seront prévenus du changement par SMS ou e-mail dans "
            "2 minutes.",
        ]
    )
    # The whole summary shows in the first screen, above the session's heading.
    assert page.evaluate("window.scrollY") == 0
    box = summary.bounding_box()
    heading = page.get_by_role("heading", level=1).bounding_box()
    assert box is not None and heading is not None
    assert box["y"] + box["height"] <= PHONE_VIEWPORT["height"]
    assert box["y"] + box["height"] <= heading["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    page.screenshot(path=SUMMARY_SCREENSHOT_PATH)
