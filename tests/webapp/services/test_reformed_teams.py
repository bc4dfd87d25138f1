"""A planning run that forms a session's teams again, after their links were sent, in Bondy.

The case's six volunteers agreed to e-mails only. Each test first puts them in teams and
sends them their links, as an earlier run would have (`send_teams`), then runs the
planning. With six volunteers none of whom is experienced, the planning deals them by id
into teams 1, 2, 3, 1, 2, 3 (`routing.assignment_teams.form_teams`).
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tests.webapp.planning import three_teams
from tests.webapp.planning.bondy_case import BondyCase
from tests.webapp.planning.three_teams import ROUTE_LINK, SESSION, doors_by_team, routes_by_team
from webapp.db import utcnow
from webapp.models import Assignment, CanvassSession, Message, ReplacedRouteLink
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.services.message_batch import WITHDRAWN_REASON
from webapp.services.planning_steps import run_planning
from webapp.services.reminders import queue_reminders
from webapp.services.route_links import ensure_short_code
from webapp.services.route_notice_state import ROUTE_NOTICE_HOLD
from webapp.services.route_view import load_route_sheet
from webapp.services.routes import load_street_graph, plan_session_routes
from webapp.settings import Settings

seeded, db_connection, case = three_teams.seeded, three_teams.db_connection, three_teams.case
an_hour_before, two_days_before = three_teams.an_hour_before, three_teams.before_session

REPLACED = "Ce lien a été remplacé : les équipes de la session de porte-à-porte du"
# The teams the planning forms, by volunteer index.
PLANNED_TEAMS = [[0, 3], [1, 4], [2, 5]]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings with short solver time limits."""
    return replace(settings, assignment_time_limit_s=2.0, route_time_limit_s=1.0)


@dataclass(frozen=True)
class Link:
    token: str
    short_code: str | None


def send_teams(
    app: Flask, session: Session, case: BondyCase, teams: list[list[int]]
) -> dict[int, Link]:
    """Put the volunteers, by index, in `teams`, cut their routes and send their links.

    The links go in the confirmations and reminders three days before the session, and
    every route gets a short code, as if its sheet had been printed. Returns the links by
    team.
    """
    by_user = {a.user_id: a for a in session.scalars(select(Assignment))}
    for number, indexes in enumerate(teams, start=1):
        for index in indexes:
            by_user[case.volunteer_ids[index]].team = number
    session.flush()
    canvass = session.get(CanvassSession, case.session_id)
    assert canvass is not None
    plan_session_routes(session, canvass, load_street_graph(session), three_teams.ROUTE_SETTINGS)
    # Messages are rendered from templates. Requests get app contexts of their own.
    with app.app_context():
        queue_reminders(session, case.campaign_id, now=case.starts_at - timedelta(days=3))
        for route in routes_by_team(session).values():
            ensure_short_code(session, route)
        session.commit()
    return links(session)


def plan_again(
    app: Flask, session: Session, case: BondyCase, settings: Settings, now: datetime
) -> None:
    with app.app_context():
        run_planning(session, case.campaign_id, settings, now=now)
        session.commit()


def links(session: Session) -> dict[int, Link]:
    return {
        team: Link(route.access_token, route.short_code)
        for team, route in routes_by_team(session).items()
    }


def teams_by_index(session: Session, case: BondyCase) -> list[list[int]]:
    """Return the members of each team, as volunteer indexes, by team number."""
    index_of = {user_id: index for index, user_id in enumerate(case.volunteer_ids)}
    teams: dict[int, list[int]] = {}
    for user_id, team in session.execute(select(Assignment.user_id, Assignment.team)):
        teams.setdefault(team, []).append(index_of[user_id])
    return [sorted(teams[number]) for number in sorted(teams)]


def live_notices(session: Session) -> list[Message]:
    """Return the notices of a changed team or route that were not withdrawn."""
    session.expire_all()
    rows = session.scalars(
        select(Message)
        .where(Message.purpose == MessagePurpose.ROUTE_CHANGED)
        .order_by(Message.user_id, Message.id)
    )
    return [row for row in rows if row.failure_reason != WITHDRAWN_REASON]


def index_of_user(case: BondyCase, user_id: int | None) -> int:
    assert user_id is not None
    return case.volunteer_ids.index(user_id)


