from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from tests.factories import make_walk_route
from tests.webapp.canvass.conftest import ESPERANTO, GUESDE, TOKEN, Walk, add_door
from webapp.db import utcnow
from webapp.models import Address
from webapp.models.canvass import DoorOutcome
from webapp.models.planning import SessionStatus
from webapp.services.door_visits import record_door_visit
from webapp.services.route_view import (
    RouteLinkExpiredError,
    RouteLinkNotFoundError,
    RouteSheet,
    find_route_by_token,
    load_route_sheet,
    route_geojson,
)


def rendered(sheet: RouteSheet) -> list[str]:
    return [
        f"{section.street}: {', '.join(stop.number for stop in section.stops)}"
        for section in sheet.sections
    ]


def test_sheet_groups_doors_by_street(db_session: Session, walk: Walk) -> None:
    sheet = load_route_sheet(db_session, TOKEN, now=utcnow())

    assert rendered(sheet) == [f"{GUESDE}: 5, 3, 1", f"{ESPERANTO}: 2, 4"]
    assert [stop.step for stop in sheet.stops] == [1, 2, 3, 4, 5]
    assert [stop.label for stop in sheet.stops] == [
        f"5 {GUESDE}",
        f"3 {GUESDE}",
        f"1 {GUESDE}",
        f"2 {ESPERANTO}",
        f"4 {ESPERANTO}",
    ]
    assert (sheet.stops[0].lon, sheet.stops[0].lat) == (2.4801, 48.9030)
    assert sheet.door_count == 5
    assert (sheet.length_m, sheet.walking_minutes, sheet.total_minutes) == (1260, 18, 48)
    assert sheet.team == 1
    assert sheet.meeting_point == "Parvis de la mairie"
    assert sheet.is_cancelled is False
    assert len(sheet.path) == 7


def test_team_names_skip_declined_and_other_teams(db_session: Session, walk: Walk) -> None:
    sheet = load_route_sheet(db_session, TOKEN, now=utcnow())

    assert sheet.team_first_names == ("Alex", "Camille")


def test_sections_repeat_street_walked_twice(db_session: Session, walk: Walk) -> None:
    doors = walk.doors
    bis = add_door(db_session, GUESDE, 3, (2.4799, 48.9029), suffix="bis")
    route = make_walk_route(
        db_session,
        canvass_session=walk.canvass_session,
        addresses=(doors["G1"], doors["E2"], bis, doors["G3"]),
        team=2,
        access_token="second-route-token",
        token_expires_at=utcnow() + timedelta(hours=1),
    )

    sheet = load_route_sheet(db_session, route.access_token, now=utcnow())

    assert rendered(sheet) == [f"{GUESDE}: 1", f"{ESPERANTO}: 2", f"{GUESDE}: 3 bis, 3"]
    assert [stop.step for stop in sheet.sections[2].stops] == [3, 4]
    assert sheet.team_first_names == ("Yanis",)


def test_addresses_no_longer_stored_are_left_out(db_session: Session, walk: Walk) -> None:
    walk.route.address_ids = [walk.doors["G5"].id, 999_999, walk.doors["E2"].id]
    db_session.flush()

    sheet = load_route_sheet(db_session, TOKEN, now=utcnow())

    assert rendered(sheet) == [f"{GUESDE}: 5", f"{ESPERANTO}: 2"]
    assert [stop.step for stop in sheet.stops] == [1, 2]


def test_door_without_number_has_empty_number(db_session: Session, walk: Walk) -> None:
    place = Address(
        ban_id="place-sans-numero",
        number=None,
        street="Place de la République",
        postcode="93140",
        commune_code="93010",
        lon=2.48,
        lat=48.90,
    )
    db_session.add(place)
    db_session.flush()
    walk.route.address_ids = [place.id]
    db_session.flush()

    sheet = load_route_sheet(db_session, TOKEN, now=utcnow())

    assert rendered(sheet) == ["Place de la République: "]
    assert sheet.stops[0].label == "Place de la République"


def test_empty_route_has_no_sections(db_session: Session, walk: Walk) -> None:
    walk.route.address_ids = []
    walk.route.path = []
    db_session.flush()

    sheet = load_route_sheet(db_session, TOKEN, now=utcnow())

    assert sheet.sections == ()
    assert sheet.door_count == 0
    assert [f["properties"]["kind"] for f in route_geojson(sheet)["features"]] == ["meeting_point"]


