"""A team that finished its walk requests more doors from its route page.

Bondy's case with three teams: team 1 marks every door of its route done twenty
minutes into the session, and a member taps « Nous avons fini : d’autres portes » ten
minutes later.
"""

from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.webapp.accounts.html_page import csrf_token, flash_lines, flashes
from tests.webapp.canvass.route_pages import post_from_route_page, route_page
from tests.webapp.planning import session_pages, three_teams
from tests.webapp.planning.bondy_case import BondyCase
from tests.webapp.planning.session_pages import post, session_page
from tests.webapp.planning.three_teams import (
    doors_by_team,
    route_change_notices,
    routes_by_team,
    token_of,
)
from webapp.models import Assignment, CanvassSession, DoorVisit
from webapp.models.canvass import DoorOutcome
from webapp.models.planning import SessionStatus
from webapp.services.door_visits import record_door_visit
from webapp.services.more_doors import give_more_doors
from webapp.services.replanning import ReplanError, ReplanErrorCode
from webapp.services.route_notice_state import record_notified
from webapp.services.route_view import find_route_by_token
from webapp.services.team_changes import mark_team_absent

seeded, db_connection, case = three_teams.seeded, three_teams.db_connection, three_teams.case
coordinator = session_pages.coordinator
settings = three_teams.settings

STILL_DOORS = "Votre équipe a encore des portes à faire : voici son parcours."
NONE_LEFT = (
    "Il ne reste aucune porte que votre équipe ait le temps de faire : les autres équipes "
    "s’occupent du reste."
)
OVER = "La session est terminée : merci pour votre porte-à-porte !"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch, case: BondyCase) -> list[datetime]:
    """The route pages' time, half an hour into the session. A test may move it on."""
    now = [case.starts_at + timedelta(minutes=30)]
    monkeypatch.setattr("webapp.canvass.views.utcnow", lambda: now[0])
    monkeypatch.setattr("webapp.canvass.more_doors_views.utcnow", lambda: now[0])
    return now


def finish_walk(session: Session, case: BondyCase, team: int) -> list[int]:
    """Record every door of the team's route as done, twenty minutes in. Return them."""
    route = routes_by_team(session)[team]
    doors = list(route.address_ids)
    for address_id in doors:
        at = case.starts_at + timedelta(minutes=20)
        record_door_visit(session, route.access_token, address_id, DoorOutcome.ABSENT, now=at)
    session.commit()
    return doors


def mark_absent(app: Flask, session: Session, case: BondyCase, team: int) -> None:
    """Mark the team absent as the coordinator does, 25 minutes into the session."""
    with app.app_context():
        mark_team_absent(
            session,
            case.campaign_id,
            case.session_id,
            team,
            settings=three_teams.ROUTE_SETTINGS,
            now=case.starts_at + timedelta(minutes=25),
        )
        session.commit()


def tap_more_doors(client: FlaskClient, token: str) -> TestResponse:
    return post_from_route_page(client, token, "autres-portes")