def test_reformed_teams_get_new_links(
    case: BondyCase, db_session: Session, app: Flask, settings: Settings, two_days_before: datetime
) -> None:
    before = send_teams(app, db_session, case, [[0, 3], [1, 2], [4, 5]])

    plan_again(app, db_session, case, settings, two_days_before)

    after = links(db_session)
    assert teams_by_index(db_session, case) == PLANNED_TEAMS
    # Team 1 kept its members, so its link and printed code still open its route.
    assert after[1] == before[1]
    for team in (2, 3):
        assert after[team].token != before[team].token
        assert after[team].short_code is None
    sheet = load_route_sheet(db_session, after[2].token, now=utcnow())
    assert (sheet.team, sheet.team_first_names) == (2, ("Bénévole1", "Bénévole4"))
    replaced = db_session.scalars(select(ReplacedRouteLink.team)).all()
    assert sorted(replaced) == [2, 2, 3, 3]


def test_replaced_links_page_in_french(
    case: BondyCase, db_session: Session, app: Flask, settings: Settings, two_days_before: datetime
) -> None:
    before = send_teams(app, db_session, case, [[0, 3], [1, 2], [4, 5]])
    plan_again(app, db_session, case, settings, two_days_before)
    after = links(db_session)
    client = app.test_client()

    old_token = client.get(f"/parcours/{before[2].token}")
    old_code = client.get(f"/p/{before[2].short_code}")
    old_code_typed = client.get(f"/p/{(before[3].short_code or '').upper()}")
    old_pdf = client.get(f"/parcours/{before[3].token}.pdf")
    old_data = client.get(f"/parcours/{before[3].token}.geojson")
    new_token = client.get(f"/parcours/{after[2].token}")
    team_one_code = client.get(f"/p/{before[1].short_code}")

    for page in (old_token, old_code, old_code_typed, old_pdf):
        text = page.get_data(as_text=True)
        assert page.status_code == 410
        assert "<h1>Lien remplacé</h1>" in text
        assert f"{REPLACED} {SESSION} ont changé depuis son envoi" in text
        assert "vous est envoyé par e-mail ou SMS dans les minutes qui suivent" in text
        assert page.headers["Cache-Control"] == "no-store"
    assert (old_data.status_code, old_data.get_json()) == (410, {"error": "replaced"})
    assert new_token.status_code == 200
    assert "Votre équipe : Bénévole1, Bénévole4" in new_token.get_data(as_text=True)
    assert team_one_code.status_code == 302
    assert team_one_code.headers["Location"].endswith(f"/parcours/{before[1].token}")


def test_unknown_link_stays_unknown(
    case: BondyCase, db_session: Session, app: Flask, settings: Settings, two_days_before: datetime
) -> None:
    send_teams(app, db_session, case, [[0, 3], [1, 2], [4, 5]])
    plan_again(app, db_session, case, settings, two_days_before)
    client = app.test_client()

    unknown = client.get("/parcours/" + "x" * 43)
    unknown_code = client.get("/p/k7mq3xzp")

    assert unknown.status_code == 404
    assert unknown_code.status_code == 404
    assert REPLACED not in unknown.get_data(as_text=True)


def test_members_of_reformed_teams_get_one_notice(
    case: BondyCase, db_session: Session, app: Flask, settings: Settings, two_days_before: datetime
) -> None:
    send_teams(app, db_session, case, [[0, 3], [1, 2], [4, 5]])

    plan_again(app, db_session, case, settings, two_days_before)

    after = links(db_session)
    rows = live_notices(db_session)
    # Teams 2 and 3 changed; team 1's doors may have changed too, but two days before the
    # session the reminders to come carry those.
    assert [index_of_user(case, row.user_id) for row in rows] == [1, 2, 4, 5]
    mates = {1: "Bénévole4", 4: "Bénévole1", 2: "Bénévole5", 5: "Bénévole2"}
    team_of = {1: 2, 4: 2, 2: 3, 5: 3}
    for row in rows:
        index = index_of_user(case, row.user_id)
        lines = row.body.splitlines()
        assert row.status == MessageStatus.QUEUED
        assert row.send_after == two_days_before + ROUTE_NOTICE_HOLD
        assert row.subject == f"Votre nouvelle équipe pour le porte-à-porte du {SESSION}"
        assert lines[2] == (
            f"Pour la session de porte-à-porte du {SESSION}, vous faites désormais équipe "
            f"avec {mates[index]}."
        )
        assert f"{ROUTE_LINK}{after[team_of[index]].token}" in lines


