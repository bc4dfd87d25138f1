"""A route of many doors on a phone: the doors too close to tell apart merge into clusters."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.conftest import LIVE_HOST, clusters_west_to_east
from tests.webapp.canvass.conftest import ESPERANTO, TOKEN, add_door, seed_walk
from webapp.db import utcnow
from webapp.models import Address, DoorVisit, Route
from webapp.models.canvass import DoorOutcome

pytestmark = pytest.mark.browser

SCREENSHOT_PATH = "/tmp/route_clusters_phone.png"  # noqa: S108 - read by a person, not by the test

# Four parallel streets north of the five doors of the seeded walk, 16 doors each, about
# 10 m apart along a street and 60 m apart across, like a town centre's terraced houses.
STREETS = ("Rue de la République", "Rue Roger Salengro", "Avenue Gallieni", "Rue Pasteur")
DOORS_PER_STREET = 16
WEST_LON = 2.4780
SOUTH_LAT = 48.9040
DOOR_GAP_DEG = 0.00014
STREET_GAP_DEG = 0.00054
# A residence whose three entrances the address base puts at one point: steps 70 to 72.
RESIDENCE = "Résidence les Tilleuls"
RESIDENCE_POINT = (2.4790, 48.9062)
RESIDENCE_SUFFIXES = ("", "bis", "ter")
LONG_ROUTE_DOORS = 5 + len(STREETS) * DOORS_PER_STREET + len(RESIDENCE_SUFFIXES)
VENDORED_FILES = {
    "/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
    "/static/vendor/leaflet.markercluster/MarkerCluster.css",
    "/static/vendor/leaflet.markercluster/MarkerCluster.Default.css",
}


def seed_long_walk(session: Session) -> Route:
    """Lengthen the seeded five-door walk with four streets, then a residence."""
    walk = seed_walk(session)
    doors: list[Address] = []
    for row, street in enumerate(STREETS):
        lat = SOUTH_LAT + row * STREET_GAP_DEG
        # The walk goes along one street eastwards and back along the next.
        columns = range(DOORS_PER_STREET) if row % 2 == 0 else range(DOORS_PER_STREET - 1, -1, -1)
        for column in columns:
            point = (WEST_LON + column * DOOR_GAP_DEG, lat)
            doors.append(add_door(session, street, 2 * column + 1, point))
    for suffix in RESIDENCE_SUFFIXES:
        doors.append(add_door(session, RESIDENCE, 3, RESIDENCE_POINT, suffix=suffix))

    route = walk.route
    meeting = [walk.canvass_session.meeting_lon, walk.canvass_session.meeting_lat]
    stops = [session.get_one(Address, address_id) for address_id in route.address_ids]
    stops.extend(doors)
    route.address_ids = [address.id for address in stops]
    route.path = [meeting, *([address.lon, address.lat] for address in stops), meeting]
    route.door_count = len(stops)
    route.dwelling_count = sum(max(1, address.dwellings) for address in stops)
    session.flush()
    return route


def doors_shown(marker_texts: list[str]) -> int:
    """Count the doors that door markers represent: "7" is one door, "70–72" three."""
    count = 0
    for text in marker_texts:
        first, _, last = text.partition("–")
        count += int(last or first) - int(first) + 1
    return count


def tile_pattern(tile_url: str) -> re.Pattern[str]:
    """Match the URLs of the tiles that a Leaflet URL template such as {z}/{x}/{y} names."""
    return re.compile(re.sub(r"\\\{[sxyz]\\\}", "[a-z0-9]+", re.escape(tile_url)) + "$")


@pytest.fixture
def long_route(live_server: str, live_db: Session, monkeypatch: pytest.MonkeyPatch) -> Route:
    # These tests never log in, so the users skip the slow password hashing.
    monkeypatch.setattr("tests.factories.hash_password", lambda _password: "unused-hash")
    route = seed_long_walk(live_db)
    live_db.commit()
    return route


def test_long_route_clusters_doors_on_a_phone(
    phone_page: Page, live_server: str, long_route: Route
) -> None:
    page = phone_page
    requests: list[Request] = []

    # A function of its own, because Playwright sets an attribute on its handlers and a
    # bound builtin such as list.append rejects it.
    def record(request: Request) -> None:
        requests.append(request)

    page.on("request", record)
    page.goto(f"{live_server}/parcours/{TOKEN}")

    expect(page.locator("#total-doors")).to_have_text(f"{LONG_ROUTE_DOORS} adresses")
    clusters = page.locator(".marker-cluster")
    doors = page.locator(".door-marker")
    expect(clusters.first).to_be_visible()
    page.screenshot(path=SCREENSHOT_PATH, full_page=True)
    cluster_counts = [int(text) for text in clusters.all_text_contents()]
    door_texts = doors.all_text_contents()
    assert len(cluster_counts) > 0
    assert len(door_texts) + len(cluster_counts) < LONG_ROUTE_DOORS
    # The whole route is in view, so the clusters and the doors left apart add up to it.
    assert sum(cluster_counts) + doors_shown(door_texts) == LONG_ROUTE_DOORS
    # The next door to visit is never merged into a cluster.
    expect(page.locator(".door-marker-next")).to_have_text("1")
    expect(page.locator(".door-marker-next")).to_be_visible()
    # The three entrances at one point share one marker, apart from the streets' clusters.
    expect(page.locator(".door-marker-shared")).to_have_text("70–72")

    clusters.first.tap()

    # The map zooms in until every door of the cluster shows apart, with its step.
    expect(clusters).to_have_count(0)
    door_texts = doors.all_text_contents()
    assert len(door_texts) > cluster_counts[0] + 2
    assert all(re.fullmatch(r"\d+(–\d+)?", text) for text in door_texts)
    # Step 66 is 7 Rue Pasteur: the last street runs westwards and its numbers go down.
    doors.get_by_text("66", exact=True).tap()
    expect(page.locator(".leaflet-popup-content")).to_have_text("Étape 66 : 7 Rue Pasteur")

    # Every file comes from the app: only the tiles of the configured server are elsewhere,
    # and the test's page blocks those.
    tile_url = page.locator("#route-map").get_attribute("data-tile-url")
    assert tile_url
    is_tile = tile_pattern(tile_url).match
    urls = [request.url for request in requests]
    assert any(is_tile(url) for url in urls), "the map asked for no tile"
    assert [url for url in urls if not is_tile(url) and urlsplit(url).hostname != LIVE_HOST] == []
    vendored = {request: urlsplit(request.url).path for request in requests}
    served = [request for request, path in vendored.items() if path in VENDORED_FILES]
    assert {vendored[request] for request in served} == VENDORED_FILES
    for request in served:
        response = request.response()
        assert response is not None and response.status == 200, request.url


def test_clusters_of_doors_done_are_greyed(
    phone_page: Page, live_server: str, live_db: Session, long_route: Route
) -> None:
    # The doors of Rue de la République, steps 6 to 21, are done, but steps 1 to 5 are not.
    for address_id in long_route.address_ids[5:21]:
        live_db.add(
            DoorVisit(
                route_id=long_route.id,
                address_id=address_id,
                outcome=DoorOutcome.ABSENT,
                visited_at=utcnow(),
            )
        )
    live_db.commit()
    page = phone_page
    page.goto(f"{live_server}/parcours/{TOKEN}")

    done = page.locator(".door-cluster.door-cluster-done")
    expect(done.first).to_be_visible()
    # A cluster that also contains doors of the next street keeps the colour of doors to visit.
    assert 0 < sum(int(text) for text in done.all_text_contents()) <= 16
    expect(page.locator(".door-cluster:not(.door-cluster-done)").first).to_be_visible()
    # Step 1 still has no outcome, so the team goes on from there.
    expect(page.locator(".door-marker-next")).to_have_text("1")


def test_doors_a_few_metres_apart_spread_out(
    phone_page: Page, live_server: str, live_db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tests.factories.hash_password", lambda _password: "unused-hash")
    seed_walk(live_db)
    # Steps 4 and 5 are 2 and 4 Allée de l’Espéranto: put them 3 m apart, too close to
    # tell apart even at the deepest zoom.
    step_four, step_five = live_db.scalars(
        select(Address).where(Address.street == ESPERANTO).order_by(Address.number)
    )
    step_five.lon, step_five.lat = step_four.lon + 0.00004, step_four.lat
    live_db.commit()
    page = phone_page
    page.goto(f"{live_server}/parcours/{TOKEN}")

    # The Allée lies east of Rue Jules Guesde, so its cluster is the rightmost.
    east = clusters_west_to_east(page)[-1]
    expect(east).to_have_text("2")

    east.tap()

    # At the deepest zoom the cluster spreads its doors out around it.
    doors = page.locator(".door-marker")
    expect(doors.get_by_text("4", exact=True)).to_be_visible()
    doors.get_by_text("5", exact=True).tap()
    expect(page.locator(".leaflet-popup-content")).to_have_text(f"Étape 5 : 4 {ESPERANTO}")
