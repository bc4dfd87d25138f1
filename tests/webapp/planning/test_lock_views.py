"""Lock, unlock, move and place volunteers by hand from the session and summary pages.

French texts that are new with these actions are checked in French and need the
rebuilt catalogue.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.factories import (
    at_utc,
    make_assignment,
    make_campaign,
    make_canvass_session,
    make_planning_volunteer,
)
from tests.webapp.accounts.html_page import Page, csrf_token
from tests.webapp.planning.conftest import OTHER_IRIS, TARGET_IRIS, Territory
from webapp.db import utcnow
from webapp.models import Assignment, CanvassSession, LeftOutVolunteer, Message, User
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.planning import AssignmentStatus, SessionStatus
from webapp.services.notifications import queue_assignment_messages
from webapp.services.planning_view import load_planning_summary, load_session_detail

# A month before the sessions: every reminder is still to come.
NOW = at_utc(2027, 2, 6, 12, 0)
RELAUNCH = (
    "Relancez la planification pour que les autres bénévoles et les parcours tiennent compte "
    "de ce choix."
)


@dataclass
class Case:
    morning: CanvassSession  # Saturday 10:30-12:30, Paris time: the volunteers are free
    afternoon: CanvassSession  # Saturday 15:00-17:00: they are not
    cancelled: CanvassSession
    volunteers: list[User]


@pytest.fixture
def case(db_session: Session, territory: Territory) -> Case:
    campaign = territory.campaign

    def canvass(hour: int, iris_code: str, **values: object) -> CanvassSession:
        return make_canvass_session(
            db_session,
            campaign=campaign,
            iris_code=iris_code,
            starts_at=at_utc(2027, 3, 6, hour, 30 if hour == 9 else 0),
            **values,  # type: ignore[arg-type]
        )

    morning = canvass(9, TARGET_IRIS, max_volunteers=2)
    afternoon = canvass(14, OTHER_IRIS)
    cancelled = canvass(16, OTHER_IRIS)
    cancelled.status = SessionStatus.CANCELLED
    homes = list(territory.addresses.values())
    # Free on Saturdays from 09:00 to 12:30.
    volunteers = [
        make_planning_volunteer(db_session, campaign=campaign, index=index, home=homes[index])
        for index in range(3)
    ]
    make_assignment(db_session, canvass_session=morning, user=volunteers[0], team=1)
    make_assignment(db_session, canvass_session=morning, user=volunteers[1], team=1)
    db_session.commit()
    return Case(morning, afternoon, cancelled, volunteers)


def page_of(client: FlaskClient, path: str) -> Page:
    return Page(client.get(path).get_data(as_text=True))


def session_path(canvass: CanvassSession) -> str:
    return f"/planification/sessions/{canvass.id}"


def post(client: FlaskClient, path: str, **data: object) -> TestResponse:
    token = csrf_token(client.get("/planification/sessions").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def flashes(page: Page) -> list[tuple[str, str]]:
    return [
        (element.attrs["class"].removeprefix("flash flash-"), element.text)
        for element in page.elements
        if element.attrs.get("class", "").startswith("flash flash-")
    ]


def stored(db_session: Session) -> set[tuple[int, int, bool]]:
    """Return (user id, session id, locked) of every assignment."""
    db_session.expire_all()
    rows = db_session.execute(
        select(Assignment.user_id, Assignment.session_id, Assignment.is_locked)
    )
    return {(user_id, session_id, locked) for user_id, session_id, locked in rows}


def test_session_page_offers_manual_choices(coordinator_client: FlaskClient, case: Case) -> None:
    page = page_of(coordinator_client, session_path(case.morning))

    first, second = case.volunteers[:2]
    row = page.by_id(f"volunteer-{first.id}").text
    assert row.startswith(f"{first.first_name} Exemple 1 Verrouiller Session où déplacer ")
    assert page.has_id(f"volunteer-{second.id}")
    assert not page.has_id(f"volunteer-{case.volunteers[2].id}")
    lock_forms = page.select("form", action=f"{session_path(case.morning)}/verrous")
    assert len(lock_forms) == 2
    # The other planned session is offered; this one and the cancelled one are not.
    options = [element.attrs["value"] for element in page.select("option")]
    assert options.count(str(case.afternoon.id)) == 2
    assert str(case.cancelled.id) not in options
    assert str(case.morning.id) not in options
    assert page.select("form", action="/planification/lancer")


def test_move_offers_no_session_already_held(
    coordinator_client: FlaskClient, db_session: Session, case: Case
) -> None:
    first, second = case.volunteers[:2]
    make_assignment(db_session, canvass_session=case.afternoon, user=first)
    db_session.commit()

    page = page_of(coordinator_client, session_path(case.morning))

    # The first volunteer is on the afternoon already: nowhere else to go.
    assert "Aucune autre session où le déplacer." in page.by_id(f"volunteer-{first.id}").text
    # Only the second volunteer is offered the afternoon.
    options = [element.attrs["value"] for element in page.select("option")]
    assert options.count(str(case.afternoon.id)) == 1
    assert page.has_id(f"move-{second.id}")
    assert not page.has_id(f"move-{first.id}")


def test_lock_then_unlock(coordinator_client: FlaskClient, db_session: Session, case: Case) -> None:
    volunteer = case.volunteers[0]
    path = session_path(case.morning)

    response = post(coordinator_client, f"{path}/verrous", volunteer_id=volunteer.id)

    assert (response.status_code, response.headers["Location"]) == (302, path)
    assert (volunteer.id, case.morning.id, True) in stored(db_session)
    page = page_of(coordinator_client, path)
    assert flashes(page) == [
        ("success", f"Verrou posé : {volunteer.first_name} Exemple reste sur cette session."),
        ("info", RELAUNCH),
    ]
    row = page.by_id(f"volunteer-{volunteer.id}").text
    assert row.startswith(f"{volunteer.first_name} Exemple 1 verrou posé Déverrouiller ")

    post(coordinator_client, f"{path}/verrous/retrait", volunteer_id=volunteer.id)

    assert (volunteer.id, case.morning.id, False) in stored(db_session)
    assert flashes(page_of(coordinator_client, path)) == [
        (
            "success",
            "Le verrou est retiré : la prochaine planification pourra déplacer ce bénévole.",
        )
    ]
    post(coordinator_client, f"{path}/verrous/retrait", volunteer_id=volunteer.id)
    assert flashes(page_of(coordinator_client, path)) == [
        ("info", "Cette personne n’avait pas de verrou sur cette session.")
    ]


def test_lock_on_a_declined_volunteer_warns(
    coordinator_client: FlaskClient, db_session: Session, case: Case
) -> None:
    volunteer = case.volunteers[0]
    assignment = db_session.scalars(
        select(Assignment).where(Assignment.user_id == volunteer.id)
    ).one()
    assignment.status = AssignmentStatus.DECLINED
    db_session.commit()
    path = session_path(case.morning)

    post(coordinator_client, f"{path}/verrous", volunteer_id=volunteer.id)

    db_session.expire_all()
    assert assignment.status == AssignmentStatus.PROPOSED
    assert flashes(page_of(coordinator_client, path)) == [
        ("success", f"Verrou posé : {volunteer.first_name} Exemple reste sur cette session."),
        (
            "warning",
            f"{volunteer.first_name} Exemple avait décliné cette session : le verrou l’y "
            "réinscrit. Vérifiez avec cette personne qu’elle peut venir.",
        ),
        ("info", RELAUNCH),
    ]


def test_move_outside_availability_warns(
    coordinator_client: FlaskClient, db_session: Session, case: Case
) -> None:
    volunteer, partner = case.volunteers[:2]
    path = session_path(case.morning)

    response = post(
        coordinator_client,
        f"{path}/deplacement",
        volunteer_id=volunteer.id,
        target_session_id=case.afternoon.id,
    )

    assert (response.status_code, response.headers["Location"]) == (302, path)
    # The morning keeps a decline, unlocked, so that no later run proposes it again.
    assert stored(db_session) == {
        (partner.id, case.morning.id, False),
        (volunteer.id, case.morning.id, False),
        (volunteer.id, case.afternoon.id, True),
    }
    name = f"{volunteer.first_name} Exemple"
    assert flashes(page_of(coordinator_client, path)) == [
        (
            "success",
            f"Déplacement de {name} sur la session du samedi 6 mars 2027 à 15:00 (La Flamiche), "
            "avec un verrou.",
        ),
        (
            "warning",
            f"D’après ses disponibilités, {name} n’est pas libre à cette heure-là : le verrou "
            "l’y maintient, vérifiez donc avec cette personne qu’elle peut venir.",
        ),
        ("info", RELAUNCH),
    ]
    # The morning's page lists the volunteer apart from its teams.
    page = page_of(coordinator_client, path)
    assert page.by_id("moved-members").text == f"Déplacé·e·s sur une autre session : {name}"
    assert name not in page.select("ul", **{"class": "team-list"})[0].text
    assert not page.has_id(f"volunteer-{volunteer.id}")


@pytest.mark.parametrize(
    ("first_name", "expected"),
    [
        ("Inès", "Déplacement d’Inès Exemple sur la session"),
        ("Yves", "Déplacement d’Yves Exemple sur la session"),
        # An h may be aspirated, so the name keeps « de ».
        ("Hugues", "Déplacement de Hugues Exemple sur la session"),
        ("Élodie", "Placement d’Élodie Exemple sur la session"),
    ],
)
def test_move_message_elides_before_vowel(
    coordinator_client: FlaskClient,
    db_session: Session,
    case: Case,
    first_name: str,
    expected: str,
) -> None:
    # Volunteer 0 is on the morning session, and volunteer 2 on none.
    is_placed = expected.startswith("Placement")
    volunteer = case.volunteers[2 if is_placed else 0]
    volunteer.first_name = first_name
    db_session.commit()
    path = session_path(case.morning)
    target = "/planification/placements" if is_placed else f"{path}/deplacement"

    response = post(
        coordinator_client, target, volunteer_id=volunteer.id, target_session_id=case.afternoon.id
    )

    success = [
        text
        for category, text in flashes(page_of(coordinator_client, response.headers["Location"]))
        if category == "success"
    ]
    assert success == [f"{expected} du samedi 6 mars 2027 à 15:00 (La Flamiche), avec un verrou."]


def messages_of(db_session: Session, user: User) -> list[Message]:
    db_session.expire_all()
    query = select(Message).where(Message.user_id == user.id).order_by(Message.id)
    return list(db_session.scalars(query))


def test_moved_volunteer_is_told_of_the_session_left(
    app: Flask, coordinator_client: FlaskClient, db_session: Session, case: Case
) -> None:
    volunteer = case.volunteers[0]
    with app.app_context():
        queue_assignment_messages(db_session, case.morning.campaign_id, now=NOW)
        db_session.commit()
    path = session_path(case.morning)

    post(
        coordinator_client,
        f"{path}/deplacement",
        volunteer_id=volunteer.id,
        target_session_id=case.afternoon.id,
    )

    rows = [(m.purpose, m.status, m.failure_reason) for m in messages_of(db_session, volunteer)]
    # The confirmation had gone, the reminders were still to come.
    assert rows[:4] == [
        (MessagePurpose.ASSIGNMENT_CONFIRMATION, MessageStatus.SENT, None),
        (MessagePurpose.SESSION_REMINDER, MessageStatus.SUPPRESSED, "withdrawn"),
        (MessagePurpose.SESSION_THANKS, MessageStatus.SUPPRESSED, "withdrawn"),
        (MessagePurpose.SESSION_CHANGED, MessageStatus.SENT, None),
    ]
    # The afternoon's confirmation goes at once, its reminders wait for their time.
    assert rows[4:] == [
        (MessagePurpose.ASSIGNMENT_CONFIRMATION, MessageStatus.SENT, None),
        (MessagePurpose.SESSION_REMINDER, MessageStatus.QUEUED, None),
        (MessagePurpose.SESSION_THANKS, MessageStatus.QUEUED, None),
    ]
    notice = messages_of(db_session, volunteer)[3]
    assert notice.subject == (
        "Changement pour le porte-à-porte du samedi 6 mars 2027 à 10:30 (Le Centre Ville)"
    )
    # The afternoon has no route cut for the team yet: the confirmation says when it comes.
    confirmation = messages_of(db_session, volunteer)[4]
    assert (
        "Votre équipe et son parcours vous parviendront dans un autre message, une fois la "
        "session planifiée de nouveau par l’équipe de coordination."
    ) in confirmation.body.splitlines()
    # The partner stays, and gets no notice.
    partner = [m.purpose for m in messages_of(db_session, case.volunteers[1])]
    assert MessagePurpose.SESSION_CHANGED not in partner


def test_move_before_any_message_confirms_only(
    coordinator_client: FlaskClient, db_session: Session, case: Case
) -> None:
    volunteer = case.volunteers[0]

    post(
        coordinator_client,
        f"{session_path(case.morning)}/deplacement",
        volunteer_id=volunteer.id,
        target_session_id=case.afternoon.id,
    )

    assert (volunteer.id, case.afternoon.id, True) in stored(db_session)
    # Nothing was sent about the morning, so only the afternoon's messages are written.
    purposes = [m.purpose for m in messages_of(db_session, volunteer)]
    assert MessagePurpose.SESSION_CHANGED not in purposes
    assert purposes[0] == MessagePurpose.ASSIGNMENT_CONFIRMATION


def test_move_without_choice_is_explained(
    coordinator_client: FlaskClient, db_session: Session, case: Case
) -> None:
    before = stored(db_session)
    path = session_path(case.morning)

    for target in ("", "pas-un-numéro"):
        post(
            coordinator_client,
            f"{path}/deplacement",
            volunteer_id=case.volunteers[0].id,
            target_session_id=target,
        )
        page = page_of(coordinator_client, path)
        assert flashes(page) == [("error", "Choisissez une session dans la liste.")]

    assert stored(db_session) == before


def test_foreign_or_unknown_session_is_404(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory, case: Case
) -> None:
    other = make_campaign(db_session, name="Autre campagne")
    foreign = make_canvass_session(
        db_session, campaign=other, iris_code=TARGET_IRIS, starts_at=at_utc(2027, 3, 6, 9)
    )
    db_session.commit()
    volunteer = case.volunteers[0].id
    before = stored(db_session)

    for session_id in (foreign.id, 999_999):
        path = f"/planification/sessions/{session_id}"
        assert (
            post(coordinator_client, f"{path}/verrous", volunteer_id=volunteer).status_code == 404
        )
        response = post(coordinator_client, f"{path}/verrous/retrait", volunteer_id=volunteer)
        assert response.status_code == 404
        response = post(
            coordinator_client,
            f"{path}/deplacement",
            volunteer_id=volunteer,
            target_session_id=case.afternoon.id,
        )
        assert response.status_code == 404
        response = post(
            coordinator_client,
            f"{session_path(case.morning)}/deplacement",
            volunteer_id=volunteer,
            target_session_id=session_id,
        )
        assert response.status_code == 404
        response = post(
            coordinator_client,
            "/planification/placements",
            volunteer_id=case.volunteers[2].id,
            target_session_id=session_id,
        )
        assert response.status_code == 404

    assert stored(db_session) == before


def test_unknown_volunteer_is_explained(
    coordinator_client: FlaskClient, db_session: Session, case: Case
) -> None:
    coordinator = db_session.scalars(select(User).where(User.email == "coord@example.org")).one()
    before = stored(db_session)
    path = session_path(case.morning)

    for user_id in (coordinator.id, 999_999):
        post(coordinator_client, f"{path}/verrous", volunteer_id=user_id)
        assert flashes(page_of(coordinator_client, path)) == [
            ("error", "Cette personne n’est pas bénévole active de la campagne.")
        ]

    assert stored(db_session) == before


@pytest.mark.parametrize("volunteer_id", ["", "abc", "-4", "99999999999", "١٢"])
def test_altered_form_is_rejected(
    coordinator_client: FlaskClient, db_session: Session, case: Case, volunteer_id: str
) -> None:
    path = session_path(case.morning)
    before = stored(db_session)

    for action in ("verrous", "verrous/retrait"):
        response = post(coordinator_client, f"{path}/{action}", volunteer_id=volunteer_id)
        assert response.status_code == 400
    response = post(
        coordinator_client,
        f"{path}/deplacement",
        volunteer_id=volunteer_id,
        target_session_id=case.afternoon.id,
    )
    assert response.status_code == 400

    assert stored(db_session) == before


def test_actions_need_a_csrf_token(
    coordinator_client: FlaskClient, db_session: Session, case: Case
) -> None:
    path = session_path(case.morning)
    data = {"volunteer_id": case.volunteers[0].id, "target_session_id": case.afternoon.id}
    before = stored(db_session)

    for action in (f"{path}/verrous", f"{path}/verrous/retrait", f"{path}/deplacement"):
        assert coordinator_client.post(action, data=data).status_code == 400
    assert coordinator_client.post("/planification/placements", data=data).status_code == 400

    assert stored(db_session) == before


def test_failed_move_leaves_volunteer_in_place(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory, case: Case
) -> None:
    volunteer = case.volunteers[0]
    # Locked on a session at the same time as the afternoon one.
    clashing = make_canvass_session(
        db_session,
        campaign=territory.campaign,
        iris_code=OTHER_IRIS,
        starts_at=at_utc(2027, 3, 6, 14, 30),
    )
    db_session.add(Assignment(session_id=clashing.id, user_id=volunteer.id, team=1, is_locked=True))
    db_session.commit()
    before = stored(db_session)
    path = session_path(case.morning)

    post(
        coordinator_client,
        f"{path}/deplacement",
        volunteer_id=volunteer.id,
        target_session_id=case.afternoon.id,
    )

    assert flashes(page_of(coordinator_client, path)) == [
        ("error", "Cette personne a déjà un verrou sur une session trop proche dans le temps.")
    ]
    assert stored(db_session) == before


def test_full_session_is_explained(
    coordinator_client: FlaskClient, db_session: Session, case: Case
) -> None:
    path = session_path(case.morning)
    for volunteer in case.volunteers[:2]:
        post(coordinator_client, f"{path}/verrous", volunteer_id=volunteer.id)
    page_of(coordinator_client, path)

    post(coordinator_client, f"{path}/verrous", volunteer_id=case.volunteers[2].id)

    assert flashes(page_of(coordinator_client, path)) == [
        (
            "error",
            "Toutes les places de cette session sont déjà verrouillées à la main : "
            "retirez d’abord le verrou d’une personne de cette session.",
        )
    ]
    assert (case.volunteers[2].id, case.morning.id, True) not in stored(db_session)


def test_left_out_volunteer_is_placed_by_hand(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory, case: Case
) -> None:
    volunteer = case.volunteers[2]
    db_session.add(
        LeftOutVolunteer(
            campaign_id=territory.campaign.id, user_id=volunteer.id, reason="no_partner"
        )
    )
    db_session.commit()
    summary = page_of(coordinator_client, "/planification/bilan")
    assert summary.select("form", action="/planification/placements")

    response = post(
        coordinator_client,
        "/planification/placements",
        volunteer_id=volunteer.id,
        target_session_id=case.afternoon.id,
    )

    assert (response.status_code, response.headers["Location"]) == (302, "/planification/bilan")
    assert (volunteer.id, case.afternoon.id, True) in stored(db_session)
    messages = flashes(page_of(coordinator_client, "/planification/bilan"))
    assert messages[0] == (
        "success",
        f"Placement de {volunteer.first_name} Exemple sur la session du samedi 6 mars 2027 "
        "à 15:00 (La Flamiche), "
        "avec un verrou.",
    )
    assert [category for category, _ in messages] == ["success", "warning", "info"]


def option_texts(page: Page, select_id: str) -> list[str]:
    """Return the texts of the options of one list of sessions."""
    choice = page.by_id(select_id)
    return [option.text for option in page.select("option") if option.is_inside(choice)]


def test_place_by_hand_offers_sessions_not_started(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory, case: Case
) -> None:
    volunteer = case.volunteers[2]
    db_session.add(
        LeftOutVolunteer(
            campaign_id=territory.campaign.id, user_id=volunteer.id, reason="no_partner"
        )
    )
    # Still planned, one under way and one over: their teams are out or home already.
    now = utcnow()
    for starts_at in (now - timedelta(minutes=30), now - timedelta(days=2)):
        make_canvass_session(
            db_session, campaign=territory.campaign, iris_code=TARGET_IRIS, starts_at=starts_at
        )
    db_session.commit()

    summary = page_of(coordinator_client, "/planification/bilan")
    session_page = page_of(coordinator_client, session_path(case.morning))

    assert option_texts(summary, f"place-{volunteer.id}") == [
        "Choisissez une session",
        "samedi 6 mars 2027 à 10:30 (Le Centre Ville)",
        "samedi 6 mars 2027 à 15:00 (La Flamiche)",
    ]
    # The move lists of the session page leave them out too.
    assert option_texts(session_page, f"move-{case.volunteers[0].id}") == [
        "Choisissez une session",
        "samedi 6 mars 2027 à 15:00 (La Flamiche)",
    ]


def test_started_sessions_leave_choice_lists(
    db_session: Session, territory: Territory, case: Case
) -> None:
    campaign_id = territory.campaign.id

    at_start = load_planning_summary(db_session, campaign_id, now=case.morning.starts_at)
    just_before = load_planning_summary(
        db_session, campaign_id, now=case.morning.starts_at - timedelta(seconds=1)
    )
    after_both = load_planning_summary(db_session, campaign_id, now=case.afternoon.starts_at)

    # A session leaves the list the moment it starts.
    assert [row.id for row in at_start.open_sessions] == [case.afternoon.id]
    assert [row.id for row in just_before.open_sessions] == [case.morning.id, case.afternoon.id]
    assert after_both.open_sessions == ()
    detail = load_session_detail(
        db_session, campaign_id, case.afternoon.id, now=case.morning.starts_at
    )
    assert detail is not None
    assert detail.move_targets == ()


STARTED = (
    "Cette session a commencé : ses équipes sont sur le terrain et la planification ne la "
    "change plus. Changez ses équipes depuis sa page : notez une équipe absente ou "
    "rattachez à une autre équipe une personne restée seule."
)


def test_started_session_takes_no_manual_choice(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory, case: Case
) -> None:
    # A form loaded before the start, sent once the session has begun.
    under_way = make_canvass_session(
        db_session,
        campaign=territory.campaign,
        iris_code=TARGET_IRIS,
        starts_at=utcnow() - timedelta(minutes=5),
    )
    db_session.commit()
    before = stored(db_session)
    moved, placed = case.volunteers[0], case.volunteers[2]

    lock = post(coordinator_client, f"{session_path(under_way)}/verrous", volunteer_id=placed.id)
    lock_flashes = flashes(page_of(coordinator_client, session_path(under_way)))
    move = post(
        coordinator_client,
        f"{session_path(case.morning)}/deplacement",
        volunteer_id=moved.id,
        target_session_id=under_way.id,
    )
    move_flashes = flashes(page_of(coordinator_client, session_path(case.morning)))
    place = post(
        coordinator_client,
        "/planification/placements",
        volunteer_id=placed.id,
        target_session_id=under_way.id,
    )
    place_flashes = flashes(page_of(coordinator_client, "/planification/bilan"))

    assert [lock.status_code, move.status_code, place.status_code] == [302, 302, 302]
    assert lock_flashes == move_flashes == place_flashes == [("error", STARTED)]
    assert stored(db_session) == before


def test_started_session_page_offers_no_manual_choice(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory, case: Case
) -> None:
    under_way = make_canvass_session(
        db_session,
        campaign=territory.campaign,
        iris_code=TARGET_IRIS,
        starts_at=utcnow() - timedelta(minutes=5),
    )
    locked, other = case.volunteers[2], case.volunteers[0]
    make_assignment(db_session, canvass_session=under_way, user=locked, team=1).is_locked = True
    db_session.commit()
    path = session_path(under_way)
    before = stored(db_session)

    page = page_of(coordinator_client, path)
    unlock = post(coordinator_client, f"{path}/verrous/retrait", volunteer_id=locked.id)
    unlock_flashes = flashes(page_of(coordinator_client, path))
    move = post(
        coordinator_client,
        f"{path}/deplacement",
        volunteer_id=locked.id,
        target_session_id=case.afternoon.id,
    )
    move_flashes = flashes(page_of(coordinator_client, path))

    # The volunteers are listed, locks shown, but no form changes them.
    assert page.by_id(f"volunteer-{locked.id}").text.endswith("1 verrou posé –")
    assert not page.select("form", action=f"{path}/verrous")
    assert not page.select("form", action=f"{path}/verrous/retrait")
    assert not page.select("form", action=f"{path}/deplacement")
    assert not page.select("form", action="/planification/lancer")
    assert page.by_id("choices-closed").text == (
        "La session a commencé : ses bénévoles ne peuvent plus être verrouillés, "
        "déverrouillés ni déplacés à la main. Pour changer ses équipes, notez plus haut une "
        "équipe absente ou rattachez à une autre équipe une personne restée seule."
    )
    # Forms loaded before the start are refused.
    assert [unlock.status_code, move.status_code] == [302, 302]
    assert unlock_flashes == move_flashes == [("error", STARTED)]
    assert stored(db_session) == before
    assert (other.id, case.morning.id, False) in before


def test_place_without_choice_is_explained(
    coordinator_client: FlaskClient, db_session: Session, case: Case
) -> None:
    before = stored(db_session)

    response = post(
        coordinator_client,
        "/planification/placements",
        volunteer_id=case.volunteers[2].id,
        target_session_id="",
    )

    assert response.headers["Location"] == "/planification/bilan"
    assert flashes(page_of(coordinator_client, "/planification/bilan")) == [
        ("error", "Choisissez une session dans la liste.")
    ]
    assert stored(db_session) == before


def test_impossible_lock_names_its_session(
    coordinator_client: FlaskClient, db_session: Session, case: Case
) -> None:
    volunteer = case.volunteers[2]
    # Alone on the afternoon session: nobody else is free then to make a team of two.
    post(
        coordinator_client,
        "/planification/placements",
        volunteer_id=volunteer.id,
        target_session_id=case.afternoon.id,
    )
    before = stored(db_session)

    response = post(coordinator_client, "/planification/lancer")

    page = page_of(coordinator_client, response.headers["Location"])
    assert page.by_id("run-error").text.startswith(
        "La planification a échoué. L’affectation n’a trouvé aucune solution (impossible avec "
        "les choix verrouillés) : les affectations précédentes sont conservées. Ces sessions "
        "ont des verrous qui ne peuvent pas tous être tenus"
    )
    assert page.by_id("conflicting-sessions").text == "samedi 6 mars 2027 à 15:00 (La Flamiche)"
    assert page.select("a", href=session_path(case.afternoon))
    assert stored(db_session) == before


def test_place_on_full_session_warns(
    coordinator_client: FlaskClient, db_session: Session, case: Case
) -> None:
    volunteer = case.volunteers[2]

    response = post(
        coordinator_client,
        "/planification/placements",
        volunteer_id=volunteer.id,
        target_session_id=case.morning.id,
    )

    assert response.headers["Location"] == "/planification/bilan"
    assert (volunteer.id, case.morning.id, True) in stored(db_session)
    name = f"{volunteer.first_name} Exemple"
    assert flashes(page_of(coordinator_client, "/planification/bilan")) == [
        (
            "success",
            f"Placement de {name} sur la session du samedi 6 mars 2027 à 10:30 "
            "(Le Centre Ville), avec un verrou.",
        ),
        (
            "warning",
            "La session du samedi 6 mars 2027 à 10:30 (Le Centre Ville) est déjà complète "
            f"(2 sur 2) : {name} s’y ajoute au-delà du maximum. La prochaine planification "
            "garde ce verrou et retire de la session des bénévoles non verrouillés pour revenir "
            "au maximum.",
        ),
        ("info", RELAUNCH),
    ]


def test_move_to_full_session_warns_in_english(
    coordinator_client: FlaskClient, db_session: Session, case: Case
) -> None:
    volunteer = case.volunteers[2]
    make_assignment(db_session, canvass_session=case.afternoon, user=volunteer, team=1)
    db_session.commit()
    with coordinator_client.session_transaction() as browser_session:
        browser_session["locale"] = "en"
    path = session_path(case.afternoon)

    post(
        coordinator_client,
        f"{path}/deplacement",
        volunteer_id=volunteer.id,
        target_session_id=case.morning.id,
    )

    name = f"{volunteer.first_name} Exemple"
    # The page text folds every space, the narrow no-break one before "AM" included.
    when = "Saturday, March 6, 2027 at 10:30 AM (Le Centre Ville)"
    assert flashes(page_of(coordinator_client, path)) == [
        ("success", f"{name} is moved to the session of {when} and locked there."),
        (
            "warning",
            f"The session of {when} is already full (2 of 2): {name} is added beyond its "
            "maximum. The next planning run keeps this lock and takes unlocked volunteers off "
            "the session to come back to the maximum.",
        ),
        (
            "info",
            "Run the planning again so that the other volunteers and the routes follow this "
            "choice.",
        ),
    ]
