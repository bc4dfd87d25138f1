"""A coordinator's account and first login in the browser, second factor set up on the way."""

import pyotp
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from tests.factories import make_user
from webapp.models import Campaign
from webapp.models.users import Role

COORDINATOR_EMAIL = "coordination@example.org"


def add_coordinator(session: Session, campaign: Campaign | None, password: str) -> None:
    """Add the campaign's coordinator, with `password`, and commit."""
    make_user(
        session,
        email=COORDINATOR_EMAIL,
        password=password,
        campaign=campaign,
        role=Role.COORDINATOR,
    )
    session.commit()


def log_in_new_coordinator(
    page: Page, live_server: str, path: str, password: str, email: str = COORDINATOR_EMAIL
) -> None:
    """Log in, set up the second factor, and land on `path`, where the login was sent."""
    page.goto(f"{live_server}/connexion?next={path}")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form.stacked button[type=submit]").click()
    # A coordinator's first login sets up the second factor, then goes on.
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("form.stacked button[type=submit]").click()
    page.locator("#recovery-codes + p a").click()
    expect(page).to_have_url(f"{live_server}{path}")
