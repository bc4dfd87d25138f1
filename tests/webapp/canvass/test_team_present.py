"""A team marked absent that turns up after all marks itself present from its route page.

Bondy's case with three teams: the coordinator marks team 2 absent ten minutes into the
session, and a member of team 2 taps « Nous sommes là » a minute later.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.webapp.accounts.html_page import Page, csrf_token, flashes
from tests.webapp.canvass.route_pages import post_from_route_page, route_page
from tests.webapp.planning import three_teams
from tests.webapp.planning.bondy_case import BondyCase
from tests.webapp.planning.three_teams import (
    SESSION,
    door_sets_by_team,
    doors_by_team,
    route_change_notices,
    routes_by_team,
    token_of,
)
from tests.webapp.targets.members import add_member, log_in_as
from webapp.models import Assignment, Campaign, CanvassSession, DoorVisit, Message
from webapp.models.canvass import DoorOutcome
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.planning import AssignmentStatus, SessionStatus
from webapp.models.users import Role
from webapp.services.message_batch import WITHDRAWN_REASON
from webapp.services.route_notices import notify_route_changes
from webapp.services.team_changes import mark_team_absent, mark_team_present

SETTINGS = three_teams.ROUTE_SETTINGS

seeded, db_connection, case = three_teams.seeded, three_teams.db_connection, three_teams.case
settings = three_teams.settings

ABSENT_NOTICE = (
    "Votre équipe a été notée absente : ses portes restantes ont été retirées de son parcours."
)
PRESENT_HINT = (
    "Si vous êtes là malgré tout, appuyez sur le bouton ci-dessous : votre équipe retrouve "
    "un parcours, et l’équipe de coordination le voit sur la page de la session."
)
OVER = "La session est terminée : votre équipe ne peut plus être notée présente."
PRESENT_AGAIN = "Votre équipe est de nouveau notée présente : voici son parcours."
NO_LONGER_ABSENT = "Votre équipe n’est plus notée absente : voici son parcours."


@pytest.fixture
def marked_absent_at(case: BondyCase) -> datetime:
    return case.starts_at + timedelta(minutes=10)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch, marked_absent_at: datetime) -> list[datetime]:
    """The route pages' time, a minute after the absence. A test may move it on."""
    now = [marked_absent_at + timedelta(minutes=1)]
    monkeypatch.setattr("webapp.canvass.views.utcnow", lambda: now[0])
    return now


@dataclass(frozen=True)
class Plan:
    """The state the plan left, before team 2 is marked absent."""

    # Each team's doors in walking order.
    doors: dict[int, list[int]]
    # Each volunteer's status and status before absence.
    statuses: dict[int, tuple[AssignmentStatus, AssignmentStatus | None]]


@pytest.fixture
def plan(db_session: Session) -> Plan:
    return Plan(doors=doors_by_team(db_session), statuses=statuses(db_session))


@pytest.fixture
def absence_notices(
    app: Flask,
    db_session: Session,
    case: BondyCase,
    plan: Plan,
    marked_absent_at: datetime,
) -> list[int]:
    """Mark team 2 absent and queue the notices as the session page does. Return their ids."""
    # Notices are rendered from templates. The context is not left pushed, so that each
    # request of the test gets its own user and locale.
    with app.app_context():
        report = mark_team_absent(
            db_session,
            case.campaign_id,
            case.session_id,
            2,
            settings=SETTINGS,
            now=marked_absent_at,
        )
        notices = notify_route_changes(db_session, report, now=marked_absent_at)
        db_session.commit()
    return [message.id for message in notices.queued]


def tap_we_are_here(client: FlaskClient, token: str) -> TestResponse:
    return post_from_route_page(client, token, "presente")


def door_actions(page: Page) -> list[str]:
    return [form.attrs["action"] for form in page.select("form", **{"class": "door-record"})]


def present_forms(page: Page, token: str) -> list[object]:
    return list(page.select("form", action=f"/parcours/{token}/presente"))


def statuses(session: Session) -> dict[int, tuple[AssignmentStatus, AssignmentStatus | None]]:
    session.expire_all()
    rows = session.scalars(select(Assignment).order_by(Assignment.user_id))
    return {a.user_id: (a.status, a.status_before_absence) for a in rows}