def test_reminders_carry_the_new_links(
    case: BondyCase, db_session: Session, app: Flask, settings: Settings, two_days_before: datetime
) -> None:
    before = send_teams(app, db_session, case, [[0, 3], [1, 2], [4, 5]])

    plan_again(app, db_session, case, settings, two_days_before)

    after = links(db_session)
    db_session.expire_all()
    reminders = db_session.scalars(
        select(Message).where(
            Message.purpose == MessagePurpose.SESSION_REMINDER,
            Message.status == MessageStatus.QUEUED,
        )
    ).all()
    team_of_user = dict(db_session.execute(select(Assignment.user_id, Assignment.team)).all())
    assert len(reminders) == 6
    for reminder in reminders:
        assert reminder.user_id is not None
        team = team_of_user[reminder.user_id]
        assert f"{ROUTE_LINK}{after[team].token}" in reminder.body
        assert before[2].token not in reminder.body
        assert before[3].token not in reminder.body


def test_run_counts_rewritten_messages_apart(
    case: BondyCase, db_session: Session, app: Flask, settings: Settings, two_days_before: datetime
) -> None:
    send_teams(app, db_session, case, [[0, 3], [1, 2], [4, 5]])

    with app.app_context():
        counts = run_planning(db_session, case.campaign_id, settings, now=two_days_before).counts()
        db_session.commit()

    # New: the notices of the four members whose team changed. Written again with their
    # new link: each one's day-before reminder and thanks, still queued. Their
    # confirmations stay as they are, and the notice gives them their new team.
    assert (counts["messages"], counts["rewritten_messages"]) == (4, 8)
    # Withdrawn: the eight reminders and thanks with the old links, written again.
    assert counts["withdrawn_messages"] == 8
    rewritten = db_session.scalars(
        select(Message).where(Message.idempotency_key.endswith(":r2"))
    ).all()
    assert sorted({index_of_user(case, row.user_id) for row in rewritten}) == [1, 2, 4, 5]


def test_notice_within_hours_of_start(
    case: BondyCase, db_session: Session, app: Flask, settings: Settings, an_hour_before: datetime
) -> None:
    before = send_teams(app, db_session, case, [[0, 3], [1, 2], [4, 5]])
    doors_before = doors_by_team(db_session)

    plan_again(app, db_session, case, settings, an_hour_before)

    after = links(db_session)
    routes = routes_by_team(db_session)
    rows = live_notices(db_session)
    notified = [index_of_user(case, row.user_id) for row in rows]
    assert after[1] == before[1]
    assert {after[2].token, after[3].token}.isdisjoint({before[2].token, before[3].token})
    # Within the notice window, team 1 hears of its route if its doors changed.
    team_one = [0, 3] if set(routes[1].address_ids) != set(doors_before[1]) else []
    assert notified == sorted([1, 2, 4, 5, *team_one])
    assert {row.send_after for row in rows} == {an_hour_before + ROUTE_NOTICE_HOLD}
    subjects = {index_of_user(case, row.user_id): row.subject for row in rows}
    for index in (1, 2, 4, 5):
        assert subjects[index] == f"Votre nouvelle équipe pour le porte-à-porte du {SESSION}"
    for index in team_one:
        assert subjects[index] == f"Votre parcours de porte-à-porte du {SESSION} a changé"


def test_rerun_within_hold_sends_once(
    case: BondyCase, db_session: Session, app: Flask, settings: Settings, two_days_before: datetime
) -> None:
    send_teams(app, db_session, case, [[0, 3], [1, 2], [4, 5]])
    plan_again(app, db_session, case, settings, two_days_before)
    first = links(db_session)
    first_notices = {row.id for row in live_notices(db_session)}

    plan_again(app, db_session, case, settings, two_days_before + timedelta(minutes=1))
    second_notices = live_notices(db_session)
    plan_again(app, db_session, case, settings, two_days_before + timedelta(minutes=10))

    # The second run withdrew the first run's notices, still held, and wrote its own.
    assert first_notices.isdisjoint(row.id for row in second_notices)
    assert [index_of_user(case, row.user_id) for row in second_notices] == [1, 2, 4, 5]
    # Neither later run replaced a link, and the third found nothing left to send.
    assert links(db_session) == first
    assert [row.id for row in live_notices(db_session)] == [row.id for row in second_notices]
    assert len(db_session.scalars(select(ReplacedRouteLink)).all()) == 4


