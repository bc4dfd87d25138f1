from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, ViewportSize, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.conftest import LIVE_HOST, PHONE_VIEWPORT, clusters_west_to_east
from tests.webapp.canvass.conftest import ESPERANTO, GUESDE, TOKEN, seed_walk
from webapp.models import Address, CanvassSession, DoorVisit
from webapp.models.canvass import DoorOutcome

pytestmark = pytest.mark.browser

SCREENSHOT_PATH = "/tmp/route_phone.png"  # noqa: S108 - read by a person, not by the test


@pytest.fixture
def route_url(live_server: str, live_db: Session, monkeypatch: pytest.MonkeyPatch) -> str:
    # These tests never log in, so the users skip the slow password hashing.
    monkeypatch.setattr("tests.factories.hash_password", lambda _password: "unused-hash")
    seed_walk(live_db)
    live_db.commit()
    return f"{live_server}/parcours/{TOKEN}"


def test_route_on_a_phone_without_tiles(
    phone_page: Page, route_url: str, blocked_urls: list[str]
) -> None:
    page = phone_page
    page.goto(route_url)

    expect(page).to_have_title("Votre parcours · Tournée")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Votre parcours")
    expect(page.locator(".walk-street h3")).to_have_text([GUESDE, ESPERANTO])
    expect(page.locator(".walk-number")).to_have_text(["5", "3", "1", "2", "4"])
    # The walking path is drawn as SVG even though every tile request was refused.
    expect(page.locator(".leaflet-overlay-pane svg path")).to_have_count(1)
    # At the zoom that shows the whole route, steps 2 and 3, then 4 and 5, are too close
    # to tell apart. Step 1, the next door, never joins a cluster.
    expect(page.locator(".door-marker")).to_have_text(["1"])
    expect(page.locator(".door-cluster")).to_have_text(["2", "2"])
    expect(page.locator(".meeting-marker")).to_have_count(1)
    # Leaflet's controls speak the page's language.
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Zoomer")
    expect(page.locator(".leaflet-control-zoom-out")).to_have_attribute("title", "Dézoomer")
    expect(page.locator(".leaflet-control-attribution")).not_to_contain_text("JavaScript")
    assert page.locator(".leaflet-control-attribution a[title]").count() == 0
    assert blocked_urls, "the map asked for no tile"
    assert all(LIVE_HOST not in url for url in blocked_urls)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    door_box = page.locator(".walk-door").first.bounding_box()
    assert door_box is not None and door_box["height"] >= 44
    # On a phone the map and the doors come first, the sheet, track and QR code after them.
    pdf_link = page.locator("#route-pdf")
    assert page.locator(".walk-door").first.evaluate(
        "(door, link) => Boolean(door.compareDocumentPosition(link)"
        " & Node.DOCUMENT_POSITION_FOLLOWING)",
        pdf_link.element_handle(),
    )
    pdf_box = pdf_link.bounding_box()
    map_box = page.locator("#route-map").bounding_box()
    assert pdf_box is not None and map_box is not None
    assert map_box["y"] < door_box["y"] < pdf_box["y"]
    page.screenshot(path=SCREENSHOT_PATH, full_page=True)

    # Rue Jules Guesde lies west of the Allée, so its cluster contains steps 2 and 3.
    clusters_west_to_east(page)[0].tap()
    doors = page.locator(".door-marker")
    expect(doors.get_by_text("2", exact=True)).to_be_visible()
    doors.get_by_text("3", exact=True).tap()
    expect(page.locator(".leaflet-popup-content")).to_have_text(f"Étape 3 : 1 {GUESDE}")

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("#route-map")).to_be_hidden()
    expect(page.locator(".walk-street h3")).to_have_text([GUESDE, ESPERANTO])


def test_doors_at_one_point_share_a_marker(
    phone_page: Page, route_url: str, live_db: Session
) -> None:
    # Steps 4 and 5 are 2 and 4 Allée de l’Espéranto: put both at one point.
    step_four, step_five = live_db.scalars(
        select(Address).where(Address.street == ESPERANTO).order_by(Address.number)
    )
    step_five.lon, step_five.lat = step_four.lon, step_four.lat
    live_db.commit()
    page = phone_page
    page.goto(route_url)

    page.locator(".leaflet-control-zoom-in").tap()
    doors = page.locator(".door-marker")
    expect(doors).to_have_count(4)
    # The cluster group puts its markers in the page in an order of its own.
    assert sorted(doors.all_text_contents()) == ["1", "2", "3", "4–5"]
    page.locator(".door-marker-shared").tap()
    expect(page.locator(".leaflet-popup-content .door-marker-line")).to_have_text(
        [f"Étape 4 : 2 {ESPERANTO}", f"Étape 5 : 4 {ESPERANTO}"]
    )