def test_cancelled_session_is_flagged(db_session: Session, walk: Walk) -> None:
    walk.canvass_session.status = SessionStatus.CANCELLED
    db_session.flush()

    assert load_route_sheet(db_session, TOKEN, now=utcnow()).is_cancelled is True


def test_geojson_features_in_walking_order(db_session: Session, walk: Walk) -> None:
    collection = route_geojson(load_route_sheet(db_session, TOKEN, now=utcnow()))

    features = collection["features"]
    assert collection["type"] == "FeatureCollection"
    assert features[0]["geometry"] == {
        "type": "LineString",
        "coordinates": [
            [2.4826, 48.9022],
            [2.4801, 48.9030],
            [2.4798, 48.9028],
            [2.4795, 48.9026],
            [2.4809, 48.9033],
            [2.4812, 48.9035],
            [2.4826, 48.9022],
        ],
    }
    assert features[1] == {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [2.4826, 48.9022]},
        "properties": {"kind": "meeting_point", "label": "Parvis de la mairie"},
    }
    assert [(f["properties"]["step"], f["properties"]["label"]) for f in features[2:]] == [
        (1, f"5 {GUESDE}"),
        (2, f"3 {GUESDE}"),
        (3, f"1 {GUESDE}"),
        (4, f"2 {ESPERANTO}"),
        (5, f"4 {ESPERANTO}"),
    ]
    assert features[2]["geometry"] == {"type": "Point", "coordinates": [2.4801, 48.9030]}


def test_geojson_marks_the_stop_where_the_route_ends(db_session: Session, walk: Walk) -> None:
    canvass = walk.canvass_session
    canvass.end_lon, canvass.end_lat, canvass.end_point_label = 2.4893, 48.8953, "Gare"
    db_session.flush()

    features = route_geojson(load_route_sheet(db_session, TOKEN, now=utcnow()))["features"]

    assert features[2] == {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [2.4893, 48.8953]},
        "properties": {"kind": "end_point", "label": "Gare"},
    }
    assert [f["properties"]["kind"] for f in features[3:]] == ["door"] * 5


def next_door_flags(session: Session) -> list[bool]:
    features = route_geojson(load_route_sheet(session, TOKEN, now=utcnow()))["features"]
    return [f["properties"]["is_next"] for f in features if f["properties"]["kind"] == "door"]


def test_geojson_flags_the_next_door(db_session: Session, walk: Walk) -> None:
    # Before any visit, the team starts at step 1.
    assert next_door_flags(db_session) == [True, False, False, False, False]

    outcomes = {"G5": DoorOutcome.ABSENT, "G3": DoorOutcome.COME_BACK}
    for key, outcome in outcomes.items():
        record_door_visit(db_session, TOKEN, walk.doors[key].id, outcome, now=utcnow())
    # The first door with no outcome comes before the door to come back to at step 2.
    assert next_door_flags(db_session) == [False, False, True, False, False]

    for key in ("G1", "E2", "E4"):
        record_door_visit(db_session, TOKEN, walk.doors[key].id, DoorOutcome.OPENED, now=utcnow())
    assert next_door_flags(db_session) == [False, True, False, False, False]

    record_door_visit(db_session, TOKEN, walk.doors["G3"].id, DoorOutcome.REFUSED, now=utcnow())
    assert next_door_flags(db_session) == [False] * 5


@pytest.mark.parametrize(
    "token",
    [
        "",
        "unknown-token",
        TOKEN[:-1],
        TOKEN + "x",
        TOKEN.lower(),
        "x" * 65,
        "é" + TOKEN[1:],
        "' OR '1'='1",
    ],
)
def test_unknown_tokens_are_not_found(db_session: Session, walk: Walk, token: str) -> None:
    with pytest.raises(RouteLinkNotFoundError):
        find_route_by_token(db_session, token, now=utcnow())


def test_token_is_expired_from_its_expiry_on(db_session: Session, walk: Walk) -> None:
    expiry = walk.route.token_expires_at

    assert find_route_by_token(db_session, TOKEN, now=expiry - timedelta(seconds=1)) == walk.route
    with pytest.raises(RouteLinkExpiredError):
        find_route_by_token(db_session, TOKEN, now=expiry)