def route_notice_states(session: Session, ids: list[int]) -> list[tuple[MessageStatus, str | None]]:
    session.expire_all()
    rows = session.scalars(select(Message).where(Message.id.in_(ids)).order_by(Message.id))
    return [(message.status, message.failure_reason) for message in rows]


@pytest.mark.usefixtures("absence_notices", "clock")
def test_absent_team_page_offers_button(client: FlaskClient, db_session: Session) -> None:
    token = token_of(db_session, 2)

    page = route_page(client, token)

    notice = page.by_id("team-absent")
    assert notice.attrs["role"] == "alert"
    assert notice.text == f"{ABSENT_NOTICE} {PRESENT_HINT} Nous sommes là"
    (form,) = present_forms(page, token)
    assert page.by_id("team-present").text == "Nous sommes là"
    assert page.select("input", type="hidden", name="csrf_token")
    # Team 2 had visited no door, so its route is empty while it is absent.
    assert door_actions(page) == []
    assert not page.has_id("route-pdf")
    assert not page.has_id("route-gpx")


@pytest.mark.usefixtures("clock")
def test_tap_gives_doors_back(
    client: FlaskClient,
    db_session: Session,
    plan: Plan,
    absence_notices: list[int],
) -> None:
    token = token_of(db_session, 2)
    absent_doors = door_sets_by_team(db_session)

    response = tap_we_are_here(client, token)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/parcours/{token}"
    # While absent, team 2's doors were the other teams'.
    assert absent_doors[2] == set()
    assert absent_doors[1] | absent_doors[3] == {i for ids in plan.doors.values() for i in ids}
    # Back, every team has the doors the plan gave it, team 2 included.
    after = routes_by_team(db_session)
    assert {team: set(route.address_ids) for team, route in after.items()} == {
        team: set(ids) for team, ids in plan.doors.items()
    }
    assert after[2].access_token == token
    assert after[2].present_declared_at is not None
    assert statuses(db_session) == plan.statuses
    # The other teams' notices of the absence had not gone out yet: they are withdrawn.
    assert absence_notices != []
    assert route_notice_states(db_session, absence_notices) == [
        (MessageStatus.SUPPRESSED, WITHDRAWN_REASON)
    ] * len(absence_notices)

    page = route_page(client, token)

    assert flashes(page) == [PRESENT_AGAIN]
    assert not page.has_id("team-absent")
    assert page.has_id("route-pdf")
    assert page.has_id("route-gpx")
    assert door_actions(page) == [
        f"/parcours/{token}/portes/{address_id}" for address_id in after[2].address_ids
    ]