def test_route_to_a_stop_shows_a_flag_there(
    phone_page: Page, route_url: str, live_db: Session
) -> None:
    canvass = live_db.scalars(select(CanvassSession)).one()
    canvass.end_lon, canvass.end_lat, canvass.end_point_label = 2.4830, 48.9040, "Gare"
    live_db.commit()
    page = phone_page
    page.goto(route_url)

    expect(page.locator(".meeting-marker")).to_have_text(["★", "⚑"])
    page.locator(".meeting-marker").nth(1).tap()
    expect(page.locator(".leaflet-popup-content")).to_have_text("Fin du parcours : Gare")
    expect(page.locator(".walk-end")).to_have_text("Finir à Gare")


def test_route_without_javascript_keeps_the_list(browser: Browser, route_url: str) -> None:
    context = browser.new_context(
        viewport=PHONE_VIEWPORT, locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    page.route(
        "**/*",
        lambda route: route.continue_() if LIVE_HOST in route.request.url else route.abort(),
    )
    try:
        page.goto(route_url)
        expect(page.locator(".walk-number")).to_have_text(["5", "3", "1", "2", "4"])
        expect(page.locator("#route-map")).to_be_hidden()
    finally:
        context.close()


# A4 at 96 CSS pixels an inch.
A4_VIEWPORT: ViewportSize = {"width": 794, "height": 1123}
PRINT_PATH = "/tmp/route_print.pdf"  # noqa: S108 - read by a person, not by the test


@pytest.fixture
def a4_page(browser: Browser, blocked_urls: list[str]) -> Iterator[Page]:
    """A French A4-sized page that may only load from 127.0.0.1."""
    context = browser.new_context(
        viewport=A4_VIEWPORT, locale="fr-FR", timezone_id="Europe/Paris", accept_downloads=True
    )
    context.set_default_timeout(10_000)

    def loopback_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname == LIVE_HOST:
            route.continue_()
        else:
            blocked_urls.append(route.request.url)
            route.abort()

    page = context.new_page()
    page.route("**/*", loopback_only)
    yield page
    context.close()


def test_route_prints_on_a4_without_navigation(a4_page: Page, route_url: str) -> None:
    page = a4_page
    page.goto(route_url)
    expect(page.locator(".leaflet-overlay-pane svg path")).to_have_count(1)
    expect(page.locator(".route-plan")).to_be_hidden()

    page.emulate_media(media="print")

    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".skip-link")).to_be_hidden()
    expect(page.locator("#route-map")).to_be_hidden()
    expect(page.locator(".route-downloads")).to_be_hidden()
    expect(page.locator(".route-plan")).to_be_visible()
    expect(page.locator(".route-plan .plan-door")).to_have_count(5)
    expect(page.locator(".route-qr-code svg")).to_be_visible()
    # Last in the page, the QR code still prints beside the session's summary.
    summary_box = page.locator(".route-summary").bounding_box()
    share_box = page.locator(".route-share").bounding_box()
    assert summary_box is not None and share_box is not None
    assert share_box["y"] == summary_box["y"]
    assert share_box["x"] >= summary_box["x"] + summary_box["width"]
    expect(page.locator(".walk-street h3")).to_have_text([GUESDE, ESPERANTO])
    expect(page.locator(".walk-number")).to_have_text(["5", "3", "1", "2", "4"])
    expect(page.locator(".walk-building")).to_have_text(["immeuble, ~12 logements"])
    # Everything fits the width of the printable area, 186 mm at 96 pixels an inch.
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_VIEWPORT["width"]
    plan_box = page.locator(".route-plan-svg").bounding_box()
    assert plan_box is not None and plan_box["height"] <= 105 / 25.4 * 96 + 1
    printed = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    assert printed.startswith(b"%PDF-")
    with open(PRINT_PATH, "wb") as output:
        output.write(printed)


