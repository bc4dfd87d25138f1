"""A volunteer rates a past session on a phone, from the link of the thank-you message."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask_babel import gettext
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.conftest import LIVE_SECRET_KEY, PHONE_VIEWPORT
from tests.webapp.broadcasts.crew import seed_crew
from webapp import create_app
from webapp.db import utcnow
from webapp.models import Assignment, SessionFeedback
from webapp.services.reply_links import make_feedback_token
from webapp.settings import Settings

pytestmark = pytest.mark.browser


def with_live_app(action: Callable[[], str]) -> str:
    """Run `action` in a request of an app signing like the live server, in French."""
    app = create_app(
        Settings(environment="test", secret_key=LIVE_SECRET_KEY, database_url="sqlite://")
    )
    with app.test_request_context():
        return action()


def test_volunteer_rates_a_session(
    phone_page: Page, live_server: str, live_db: Session, blocked_urls: list[str]
) -> None:
    crew = seed_crew(live_db, utcnow().date() - timedelta(days=10))
    live_db.commit()
    assignment = live_db.scalars(
        select(Assignment).where(Assignment.user_id == crew.volunteers["alice"].id)
    ).one()
    token = with_live_app(lambda: make_feedback_token(assignment.id))
    page = phone_page

    page.goto(f"{live_server}/avis/{token}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    page.locator("input[name=rating][value='5']").check()
    page.locator("#comment").fill("Super équipe,\nmais trop de pluie.")
    page.locator("#feedback-form button[type=submit]").click()

    saved = with_live_app(lambda: str(gettext("Thank you, your opinion is saved.")))
    expect(page.locator("#feedback-outcome")).to_have_text(saved)
    rows = live_db.scalars(select(SessionFeedback)).all()
    assert [(row.assignment_id, row.rating, row.comment) for row in rows] == [
        (assignment.id, 5, "Super équipe,\nmais trop de pluie.")
    ]
    assert blocked_urls == []