@pytest.mark.usefixtures("absence_notices", "clock")
def test_doors_recorded_after_tap(client: FlaskClient, db_session: Session) -> None:
    token = token_of(db_session, 2)
    tap_we_are_here(client, token)
    first_door = routes_by_team(db_session)[2].address_ids[0]

    response = post_from_route_page(
        client, token, f"portes/{first_door}", outcome=DoorOutcome.OPENED.value
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/parcours/{token}#porte-{first_door}"
    route_id = routes_by_team(db_session)[2].id
    rows = db_session.execute(select(DoorVisit.route_id, DoorVisit.address_id, DoorVisit.outcome))
    assert [tuple(row) for row in rows] == [(route_id, first_door, DoorOutcome.OPENED)]


@pytest.mark.usefixtures("absence_notices", "clock")
def test_second_tap_changes_nothing(client: FlaskClient, db_session: Session) -> None:
    token = token_of(db_session, 2)
    tap_we_are_here(client, token)
    route_page(client, token)
    first = doors_by_team(db_session)
    first_statuses = statuses(db_session)
    first_count = len(route_change_notices(db_session))

    response = tap_we_are_here(client, token)

    assert response.status_code == 302
    assert flashes(route_page(client, token)) == [NO_LONGER_ABSENT]
    again = doors_by_team(db_session)
    assert again == first
    assert statuses(db_session) == first_statuses
    assert len(route_change_notices(db_session)) == first_count


@pytest.mark.usefixtures("absence_notices", "clock")
def test_coordinator_quicker_than_tap(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    case: BondyCase,
    marked_absent_at: datetime,
) -> None:
    token = token_of(db_session, 2)
    html = client.get(f"/parcours/{token}").get_data(as_text=True)
    with app.app_context():
        mark_team_present(
            db_session,
            case.campaign_id,
            case.session_id,
            2,
            settings=SETTINGS,
            now=marked_absent_at,
        )
        db_session.commit()
    doors = doors_by_team(db_session)

    # The page was opened while the team was absent, so it still shows the button.
    response = client.post(f"/parcours/{token}/presente", data={"csrf_token": csrf_token(html)})

    assert response.status_code == 302
    assert flashes(route_page(client, token)) == [NO_LONGER_ABSENT]
    after = routes_by_team(db_session)
    assert {team: list(route.address_ids) for team, route in after.items()} == doors
    # The coordinator marked the team present, not its members.
    assert after[2].present_declared_at is None


@pytest.mark.usefixtures("absence_notices")
def test_tap_after_session_end_rejected(
    client: FlaskClient,
    db_session: Session,
    case: BondyCase,
    clock: list[datetime],
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = token_of(db_session, 2)
    html = client.get(f"/parcours/{token}").get_data(as_text=True)
    assert present_forms(Page(html), token)
    before = statuses(db_session)
    clock[0] = case.ends_at + timedelta(minutes=5)

    with caplog.at_level(logging.INFO):
        response = client.post(f"/parcours/{token}/presente", data={"csrf_token": csrf_token(html)})

    assert response.status_code == 302
    assert (
        f"Team 2 of session {case.session_id} not marked present from its route link: session_over"
    ) in [record.getMessage() for record in caplog.records]
    page = route_page(client, token)
    assert flashes(page) == [OVER]
    assert statuses(db_session) == before
    assert routes_by_team(db_session)[2].address_ids == []
    # Once the session is over, the page shows that in place of the button.
    assert page.by_id("team-absent").text == f"{ABSENT_NOTICE} {OVER}"
    assert present_forms(page, token) == []


@pytest.mark.usefixtures("absence_notices", "clock")
def test_tap_on_expired_link_rejected(client: FlaskClient, db_session: Session) -> None:
    token = token_of(db_session, 2)
    html = client.get(f"/parcours/{token}").get_data(as_text=True)
    before = statuses(db_session)
    route = routes_by_team(db_session)[2]
    route.token_expires_at = route.session.starts_at
    db_session.commit()

    response = client.post(f"/parcours/{token}/presente", data={"csrf_token": csrf_token(html)})

    assert response.status_code == 410
    expired = Page(response.get_data(as_text=True))
    assert expired.select("h1")[0].text == "Lien expiré"
    assert "Ce lien a expiré, demandez un nouveau lien à l’équipe de coordination." in (
        expired.text()
    )
    assert statuses(db_session) == before


@pytest.mark.usefixtures("absence_notices", "clock")
def test_tap_on_cancelled_session_rejected(
    client: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    token = token_of(db_session, 2)
    html = client.get(f"/parcours/{token}").get_data(as_text=True)
    canvass = db_session.get(CanvassSession, case.session_id)
    assert canvass is not None
    canvass.status = SessionStatus.CANCELLED
    db_session.commit()
    before = statuses(db_session)

    client.post(f"/parcours/{token}/presente", data={"csrf_token": csrf_token(html)})

    page = route_page(client, token)
    assert flashes(page) == [
        "Cette session est annulée ou close : votre équipe ne peut pas être notée présente."
    ]
    assert statuses(db_session) == before
    assert not page.has_id("team-absent")


@pytest.mark.usefixtures("absence_notices", "clock")
def test_tap_without_csrf_rejected(client: FlaskClient, db_session: Session) -> None:
    token = token_of(db_session, 2)
    before = statuses(db_session)

    response = client.post(f"/parcours/{token}/presente")

    assert response.status_code == 400
    assert statuses(db_session) == before


@pytest.mark.usefixtures("absence_notices", "clock")
def test_present_team_page_has_no_button(client: FlaskClient, db_session: Session) -> None:
    token = token_of(db_session, 1)

    page = route_page(client, token)

    assert not page.has_id("team-absent")
    assert present_forms(page, token) == []
    assert len(door_actions(page)) == len(routes_by_team(db_session)[1].address_ids) > 0


@pytest.mark.usefixtures("clock")
def test_team_nobody_comes_to_has_no_button(client: FlaskClient, db_session: Session) -> None:
    # Both members of team 3 cancelled on their own: no coordinator marked it absent.
    for assignment in db_session.scalars(select(Assignment).where(Assignment.team == 3)):
        assignment.status = AssignmentStatus.DECLINED
    db_session.commit()
    token = token_of(db_session, 3)

    page = route_page(client, token)

    assert page.has_id("team-empty")
    assert not page.has_id("team-absent")
    assert not page.has_id("route-pdf")
    assert present_forms(page, token) == []


@pytest.mark.usefixtures("absence_notices", "clock")
def test_tap_logged_without_token(
    client: FlaskClient, db_session: Session, case: BondyCase, caplog: pytest.LogCaptureFixture
) -> None:
    token = token_of(db_session, 2)

    with caplog.at_level(logging.INFO):
        tap_we_are_here(client, token)

    messages = [record.getMessage() for record in caplog.records]
    assert f"Team 2 of session {case.session_id} marked present again" in messages
    assert (
        f"Team 2 of session {case.session_id} marked present again from its route link" in messages
    )
    assert not [message for message in messages if token in message]


def coordinator_session_page(client: FlaskClient, case: BondyCase) -> Page:
    response = client.get(f"/planification/sessions/{case.session_id}")
    assert response.status_code == 200
    return Page(response.get_data(as_text=True))


@pytest.mark.usefixtures("absence_notices", "clock")
def test_coordinator_sees_declared_team(
    app: Flask, client: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    tap_we_are_here(client, token_of(db_session, 2))
    campaign = db_session.get(Campaign, case.campaign_id)
    assert campaign is not None
    coordinator = app.test_client()
    log_in_as(coordinator, add_member(db_session, campaign, Role.COORDINATOR, "c@example.org"))

    page = coordinator_session_page(coordinator, case)

    # The tap came eleven minutes into a session starting at 09:00 Paris time.
    assert page.by_id("team-2-declared").text == (
        "notée présente par ses membres depuis le lien du parcours à 09:11"
    )
    assert "équipe absente" not in page.by_id("team-2").text
    assert not page.has_id("team-1-declared")

    # Marked absent again, the team no longer shows it came back by itself.
    with app.app_context():
        mark_team_absent(
            db_session,
            case.campaign_id,
            case.session_id,
            2,
            settings=SETTINGS,
            now=case.starts_at + timedelta(minutes=20),
        )
        db_session.commit()
    again = coordinator_session_page(coordinator, case)
    assert not again.has_id("team-2-declared")
    assert "équipe absente" in again.by_id("team-2").text
    assert routes_by_team(db_session)[2].present_declared_at is None


def coordinator_notices(session: Session) -> list[Message]:
    session.expire_all()
    query = select(Message).where(Message.purpose == MessagePurpose.COORDINATOR_NOTICE)
    return list(session.scalars(query.order_by(Message.id)))


@pytest.mark.usefixtures("absence_notices", "clock")
def test_coordinators_told_once(client: FlaskClient, db_session: Session, case: BondyCase) -> None:
    campaign = db_session.get(Campaign, case.campaign_id)
    assert campaign is not None
    coordinator = add_member(db_session, campaign, Role.COORDINATOR, "c@example.org")
    db_session.commit()
    token = token_of(db_session, 2)

    tap_we_are_here(client, token)
    tap_we_are_here(client, token)

    (notice,) = coordinator_notices(db_session)
    assert (notice.user_id, notice.recipient, notice.status) == (
        coordinator.id,
        "c@example.org",
        MessageStatus.SENT,
    )
    canvass = db_session.get(CanvassSession, case.session_id)
    assert canvass is not None
    assert notice.subject == f"L’équipe 2 est là malgré tout pour la session du {SESSION}"
    body = notice.body.split("\n\n")
    # Team 2 had visited no door, so all of its route is to visit.
    to_visit = len(routes_by_team(db_session)[2].address_ids)
    assert body[:3] == [
        f"L’équipe 2 de la session du {SESSION}, rendez-vous "
        f"{canvass.meeting_point_label}, avait été notée absente, mais ses membres l’ont notée "
        "présente depuis le lien de leur parcours.",
        f"Elle a de nouveau un parcours, avec {to_visit} adresses à visiter.\n"
        "Les parcours des équipes 1 et 3 ont changé aussi : leurs membres sont prévenus au "
        "bout de deux minutes.",
        f"Page de la session : http://127.0.0.1:5000/planification/sessions/{case.session_id}",
    ]
