"""Assignment, routes and messages of a small campaign on Bondy's real data."""

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from routing.route_types import TurfPlan, TurfProblem
from routing.street_graph import StreetGraph
from routing.street_reach import build_walking_table
from routing.turf import plan_turf
from routing.walking_table import WalkingTable
from tests.conftest import SAMPLE_DIR
from tests.redis_urls import JOBS_REDIS_URL
from tests.webapp.planning.bondy_case import savepoint_of, seeded_connection
from webapp import create_app
from webapp.db import SESSION_FACTORY_KEY, utcnow
from webapp.models import (
    Address,
    Assignment,
    AvailabilitySlot,
    Campaign,
    CanvassSession,
    Consent,
    DoorVisit,
    LeftOutVolunteer,
    Membership,
    Message,
    Route,
    User,
    VolunteerProfile,
)
from webapp.models.canvass import DoorOutcome
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.planning import AssignmentStatus
from webapp.models.users import Channel, ConsentPurpose, Role
from webapp.services import planning_steps, routes, walking_limits
from webapp.services.localtime import local_to_utc
from webapp.services.planning_locks import move_volunteer, send_choice_messages
from webapp.services.planning_steps import run_planning
from webapp.services.planning_view import load_session_detail
from webapp.services.removal_notices import list_placements, notify_removed
from webapp.services.scoring import score_campaign
from webapp.services.sessions import SessionDraft, create_session
from webapp.services.territory_import import import_territory
from webapp.settings import Settings

SATURDAY = date(2027, 3, 6)
IRIS_CODE = "930100202"  # Le Centre Ville


def add_volunteer(
    session: Session, campaign_id: int, index: int, home: Address, *, saturday: bool = True
) -> User:
    user = User(
        email=f"v{index}@example.org",
        password_hash="x",
        first_name=f"Bénévole{index}",
        last_name="Exemple",
        phone_e164=f"+3363998{index:04d}",
    )
    session.add(user)
    session.flush()
    session.add(Membership(user_id=user.id, campaign_id=campaign_id, role=Role.VOLUNTEER))
    session.add(
        VolunteerProfile(
            user_id=user.id, home_lon=home.lon, home_lat=home.lat, is_experienced=index % 2 == 0
        )
    )
    if saturday:
        session.add(
            AvailabilitySlot(
                user_id=user.id, weekday=5, start_minute=9 * 60, end_minute=12 * 60 + 30
            )
        )
    for channel in (Channel.EMAIL, Channel.SMS):
        session.add(
            Consent(
                user_id=user.id,
                purpose=ConsentPurpose.CANVASS_MESSAGES,
                channel=channel,
                is_granted=True,
                wording_version="test",
                source="test",
            )
        )
    return user


@dataclass(frozen=True)
class Planned:
    id: int
    outbox_path: Path