@pytest.mark.parametrize("hours_before", [48, 1])
def test_same_teams_keep_links(
    case: BondyCase, db_session: Session, app: Flask, settings: Settings, hours_before: int
) -> None:
    before = send_teams(app, db_session, case, PLANNED_TEAMS)
    doors_before = doors_by_team(db_session)

    plan_again(app, db_session, case, settings, case.starts_at - timedelta(hours=hours_before))

    routes = routes_by_team(db_session)
    rows = live_notices(db_session)
    assert teams_by_index(db_session, case) == PLANNED_TEAMS
    assert links(db_session) == before
    assert db_session.scalars(select(ReplacedRouteLink)).all() == []
    # Only a route whose doors changed on the day of the session is sent again.
    changed = [team for team, route in routes.items() if route.address_ids != doors_before[team]]
    expected = [] if hours_before > 3 else sorted(i for t in changed for i in PLANNED_TEAMS[t - 1])
    assert [index_of_user(case, row.user_id) for row in rows] == expected
    assert all(row.subject.startswith("Votre parcours de porte-à-porte du") for row in rows)


def test_same_pairs_keep_numbers_and_links(
    case: BondyCase, db_session: Session, app: Flask, settings: Settings, two_days_before: datetime
) -> None:
    # The planner's pairs, under other numbers than it deals them.
    numbered = [PLANNED_TEAMS[1], PLANNED_TEAMS[2], PLANNED_TEAMS[0]]
    before = send_teams(app, db_session, case, numbered)

    plan_again(app, db_session, case, settings, two_days_before)

    assert teams_by_index(db_session, case) == numbered
    assert links(db_session) == before
    assert db_session.scalars(select(ReplacedRouteLink)).all() == []
    assert live_notices(db_session) == []


def test_joined_and_gone_teams(
    case: BondyCase, db_session: Session, app: Flask, settings: Settings, two_days_before: datetime
) -> None:
    before = send_teams(app, db_session, case, [[0, 3], [1, 4], [2], [5]])

    plan_again(app, db_session, case, settings, two_days_before)

    after = links(db_session)
    rows = live_notices(db_session)
    gone_team_page = app.test_client().get(f"/parcours/{before[4].token}")
    assert teams_by_index(db_session, case) == PLANNED_TEAMS
    # Team 3 only gained a member: whoever holds its link is still in it.
    assert [after[team] for team in (1, 2, 3)] == [before[team] for team in (1, 2, 3)]
    assert sorted(after) == [1, 2, 3]
    assert gone_team_page.status_code == 410
    assert REPLACED in gone_team_page.get_data(as_text=True)
    bodies = {index_of_user(case, row.user_id): row.body for row in rows}
    assert sorted(bodies) == [2, 5]
    assert "Bénévole5 rejoint votre équipe" in bodies[2]
    assert "vous faites désormais équipe avec Bénévole2" in bodies[5]


def test_unconfirmed_volunteer_gets_confirmation(
    case: BondyCase, db_session: Session, app: Flask, settings: Settings, two_days_before: datetime
) -> None:
    send_teams(app, db_session, case, [[0, 3], [1, 2], [4, 5]])
    newcomer = case.volunteer_ids[4]
    # As if the volunteer had been placed after the others were sent their links.
    db_session.execute(delete(Message).where(Message.user_id == newcomer))
    db_session.commit()

    plan_again(app, db_session, case, settings, two_days_before)

    after = links(db_session)
    rows = live_notices(db_session)
    confirmation = db_session.scalars(
        select(Message).where(
            Message.user_id == newcomer,
            Message.purpose == MessagePurpose.ASSIGNMENT_CONFIRMATION,
        )
    ).one()
    assert [index_of_user(case, row.user_id) for row in rows] == [1, 2, 5]
    assert f"{ROUTE_LINK}{after[2].token}" in confirmation.body
    assert "Bénévole1" in confirmation.body
