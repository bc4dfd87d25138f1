"""Counting a building's dwellings on a phone: 3 Rue Jules Guesde, step 2, has 12 dwellings."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.conftest import LIVE_HOST, PHONE_VIEWPORT
from tests.webapp.canvass.conftest import GUESDE, TOKEN, seed_walk
from webapp.models import DoorVisit
from webapp.models.canvass import DoorOutcome

pytestmark = pytest.mark.browser

SCREENSHOT_PATH = "/tmp/route_tally_phone.png"  # noqa: S108 - read by a person, not by the test


@pytest.fixture
def route_url(live_server: str, live_db: Session, monkeypatch: pytest.MonkeyPatch) -> str:
    # These tests never log in, so the users skip the slow password hashing.
    monkeypatch.setattr("tests.factories.hash_password", lambda _password: "unused-hash")
    seed_walk(live_db)
    live_db.commit()
    return f"{live_server}/parcours/{TOKEN}"


@pytest.fixture
def no_script_page(browser: Browser) -> Iterator[Page]:
    """A French phone-sized page with JavaScript off, that may only load from 127.0.0.1."""
    context = browser.new_context(
        viewport=PHONE_VIEWPORT, locale="fr-FR", java_script_enabled=False, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.route(
        "**/*",
        lambda route: route.continue_() if LIVE_HOST in route.request.url else route.abort(),
    )
    yield page
    context.close()


def building(page: Page) -> Locator:
    return page.locator(".walk-door").nth(1)


def count_box(door: Locator, label: str) -> Locator:
    return door.get_by_label(label, exact=True)


def stored(session: Session) -> list[tuple[DoorOutcome, dict[str, int] | None]]:
    session.expire_all()
    return [
        (visit.outcome, visit.dwelling_counts)
        for visit in session.scalars(select(DoorVisit).order_by(DoorVisit.id))
    ]


def test_volunteer_counts_a_building_on_a_phone(
    phone_page: Page, route_url: str, live_db: Session
) -> None:
    page = phone_page
    page.goto(route_url)
    door = building(page)
    # The quick buttons stay above the count.
    expect(door.get_by_role("button", name="Discussion")).to_be_visible()
    expect(page.locator(".walk-door").first.locator(".door-tally")).to_have_count(0)

    door.get_by_text("Compter les logements").tap()
    boxes = door.locator(".tally-input")
    expect(boxes).to_have_count(5)
    for index in range(5):
        box = boxes.nth(index).bounding_box()
        assert box is not None and box["height"] >= 44
        expect(boxes.nth(index)).to_have_attribute("inputmode", "numeric")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]

    # A negative count is refused, next to its box, and the numbers typed stay.
    count_box(door, "Absent").fill("-12")
    count_box(door, "Discussion").fill("8")
    door.get_by_role("button", name="Noter les logements").tap()

    door = building(page)
    message = "Le nombre pour « Absent » ne peut pas être négatif : saisissez 0 ou plus."
    errors = door.locator(".tally-errors")
    expect(errors).to_be_focused()
    expect(errors).to_be_in_viewport()
    expect(errors).to_have_text(message)
    expect(door.locator(".field-error")).to_have_text(f"Erreur : {message}")
    # The error's link leads to its box.
    errors.get_by_role("link").tap()
    expect(count_box(door, "Absent")).to_be_focused()
    expect(count_box(door, "Discussion")).to_have_value("8")
    assert stored(live_db) == []

    count_box(door, "Absent").fill("12")
    door.get_by_role("button", name="Noter les logements").tap()

    door = building(page)
    confirmation = door.get_by_role("status")
    expect(confirmation).to_have_text(f"Logements notés : 3 {GUESDE}, 20 logements, Discussion.")
    expect(confirmation).to_be_in_viewport()
    expect(door.locator(".walk-tally")).to_have_text("Logements comptés : Absent 12, Discussion 8")
    expect(door.locator(".walk-visited")).to_have_text("faite : Discussion")
    expect(page.locator("#route-progress")).to_have_text("1 porte faite sur 5")
    assert stored(live_db) == [
        (
            DoorOutcome.CONVERSATION,
            {"absent": 12, "opened": 0, "conversation": 8, "refused": 0, "inaccessible": 0},
        )
    ]
    # The form keeps the counts, for the team to update them on its return.
    door.get_by_text("Compter les logements").tap()
    expect(count_box(door, "Absent")).to_have_value("12")
    expect(count_box(door, "Discussion")).to_have_value("8")
    page.screenshot(path=SCREENSHOT_PATH, full_page=True)

    page.emulate_media(media="print")
    expect(page.locator(".door-tally")).to_be_hidden()
    expect(page.locator(".walk-tally")).to_be_hidden()


def test_count_without_javascript(no_script_page: Page, route_url: str, live_db: Session) -> None:
    page = no_script_page
    page.goto(route_url)
    door = building(page)

    door.get_by_text("Compter les logements").tap()
    count_box(door, "Absent").fill("4")
    count_box(door, "Refus").fill("2")
    door.get_by_label("Repasser plus tard chez les absents").check()
    door.get_by_role("button", name="Noter les logements").tap()

    door = building(page)
    expect(door.get_by_role("status")).to_have_text(
        f"Logements notés : 3 {GUESDE}, 6 logements, Repasser."
    )
    expect(door.locator(".walk-visited")).to_have_text("à repasser")
    expect(page.locator("#route-progress")).to_have_text("0 porte faite sur 5, 1 à repasser")
    assert stored(live_db) == [
        (
            DoorOutcome.COME_BACK,
            {"absent": 4, "opened": 0, "conversation": 0, "refused": 2, "inaccessible": 0},
        )
    ]