def plan_small_campaign(session: Session, settings: Settings) -> Planned:
    """Seed six volunteers and a Saturday session in Le Centre Ville, then plan once."""
    import_territory(session, SAMPLE_DIR)
    campaign = Campaign(
        name="Test",
        election_kind="municipales",
        commune_codes=["93010"],
        our_candidates=["MÉLENCHON"],
    )
    session.add(campaign)
    session.flush()
    score_campaign(session, campaign.id)
    homes = session.scalars(
        select(Address).where(Address.iris_code == IRIS_CODE).order_by(Address.id).limit(6)
    ).all()
    for index, home in enumerate(homes[:5]):
        add_volunteer(session, campaign.id, index, home)
    add_volunteer(session, campaign.id, 5, homes[5], saturday=False)
    draft = SessionDraft(
        day=SATURDAY,
        start=time(9, 30),
        end=time(11, 0),
        iris_code=IRIS_CODE,
        min_volunteers=2,
        max_volunteers=8,
        meeting_address_id=homes[0].id,
    )
    create_session(session, campaign.id, draft, today=SATURDAY)
    session.commit()
    app = create_app(settings)
    app.extensions[SESSION_FACTORY_KEY] = sessionmaker(
        bind=session.get_bind(), expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    # Confirmations are sent in-process when the planning commits, inside the app context.
    with app.app_context():
        run_planning(session, campaign.id, settings)
        session.commit()
    return Planned(id=campaign.id, outbox_path=settings.outbox_path)


@pytest.fixture(scope="module")
def seeded(
    database_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Connection, Planned]]:
    settings = Settings(
        environment="test",
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        database_url=database_engine.url.render_as_string(hide_password=False),
        redis_url=JOBS_REDIS_URL,
        is_queue_synchronous=True,
        outbox_path=tmp_path_factory.mktemp("outbox") / "outbox.jsonl",
        public_base_url="http://127.0.0.1:5000",
        assignment_time_limit_s=2.0,
        route_time_limit_s=1.0,
    )
    yield from seeded_connection(database_engine, partial(plan_small_campaign, settings=settings))


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings with short solver time limits."""
    return replace(settings, assignment_time_limit_s=2.0, route_time_limit_s=1.0)


@pytest.fixture
def db_connection(seeded: tuple[Connection, Planned]) -> Iterator[Connection]:
    yield from savepoint_of(seeded[0])


@pytest.fixture
def planned(seeded: tuple[Connection, Planned]) -> Planned:
    return seeded[1]


def test_pairs_placed_and_left_out_explained(planned: Planned, db_session: Session) -> None:
    assignments = db_session.scalars(select(Assignment)).all()
    left_out = {row.user_id: row.reason for row in db_session.scalars(select(LeftOutVolunteer))}

    assert len(assignments) == 4
    assert sorted(a.team for a in assignments) == [1, 1, 2, 2]
    assert sorted(left_out.values()) == ["no_availability", "no_partner"]


def test_routes_cover_doors_once_within_session(
    planned: Planned, db_session: Session, settings: Settings
) -> None:
    routes = db_session.scalars(select(Route).order_by(Route.team)).all()
    iris_addresses = set(
        db_session.scalars(select(Address.id).where(Address.iris_code == IRIS_CODE))
    )
    routed = [address_id for route in routes for address_id in route.address_ids]

    assert [route.team for route in routes] == [1, 2]
    assert len(routed) == len(set(routed))
    assert set(routed) <= iris_addresses
    for route in routes:
        assert route.door_count == len(route.address_ids) > 0
        assert route.total_minutes <= 90
        addresses = [db_session.get(Address, address_id) for address_id in route.address_ids]
        dwellings = sum(address.dwellings for address in addresses if address is not None)
        assert route.dwelling_count == dwellings >= route.door_count
        expected = (
            route.length_m / settings.walking_speed_m_per_min
            + dwellings * settings.minutes_per_address
        )
        assert route.total_minutes == pytest.approx(expected, abs=0.1)
        assert len(route.access_token) >= 40
        assert route.path[0] == route.path[-1]


def test_messages_queued_and_confirmations_sent(
    planned: Planned, db_session: Session, settings: Settings
) -> None:
    messages = db_session.scalars(select(Message).order_by(Message.id)).all()
    confirmations = [m for m in messages if m.purpose == MessagePurpose.ASSIGNMENT_CONFIRMATION]
    reminders = [m for m in messages if m.purpose == MessagePurpose.SESSION_REMINDER]

    assert len(confirmations) == 8
    assert len(reminders) == 8
    assert {m.status for m in confirmations} == {MessageStatus.SENT}
    assert {m.status for m in reminders} == {MessageStatus.QUEUED}
    outbox = [
        json.loads(line) for line in planned.outbox_path.read_text(encoding="utf-8").splitlines()
    ]
    assert len(outbox) == 8
    sms = next(m for m in confirmations if m.channel == Channel.SMS)
    assert "http://127.0.0.1:5000/parcours/" in sms.body
    assert "samedi" in next(m for m in confirmations if m.channel == Channel.EMAIL).subject


def test_planning_twice_queues_no_new_message(
    planned: Planned, app: Flask, db_session: Session
) -> None:
    before = len(db_session.scalars(select(Message)).all())
    with app.app_context():
        run_planning(db_session, planned.id, app.extensions["tournee.settings"])
        db_session.commit()

    assert len(db_session.scalars(select(Message)).all()) == before


def test_planning_again_keeps_route_links(
    planned: Planned, app: Flask, db_session: Session
) -> None:
    before = {r.team: (r.id, r.access_token) for r in db_session.scalars(select(Route))}

    with app.app_context():
        run_planning(db_session, planned.id, app.extensions["tournee.settings"])
        db_session.commit()
    after = {r.team: (r.id, r.access_token) for r in db_session.scalars(select(Route))}
    client = app.test_client()

    assert sorted(before) == [1, 2]
    assert after == before
    for _, token in after.values():
        assert client.get(f"/parcours/{token}").status_code == 200


def queued_keys(session: Session, assignment_id: int) -> list[str]:
    return sorted(
        session.scalars(
            select(Message.idempotency_key).where(
                Message.status == MessageStatus.QUEUED,
                Message.idempotency_key.startswith(f"assignment:{assignment_id}:"),
            )
        )
    )


def test_volunteer_moved_to_other_team_gets_new_reminders(
    planned: Planned, app: Flask, db_session: Session
) -> None:
    moved, kept = db_session.scalars(select(Assignment).order_by(Assignment.id)).all()[:2]
    kept_before = queued_keys(db_session, kept.id)
    moved_before = queued_keys(db_session, moved.id)
    # As if the previous plan had put this volunteer in a team of their own.
    moved.team = 9
    db_session.commit()

    with app.app_context():
        run_planning(db_session, planned.id, app.extensions["tournee.settings"])
        db_session.commit()
    db_session.expire_all()

    assert moved.team in (1, 2)
    # Reminders by e-mail and SMS, the SMS soon before the start, and the thanks.
    assert len(moved_before) == 4
    assert queued_keys(db_session, moved.id) == sorted(f"{key}:r2" for key in moved_before)
    assert queued_keys(db_session, kept.id) == kept_before


def test_planning_loads_graph_once(
    planned: Planned, app: Flask, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Walkers with a time limit need the streets for the assignment too.
    for profile in db_session.scalars(select(VolunteerProfile)):
        profile.max_travel_minutes = 30
        profile.travel_mode = "walk"
    db_session.flush()
    loaded: list[StreetGraph] = []
    used: list[StreetGraph] = []
    real_load = routes.load_street_graph

    def load(session: Session, excluded_way_ids: set[int] | None = None) -> StreetGraph:
        loaded.append(real_load(session, excluded_way_ids))
        return loaded[-1]

    def table(graph: StreetGraph, *args: Any, **kwargs: Any) -> WalkingTable | None:
        used.append(graph)
        return build_walking_table(graph, *args, **kwargs)

    def turf(graph: StreetGraph, problem: TurfProblem) -> TurfPlan:
        used.append(graph)
        return plan_turf(graph, problem)

    monkeypatch.setattr(routes, "load_street_graph", load)
    monkeypatch.setattr(walking_limits, "load_street_graph", load)
    monkeypatch.setattr(walking_limits, "build_walking_table", table)
    monkeypatch.setattr(planning_steps, "plan_turf", turf)
    with app.app_context():
        report = run_planning(db_session, planned.id, app.extensions["tournee.settings"])

    assert report.routes
    assert len(loaded) == 1
    # The walking-time check, then one route solve for the session.
    assert len(used) == 2
    assert all(graph is loaded[0] for graph in used)


def test_planning_keeps_a_begun_session(planned: Planned, app: Flask, db_session: Session) -> None:
    routes = db_session.scalars(select(Route).order_by(Route.team)).all()
    db_session.add(
        DoorVisit(
            route_id=routes[0].id,
            address_id=routes[0].address_ids[0],
            outcome=DoorOutcome.ABSENT,
        )
    )
    db_session.flush()
    before_routes = [(r.id, r.team, r.access_token, list(r.address_ids)) for r in routes]
    before_pairs = sorted(
        (a.session_id, a.user_id, a.team) for a in db_session.scalars(select(Assignment))
    )
    before_left_out = sorted(db_session.scalars(select(LeftOutVolunteer.user_id)))

    with app.app_context():
        report = run_planning(db_session, planned.id, app.extensions["tournee.settings"])
        db_session.commit()

    after = db_session.scalars(select(Route).order_by(Route.team)).all()
    after_pairs = sorted(
        (a.session_id, a.user_id, a.team) for a in db_session.scalars(select(Assignment))
    )
    assert [(r.id, r.team, r.access_token, list(r.address_ids)) for r in after] == before_routes
    assert len(db_session.scalars(select(DoorVisit)).all()) == 1
    assert after_pairs == before_pairs
    assert sorted(db_session.scalars(select(LeftOutVolunteer.user_id))) == before_left_out
    assert len(report.routes) == len(before_routes)
    # The run's figures count the begun session's volunteers, as the summary page does.
    counts = report.counts()
    assert counts["placed"] == len(after_pairs)
    assert counts["volunteers"] == len({user_id for _, user_id, _ in after_pairs})
    assert counts["left_out"] == len(before_left_out)


@pytest.mark.parametrize(
    ("paris_time", "kept"),
    [
        # The session runs from 09:30 to 11:00, Paris time.
        (time(10, 0), True),
        (time(10, 59), True),
        (time(11, 0), False),
    ],
)
def test_begun_session_is_reported_until_its_end(
    planned: Planned, app: Flask, db_session: Session, *, paris_time: time, kept: bool
) -> None:
    canvass = db_session.scalars(select(CanvassSession)).one()
    route = db_session.scalars(select(Route).order_by(Route.team)).first()
    assert route is not None
    db_session.add(
        DoorVisit(route_id=route.id, address_id=route.address_ids[0], outcome=DoorOutcome.OPENED)
    )
    # Not begun: the run plans it again, and does not report it.
    later = add_afternoon_session(db_session, planned)
    db_session.flush()
    now = local_to_utc(datetime.combine(SATURDAY, paris_time))

    with app.app_context():
        report = run_planning(db_session, planned.id, app.extensions["tournee.settings"], now=now)

    expected = (canvass.id,) if kept else ()
    assert report.kept_session_ids == expected
    assert report.counts()["kept_session_ids"] == list(expected)
    assert later.id not in report.kept_session_ids


def test_session_without_visit_is_not_reported(
    planned: Planned, app: Flask, db_session: Session
) -> None:
    # Under way, but no door is recorded: the run forms its teams again.
    now = local_to_utc(datetime.combine(SATURDAY, time(10, 0)))

    with app.app_context():
        report = run_planning(db_session, planned.id, app.extensions["tournee.settings"], now=now)

    assert report.kept_session_ids == ()
    assert report.counts()["kept_session_ids"] == []


def test_begun_session_counts_for_clashes(
    planned: Planned, app: Flask, db_session: Session
) -> None:
    routes = db_session.scalars(select(Route).order_by(Route.team)).all()
    db_session.add(
        DoorVisit(
            route_id=routes[0].id, address_id=routes[0].address_ids[0], outcome=DoorOutcome.ABSENT
        )
    )
    out_canvassing = set(db_session.scalars(select(Assignment.user_id)))
    # The begun session runs 09:30 to 11:00; this one overlaps it, inside everyone's slot.
    overlapping = add_saturday_session(
        db_session, planned, time(10, 30), time(12, 30), today=SATURDAY
    )
    db_session.flush()

    with app.app_context():
        run_planning(db_session, planned.id, app.extensions["tournee.settings"])
        db_session.commit()

    on_new = db_session.scalars(
        select(Assignment.user_id).where(Assignment.session_id == overlapping.id)
    ).all()
    assert len(out_canvassing) == 4
    assert on_new == []
    left_out = set(db_session.scalars(select(LeftOutVolunteer.user_id)))
    assert not left_out & out_canvassing


def test_removed_volunteer_is_notified(planned: Planned, app: Flask, db_session: Session) -> None:
    before = {a.id: a.user_id for a in db_session.scalars(select(Assignment))}
    queued_before = {
        assignment_id: queued_keys(db_session, assignment_id) for assignment_id in before
    }
    canvass = db_session.scalars(select(CanvassSession)).one()
    canvass.max_volunteers = 2
    db_session.commit()

    with app.app_context():
        # Counted before the commits, as the planning job counts them.
        first = run_planning(db_session, planned.id, app.extensions["tournee.settings"]).counts()
        db_session.commit()
        second = run_planning(db_session, planned.id, app.extensions["tournee.settings"]).counts()
        db_session.commit()

    kept = set(db_session.scalars(select(Assignment.id)))
    removed = sorted(set(before) - kept)
    # The first run withdrew the reminders still queued of the two taken off, and no other.
    withdrawn = sum(len(queued_before[assignment_id]) for assignment_id in removed)
    assert withdrawn > 0
    assert first["withdrawn_messages"] == withdrawn
    assert second["withdrawn_messages"] == 0
    assert len(before) == 4
    assert len(kept) == 2
    notices = sorted(
        db_session.scalars(
            select(Message).where(Message.purpose == MessagePurpose.SESSION_CHANGED)
        ),
        key=lambda message: (message.user_id or 0, message.channel),
    )
    # Each volunteer taken off gets one notice per channel, once over both runs.
    assert [(m.user_id, m.channel, m.status) for m in notices] == sorted(
        (before[assignment_id], channel, MessageStatus.SENT)
        for assignment_id in removed
        for channel in (Channel.EMAIL, Channel.SMS)
    )
    assert sorted(m.idempotency_key for m in notices) == sorted(
        f"assignment:{assignment_id}:session_changed:{channel}:removed"
        for assignment_id in removed
        for channel in ("email", "sms")
    )
    users = {user.id: user.first_name for user in db_session.scalars(select(User))}
    label = "samedi 6 mars 2027 à 09:30 (Le Centre Ville)"
    email, sms = notices[0], notices[1]
    assert email.subject == f"Changement pour le porte-à-porte du {label}"
    assert email.body.splitlines()[:6] == [
        f"Bonjour {users[email.user_id]},",
        "",
        "La planification a changé : vous ne faites plus partie de la session de "
        f"porte-à-porte du {label}, inutile de venir.",
        "Si une autre session vous est proposée, vous recevrez un message à ce sujet.",
        "Merci d’avoir réservé ce moment. Nous vous tiendrons au courant des prochaines sessions.",
        "",
    ]
    assert sms.body == (
        "Tournee : changement de planning, vous ne faites plus partie du porte-à-porte du "
        "06/03/2027 à 09:30 (Le Centre Ville), inutile de venir."
    )
    # Their reminders still to come are withdrawn.
    for assignment_id in removed:
        assert queued_keys(db_session, assignment_id) == []


@pytest.mark.parametrize("after_start", [timedelta(minutes=1), timedelta(hours=3)])
def test_removal_once_session_began_sends_nothing(
    planned: Planned, app: Flask, db_session: Session, after_start: timedelta
) -> None:
    placements = list_placements(db_session, planned.id)
    gone = db_session.get(Assignment, placements[0].assignment_id)
    assert gone is not None
    # A minute into the session the volunteer may be out canvassing; later it is over.
    starts_at = gone.session.starts_at
    db_session.delete(gone)
    db_session.flush()

    with app.app_context():
        notices = notify_removed(db_session, planned.id, placements, now=starts_at + after_start)

    assert len(placements) == 4
    assert notices == []
    assert queued_keys(db_session, placements[0].assignment_id) == []


def test_removal_of_unannounced_place_sends_nothing(
    planned: Planned, app: Flask, db_session: Session
) -> None:
    placements = list_placements(db_session, planned.id)
    first = placements[0].assignment_id
    # As if the volunteer had been placed so shortly before that nothing had gone out.
    for message in db_session.scalars(
        select(Message).where(Message.idempotency_key.startswith(f"assignment:{first}:"))
    ):
        message.status = MessageStatus.QUEUED
    gone = db_session.get(Assignment, first)
    db_session.delete(gone)
    db_session.flush()

    with app.app_context():
        notices = notify_removed(db_session, planned.id, placements, now=utcnow())

    assert notices == []
    assert queued_keys(db_session, first) == []


def add_saturday_session(
    db_session: Session, planned: Planned, start: time, end: time, *, today: date
) -> CanvassSession:
    """Add a session on the same Saturday and IRIS, created on `today`."""
    meeting = db_session.scalars(
        select(Address).where(Address.iris_code == IRIS_CODE).order_by(Address.id).limit(1)
    ).one()
    return create_session(
        db_session,
        planned.id,
        SessionDraft(
            day=SATURDAY,
            start=start,
            end=end,
            iris_code=IRIS_CODE,
            min_volunteers=2,
            max_volunteers=8,
            meeting_address_id=meeting.id,
        ),
        today=today,
    )


def add_afternoon_session(db_session: Session, planned: Planned) -> CanvassSession:
    """Add a session from 14:00 to 16:00 on the same Saturday and IRIS."""
    return add_saturday_session(
        db_session, planned, time(14, 0), time(16, 0), today=SATURDAY - timedelta(days=7)
    )


def test_moved_volunteer_is_told_of_the_move(
    planned: Planned, app: Flask, db_session: Session
) -> None:
    later = add_afternoon_session(db_session, planned)
    moved = list_placements(db_session, planned.id)[0]
    before = list_placements(db_session, planned.id, user_id=moved.user_id)

    with app.app_context():
        choice = move_volunteer(db_session, planned.id, moved.user_id, moved.session_id, later.id)
        send_choice_messages(db_session, planned.id, choice, before, now=utcnow())
        db_session.commit()
        detail = load_session_detail(db_session, planned.id, moved.session_id)

    assert detail is not None
    left = db_session.get(Assignment, moved.assignment_id)
    assert left is not None
    assert (left.status, left.moved_to_session_id) == (AssignmentStatus.DECLINED, later.id)
    assert [member.user_id for member in detail.moved_members] == [moved.user_id]
    assert moved.user_id not in {m.user_id for team in detail.teams for m in team.members}
    notices = {
        message.channel: message
        for message in db_session.scalars(
            select(Message).where(
                Message.purpose == MessagePurpose.SESSION_CHANGED,
                Message.user_id == moved.user_id,
            )
        )
    }
    first = "samedi 6 mars 2027 à 09:30 (Le Centre Ville)"
    second = "samedi 6 mars 2027 à 14:00 (Le Centre Ville)"
    mover = db_session.get(User, moved.user_id)
    assert mover is not None
    first_name = mover.first_name
    assert notices[Channel.EMAIL].body.splitlines()[:5] == [
        f"Bonjour {first_name},",
        "",
        "Comme convenu avec l’équipe de coordination, vous passez de la session de "
        f"porte-à-porte du {first} à celle du {second} : inutile de venir à la première.",
        "La confirmation de votre nouvelle session vous parvient dans un autre message.",
        "",
    ]
    assert notices[Channel.SMS].body == (
        "Tournee : comme convenu, vous passez du porte-à-porte du 06/03/2027 à 09:30 "
        "(Le Centre Ville) à celui du 06/03/2027 à 14:00 (Le Centre Ville). "
        "Vous recevrez la confirmation de la nouvelle session."
    )


def test_run_move_names_new_session(planned: Planned, app: Flask, db_session: Session) -> None:
    later = add_afternoon_session(db_session, planned)
    before = list_placements(db_session, planned.id)
    moved = before[0]
    # As a run would store it: the place on the first session goes, one on the second comes.
    gone = db_session.get(Assignment, moved.assignment_id)
    db_session.delete(gone)
    db_session.add(Assignment(session_id=later.id, user_id=moved.user_id, team=1))
    db_session.flush()

    with app.app_context():
        notices = notify_removed(db_session, planned.id, before, now=utcnow())

    sms = next(message for message in notices if message.channel == Channel.SMS)
    assert sms.body == (
        "Tournee : changement de planning, vous passez du porte-à-porte du 06/03/2027 à 09:30 "
        "(Le Centre Ville) à celui du 06/03/2027 à 14:00 (Le Centre Ville). "
        "Vous recevrez la confirmation de la nouvelle session."
    )
    email = next(message for message in notices if message.channel == Channel.EMAIL)
    assert email.body.splitlines()[2:4] == [
        "La planification a changé : vous passez de la session de porte-à-porte du samedi "
        "6 mars 2027 à 09:30 (Le Centre Ville) à celle du samedi 6 mars 2027 à 14:00 "
        "(Le Centre Ville), inutile de venir à la première.",
        "La confirmation de votre nouvelle session vous parvient dans un autre message.",
    ]
