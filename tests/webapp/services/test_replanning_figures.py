"""The figures of a route after a re-planning: the whole route, or the walk left of a team
already out, and the route page that words them."""

from datetime import timedelta

import pytest
from babel.numbers import format_decimal
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.webapp.accounts.html_page import Page
from tests.webapp.planning import three_teams
from tests.webapp.planning.bondy_case import BondyCase
from tests.webapp.planning.replan_steps import replan
from tests.webapp.planning.three_teams import record_nobody_home, routes_by_team
from webapp.models import CanvassSession, Route
from webapp.services.route_view import RouteSheet, sheet_of_route
from webapp.services.routes import load_street_graph, plan_session_routes
from webapp.services.team_changes import mark_team_absent

SETTINGS = three_teams.ROUTE_SETTINGS
# Minutes at each dwelling, as the routes were cut.
DWELLING_MINUTES = SETTINGS.minutes_per_address

seeded, db_connection, case = three_teams.seeded, three_teams.db_connection, three_teams.case


def door_minutes(case: BondyCase, address_ids: list[int]) -> float:
    """Return the minutes the doors take, their dwellings as the planner counts them."""
    return sum(max(1, case.dwellings_of[i]) for i in address_ids) * DWELLING_MINUTES


def assert_figures_of(route: Route, case: BondyCase, walk: list[int]) -> None:
    """Check that the route's length and minutes are those of a walk through `walk`."""
    # Each stored figure is rounded to a tenth of a minute.
    assert route.total_minutes - route.walking_minutes == pytest.approx(
        door_minutes(case, walk), abs=0.11
    )
    walking = route.length_m / SETTINGS.walking_speed_m_per_min
    assert route.walking_minutes == pytest.approx(walking, abs=0.06)


def go_out(session: Session, case: BondyCase, team: int, count: int) -> list[int]:
    """Record nobody home at the team's first `count` doors, a minute apart, and return them."""
    route = routes_by_team(session)[team]
    done = route.address_ids[:count]
    for minute, address_id in enumerate(done):
        record_nobody_home(
            session, route, [address_id], at=case.starts_at + timedelta(minutes=minute)
        )
    return done


def test_walk_left_of_a_team_out(case: BondyCase, db_session: Session) -> None:
    before = routes_by_team(db_session)
    out = max(before, key=lambda team: len(before[team].address_ids))
    absent = max({1, 2, 3} - {out})
    done = go_out(db_session, case, out, 5)

    mark_team_absent(
        db_session,
        case.campaign_id,
        case.session_id,
        absent,
        settings=SETTINGS,
        now=case.starts_at + timedelta(minutes=40),
    )

    after = routes_by_team(db_session)
    route = after[out]
    walk = route.address_ids[5:]
    assert route.address_ids[:5] == done
    assert walk
    assert route.walk_start_index == 5
    # The minutes count the doors of the walk left, not those already done.
    assert_figures_of(route, case, walk)
    sheet = sheet_of_route(db_session, route)
    assert sheet.walk_start_step == 6
    assert sheet.is_walk_left
    assert sheet.door_count == len(route.address_ids)
    assert sheet.walk_door_count == len(walk)
    assert [stop.address_id for stop in sheet.walk_stops] == walk
    assert (sheet.length_m, sheet.total_minutes) == (route.length_m, round(route.total_minutes))


def test_team_not_out_keeps_whole_route(case: BondyCase, db_session: Session) -> None:
    before = routes_by_team(db_session)
    out = max(before, key=lambda team: len(before[team].address_ids))
    stays = min({1, 2, 3} - {out})
    go_out(db_session, case, out, 3)

    replan(db_session, case, case.starts_at + timedelta(minutes=30))

    route = routes_by_team(db_session)[stays]
    assert route.walk_start_index is None
    assert_figures_of(route, case, route.address_ids)
    sheet = sheet_of_route(db_session, route)
    assert sheet.walk_start_step is None
    assert not sheet.is_walk_left
    assert sheet.walk_door_count == sheet.door_count == len(route.address_ids)


def test_absent_team_out_has_no_walk_left(case: BondyCase, db_session: Session) -> None:
    done = go_out(db_session, case, 2, 2)

    mark_team_absent(
        db_session,
        case.campaign_id,
        case.session_id,
        2,
        settings=SETTINGS,
        now=case.starts_at + timedelta(minutes=20),
    )

    route = routes_by_team(db_session)[2]
    assert route.address_ids == done
    assert (route.walk_start_index, route.length_m, route.total_minutes) == (2, 0, 0.0)
    sheet = sheet_of_route(db_session, route)
    assert (sheet.walk_start_step, sheet.walk_door_count) == (3, 0)


def test_planning_run_walks_from_the_meeting_point(case: BondyCase, db_session: Session) -> None:
    route = routes_by_team(db_session)[1]
    route.walk_start_index = 3
    db_session.flush()
    canvass = db_session.get(CanvassSession, case.session_id)
    assert canvass is not None

    plan_session_routes(db_session, canvass, load_street_graph(db_session), SETTINGS)

    assert [r.walk_start_index for r in routes_by_team(db_session).values()] == [None] * 3


def totals(page: Page) -> list[str]:
    """Return the caption of the route's figures, if any, then the three figures."""
    caption = [page.by_id("totals-caption").text] if page.has_id("totals-caption") else []
    return caption + [page.by_id(f"total-{name}").text for name in ("doors", "length", "minutes")]


def route_page_in_english(client: FlaskClient, route: Route) -> Page:
    with client.session_transaction() as browser_session:
        browser_session["locale"] = "en"
    return Page(client.get(f"/parcours/{route.access_token}").get_data(as_text=True))


def kilometres(sheet: RouteSheet) -> str:
    return format_decimal(sheet.length_m / 1000, "#,##0.0", locale="en")


def test_route_pages_word_their_figures(
    client: FlaskClient, case: BondyCase, db_session: Session
) -> None:
    before = routes_by_team(db_session)
    out = max(before, key=lambda team: len(before[team].address_ids))
    stays = min({1, 2, 3} - {out})
    go_out(db_session, case, out, 4)
    replan(db_session, case, case.starts_at + timedelta(minutes=30))
    db_session.commit()
    after = routes_by_team(db_session)
    out_sheet = sheet_of_route(db_session, after[out])
    stays_sheet = sheet_of_route(db_session, after[stays])
    walk_count = len(after[out].address_ids) - 4

    out_page = route_page_in_english(client, after[out])
    stays_page = route_page_in_english(client, after[stays])

    assert totals(out_page) == [
        "Route re-planned from step 5:",
        f"{walk_count} addresses to visit",
        f"{kilometres(out_sheet)} km on foot",
        f"{out_sheet.total_minutes} min left",
    ]
    assert totals(stays_page) == [
        f"{stays_sheet.door_count} addresses",
        f"{kilometres(stays_sheet)} km on foot",
        f"{stays_sheet.total_minutes} min in all",
    ]
