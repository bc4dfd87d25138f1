"""A coordinator reads the campaign's messages on a phone and filters the failed ones."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from tests.browser.conftest import PHONE_VIEWPORT
from tests.browser.coordinator_login import log_in_new_coordinator
from tests.webapp.broadcasts.crew import PASSWORD, seed_crew
from tests.webapp.message_log.rows import add_message
from webapp.db import utcnow
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.users import Channel

pytestmark = pytest.mark.browser

# Screenshot for a person to look at; the test does not read it.
PHONE_SCREENSHOT_PATH = "/tmp/message_log_phone.png"  # noqa: S108
# An address longer than a phone is wide, of a message whose volunteer is gone.
LONG_ADDRESS = "une.adresse.vraiment.tres.longue.pour.un.telephone@association-exemple.org"


@pytest.fixture
def seeded(live_db: Session) -> None:
    crew = seed_crew(live_db, utcnow().date() + timedelta(days=30))
    start = utcnow() - timedelta(hours=2)
    add_message(
        live_db,
        crew.campaign,
        start,
        user=crew.volunteers["alice"],
        purpose=MessagePurpose.ASSIGNMENT_CONFIRMATION,
        sent_at=start,
    )
    add_message(
        live_db,
        crew.campaign,
        start + timedelta(minutes=1),
        user=crew.volunteers["chloe"],
        purpose=MessagePurpose.BROADCAST,
        status=MessageStatus.FAILED,
        failure_reason="unreachable_retried",
    )
    add_message(
        live_db,
        crew.campaign,
        start + timedelta(minutes=2),
        recipient=LONG_ADDRESS,
        channel=Channel.EMAIL,
        purpose=MessagePurpose.SESSION_CHANGED,
        status=MessageStatus.SUPPRESSED,
        failure_reason="withdrawn",
    )
    live_db.commit()


def test_coordinator_reads_the_messages_on_a_phone(
    seeded: None, phone_page: Page, live_server: str, blocked_urls: list[str]
) -> None:
    page = phone_page
    log_in_new_coordinator(page, live_server, "/messages/", PASSWORD)

    expect(page.locator(".message-table tbody tr")).to_have_count(3)
    expect(page.get_by_role("cell", name=LONG_ADDRESS)).to_be_visible()
    table = page.locator(".message-table")
    assert table.evaluate("table => table.scrollWidth <= table.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    page.screenshot(path=PHONE_SCREENSHOT_PATH, full_page=True)

    page.get_by_label("Statut", exact=True).select_option("failed")
    page.get_by_role("button", name="Afficher").click()
    expect(page).to_have_url(f"{live_server}/messages/?status=failed")
    expect(page.locator(".message-table tbody tr")).to_have_count(1)
    expect(page.locator(".message-table tbody tr")).to_contain_text("Chloe Exemple")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    assert blocked_urls == []