@pytest.mark.usefixtures("clock")
def test_button_only_once_walk_done(
    client: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    token = token_of(db_session, 1)
    assert not route_page(client, token).has_id("more-doors")

    finish_walk(db_session, case, 1)

    page = route_page(client, token)
    assert page.by_id("more-doors").text == "Nous avons fini : d’autres portes"
    assert page.select("form", action=f"/parcours/{token}/autres-portes")
    assert not page.has_id("route-next")


@pytest.mark.usefixtures("clock")
def test_tap_shares_other_teams_doors(
    client: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    before = doors_by_team(db_session)
    done = finish_walk(db_session, case, 1)
    token = token_of(db_session, 1)

    response = tap_more_doors(client, token)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/parcours/{token}"
    after = doors_by_team(db_session)
    new_doors = [i for i in after[1] if i not in done]
    # Team 1 keeps the doors it did and takes some of those teams 2 and 3 had.
    assert set(done) <= set(after[1])
    assert new_doors and set(new_doors) <= set(before[2]) | set(before[3])
    # Every door of the session is still on exactly one route.
    every = [i for doors in after.values() for i in doors]
    assert sorted(every) == sorted(i for doors in before.values() for i in doors)
    page = route_page(client, token)
    noun = "porte" if len(new_doors) == 1 else "portes"
    assert flashes(page) == [
        f"Votre équipe a {len(new_doors)} {noun} de plus : "
        + ("elle suit dans la liste." if len(new_doors) == 1 else "elles suivent dans la liste.")
    ]
    assert not page.has_id("more-doors")
    first_new = len(done) + 1
    assert page.has_id("route-next")
    assert page.select("a", href=f"#step-{first_new}")
    # The map greys out the doors done and shows the new ones as doors to visit.
    features = client.get(f"/parcours/{token}.geojson").get_json()["features"]
    on_map = [f["properties"] for f in features if f["properties"]["kind"] == "door"]
    assert [door["is_done"] for door in on_map] == [True] * len(done) + [False] * len(new_doors)
    # The teams that gave doors hear of it; the visits recorded stay as they were.
    notified = {notice.user_id for notice in route_change_notices(db_session)}
    losers = [team for team in (2, 3) if set(after[team]) != set(before[team])]
    assert losers
    members = select(Assignment.user_id).where(Assignment.team.in_(losers))
    assert notified >= set(db_session.scalars(members))
    assert len(db_session.scalars(select(DoorVisit)).all()) == len(done)


@pytest.mark.usefixtures("clock")
def test_tap_takes_doors_no_route_has_first(
    client: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    routes = routes_by_team(db_session)
    # Team 3's last five doors are taken off its route and its members notified of it,
    # so no route has these doors now.
    spare = list(routes[3].address_ids[-5:])
    routes[3].address_ids = list(routes[3].address_ids[:-5])
    team_three = select(Assignment.id).where(Assignment.team == 3)
    record_notified(routes[3], db_session.scalars(team_three))
    db_session.commit()
    done = finish_walk(db_session, case, 1)
    before = doors_by_team(db_session)

    tap_more_doors(client, token_of(db_session, 1))

    after = doors_by_team(db_session)
    assert after[1][: len(done)] == done
    assert set(after[1][len(done) :]) == set(spare)
    # The teams still out keep their walks; only team 1's members hear of a change.
    assert after[2] == before[2]
    assert after[3] == before[3]
    notified = {notice.user_id for notice in route_change_notices(db_session)}
    team_one = select(Assignment.user_id).where(Assignment.team == 1)
    assert notified == set(db_session.scalars(team_one))


@pytest.mark.usefixtures("clock")
def test_last_door_links_to_button(
    client: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    route = routes_by_team(db_session)[1]
    token, doors = route.access_token, list(route.address_ids)
    for address_id in doors[:-1]:
        record_door_visit(db_session, token, address_id, DoorOutcome.OPENED, now=case.starts_at)
    db_session.commit()

    post_from_route_page(client, token, f"portes/{doors[-1]}", outcome="absent")

    page = route_page(client, token)
    assert page.by_id("all-doors-done").text == (
        "Toutes les portes sont faites : demander d’autres portes"
    )
    assert [a.text for a in page.select("a", href="#more-doors-form")] == [
        "Toutes les portes sont faites : demander d’autres portes"
    ]
    assert page.has_id("more-doors-form")


@pytest.mark.usefixtures("clock")
def test_absent_team_gets_no_button(
    app: Flask, client: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    done = finish_walk(db_session, case, 2)
    mark_absent(app, db_session, case, 2)
    token = token_of(db_session, 2)

    page = route_page(client, token)

    assert page.has_id("team-absent")
    assert not page.has_id("more-doors")
    assert routes_by_team(db_session)[2].address_ids == done
    # A tap from a page opened before the absence changes nothing.
    tap_more_doors(client, token)
    assert flashes(route_page(client, token)) == [
        "Votre équipe est notée absente : si vous êtes là, appuyez d’abord sur « Nous sommes là »."
    ]
    assert routes_by_team(db_session)[2].address_ids == done


@pytest.mark.usefixtures("clock")
def test_tap_before_walk_done_changes_nothing(
    client: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    before = doors_by_team(db_session)
    token = token_of(db_session, 1)

    response = tap_more_doors(client, token)

    assert response.status_code == 302
    assert doors_by_team(db_session) == before
    assert flashes(route_page(client, token)) == [STILL_DOORS]
    assert route_change_notices(db_session) == []


@pytest.mark.usefixtures("clock")
def test_tap_with_no_door_left(client: FlaskClient, db_session: Session, case: BondyCase) -> None:
    for team in (1, 2, 3):
        finish_walk(db_session, case, team)
    before = doors_by_team(db_session)
    token = token_of(db_session, 1)

    tap_more_doors(client, token)

    assert doors_by_team(db_session) == before
    assert flashes(route_page(client, token)) == [NONE_LEFT]


def test_tap_after_session_end(
    client: FlaskClient, db_session: Session, case: BondyCase, clock: list[datetime]
) -> None:
    finish_walk(db_session, case, 1)
    token = token_of(db_session, 1)
    html = client.get(f"/parcours/{token}").get_data(as_text=True)
    clock[0] = case.ends_at + timedelta(minutes=1)

    client.post(f"/parcours/{token}/autres-portes", data={"csrf_token": csrf_token(html)})

    page = route_page(client, token)
    assert flashes(page) == [OVER]
    assert not page.has_id("more-doors")


@pytest.mark.usefixtures("clock")
def test_no_button_on_cancelled_session(
    client: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    finish_walk(db_session, case, 1)
    canvass = db_session.get(CanvassSession, case.session_id)
    assert canvass is not None
    canvass.status = SessionStatus.CANCELLED
    db_session.commit()

    assert not route_page(client, token_of(db_session, 1)).has_id("more-doors")


@pytest.mark.usefixtures("clock")
def test_tap_without_csrf_rejected(
    client: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    finish_walk(db_session, case, 1)
    before = doors_by_team(db_session)
    token = token_of(db_session, 1)

    response = client.post(f"/parcours/{token}/autres-portes")

    assert response.status_code == 400
    assert doors_by_team(db_session) == before


def test_tap_sees_session_cancelled_meanwhile(
    app: Flask, db_session: Session, case: BondyCase
) -> None:
    finish_walk(db_session, case, 1)
    before = doors_by_team(db_session)
    token = routes_by_team(db_session)[1].access_token
    now = case.starts_at + timedelta(minutes=30)
    # The tap has read its route and session when a coordinator's cancellation commits,
    # while the tap waits for the session's lock. The rows stay in the tap's session.
    route = find_route_by_token(db_session, token, now=now)
    assert route.session.status == SessionStatus.PLANNED
    db_session.execute(
        update(CanvassSession)
        .where(CanvassSession.id == case.session_id)
        .values(status=SessionStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )

    with app.app_context(), pytest.raises(ReplanError) as refused:
        give_more_doors(db_session, token, settings=three_teams.ROUTE_SETTINGS, now=now)

    assert refused.value.code == ReplanErrorCode.SESSION_NOT_PLANNED
    db_session.rollback()
    assert doors_by_team(db_session) == before


@pytest.mark.usefixtures("clock")
def test_other_finished_team_rests(
    client: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    done_by_two = finish_walk(db_session, case, 2)
    done_by_one = finish_walk(db_session, case, 1)
    before = routes_by_team(db_session)
    path_of_two, doors_of_three = list(before[2].path), set(before[3].address_ids)

    tap_more_doors(client, before[1].access_token)

    after = routes_by_team(db_session)
    # Team 2 finished too but did not ask: it may have gone home, so its route stays.
    assert after[2].address_ids == done_by_two
    assert after[2].path == path_of_two
    # Team 1 took its share from team 3 alone.
    new_doors = set(after[1].address_ids) - set(done_by_one)
    assert new_doors and new_doors <= doors_of_three
    assert set(after[3].address_ids) == doors_of_three - new_doors
    notified = {notice.user_id for notice in route_change_notices(db_session)}
    team_two = select(Assignment.user_id).where(Assignment.team == 2)
    assert notified.isdisjoint(db_session.scalars(team_two))


@pytest.mark.usefixtures("clock")
def test_finished_team_takes_no_doors_of_absent_team(
    app: Flask, db_session: Session, case: BondyCase
) -> None:
    done_by_one = finish_walk(db_session, case, 1)
    before = routes_by_team(db_session)
    doors_of_two, doors_of_three = set(before[2].address_ids), set(before[3].address_ids)

    mark_absent(app, db_session, case, 3)

    after = routes_by_team(db_session)
    assert after[1].address_ids == done_by_one
    # Team 3's doors went to team 2, the only team still walking, as its time allows.
    assert set(after[2].address_ids) <= doors_of_two | doors_of_three
    assert set(after[2].address_ids) & doors_of_three


def test_coordinator_gives_finished_team_doors(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    path = f"/planification/sessions/{case.session_id}/equipes/1/autres-portes"
    assert not session_page(coordinator, case).has_id("team-1-finished")
    done = finish_walk(db_session, case, 1)
    before = doors_by_team(db_session)

    page = session_page(coordinator, case)
    assert page.by_id("team-1-finished").text == "toutes les portes faites"
    assert page.select("form", action=path)

    after_tap = post(coordinator, path, case)

    after = doors_by_team(db_session)
    new_doors = set(after[1]) - set(done)
    assert new_doors and new_doors <= set(before[2]) | set(before[3])
    assert flash_lines(after_tap)[0] == "L’équipe 1 a reçu une part des portes restantes."
    assert not after_tap.has_id("team-1-finished")


def test_coordinator_cannot_give_doors_before_done(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    before = doors_by_team(db_session)
    path = f"/planification/sessions/{case.session_id}/equipes/1/autres-portes"

    page = post(coordinator, path, case)

    assert "Cette équipe a encore des portes à faire." in flashes(page)
    assert doors_by_team(db_session) == before