def test_route_page_offers_the_sheet_and_the_track(a4_page: Page, route_url: str) -> None:
    page = a4_page
    page.goto(route_url)

    pdf_link = page.get_by_role("link", name="Imprimer la feuille de route (PDF)")
    gpx_link = page.get_by_role("link", name="Télécharger le tracé (GPX)")
    expect(pdf_link).to_have_attribute("href", f"/parcours/{TOKEN}.pdf")
    expect(page.get_by_role("img", name="QR code du lien court")).to_be_visible()

    sheet = page.request.get(route_url + ".pdf")
    assert sheet.status == 200
    assert sheet.headers["content-type"] == "application/pdf"
    assert sheet.body().startswith(b"%PDF-")

    with page.expect_download() as download_info:
        gpx_link.click()
    assert download_info.value.suggested_filename == "parcours-equipe-1.gpx"


LAPTOP_VIEWPORT = {"width": 1366, "height": 768}


def outcome_button_heights(page: Page) -> set[int]:
    """Return the heights of the first door's outcome buttons, rounded to the pixel."""
    buttons = page.locator(".walk-door").first.get_by_role("button")
    expect(buttons).to_have_count(6)
    boxes = [buttons.nth(index).bounding_box() for index in range(6)]
    return {round(box["height"]) for box in boxes if box is not None}


def test_outcome_labels_hold_on_one_line_on_a_laptop(browser: Browser, route_url: str) -> None:
    context = browser.new_context(viewport=LAPTOP_VIEWPORT, locale="fr-FR")
    page = context.new_page()
    page.route(
        "**/*",
        lambda route: route.continue_() if LIVE_HOST in route.request.url else route.abort(),
    )
    try:
        page.goto(route_url)
        # « Inaccessible » breaks no more than « Absent »: every button keeps its height.
        assert outcome_button_heights(page) == {44}
    finally:
        context.close()


DOORS_SCREENSHOT_PATH = "/tmp/route_doors_phone.png"  # noqa: S108 - read by a person, not by the test


def test_volunteer_records_a_door_on_a_phone(
    phone_page: Page, route_url: str, live_db: Session
) -> None:
    page = phone_page
    page.goto(route_url)
    first_door = page.locator(".walk-door").first
    buttons = first_door.get_by_role("button")
    expect(buttons).to_have_text(
        ["Absent", "A ouvert", "Discussion", "Refus", "Repasser", "Inaccessible"]
    )
    heights = set()
    for index in range(6):
        box = buttons.nth(index).bounding_box()
        assert box is not None
        heights.add(round(box["height"]))
    # Every label holds on one line, so the buttons are all as tall as the smallest allowed.
    assert heights == {44}
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]

    first_door.get_by_role("button", name="Absent").tap()

    first_door = page.locator(".walk-door").first
    # The confirmation sits in the door's item, in view where the redirect scrolled to.
    confirmation = first_door.get_by_role("status")
    expect(confirmation).to_have_text(f"Porte notée : 5 {GUESDE}, Absent.")
    expect(confirmation).to_be_in_viewport()
    expect(page.get_by_role("status")).to_have_count(1)
    expect(page.locator(".flash")).to_have_count(0)
    expect(page.locator("#route-progress")).to_have_text("1 porte faite sur 5")
    expect(first_door).to_have_class("walk-door is-visited")
    expect(first_door.locator(".walk-visited")).to_have_text("faite : Absent")
    expect(page.locator("#walk-resume")).to_have_text(
        "Reprenez à l’étape 2 : les portes marquées « faite » n’ont plus à être visitées."
    )
    assert urlsplit(page.url).fragment.startswith("porte-")
    # The recorded door folds its buttons away; the next one still shows them.
    expect(first_door.get_by_role("button", name="Absent")).to_be_hidden()
    expect(page.locator(".walk-door").nth(1).get_by_role("button", name="Absent")).to_be_visible()
    assert live_db.scalars(select(DoorVisit.outcome)).all() == [DoorOutcome.ABSENT]
    page.screenshot(path=DOORS_SCREENSHOT_PATH, full_page=True)

    page.emulate_media(media="print")
    expect(page.locator(".door-correct")).to_be_hidden()
    expect(page.locator(".door-confirmation")).to_be_hidden()
    expect(page.locator(".door-record").nth(1)).to_be_hidden()
    expect(page.locator(".walk-number")).to_have_text(["5", "3", "1", "2", "4"])
