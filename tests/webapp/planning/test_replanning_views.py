"""A coordinator marks a team absent or present again, joins a volunteer left alone to
another team, closes or reopens a street, from the session page."""

import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.webapp.accounts.html_page import Page, csrf_token, flash_lines, flashes
from tests.webapp.planning import session_pages, three_teams
from tests.webapp.planning.bondy_case import (
    ADDRESS_ONLY_STREETS,
    CLOSABLE_STREET,
    CLOSABLE_STREET_DOORS,
    OTHER_CLOSABLE_STREET,
    PARC_ADDRESS_COUNT,
    BondyCase,
)
from tests.webapp.planning.session_pages import (
    post,
    routes_changed,
    session_page,
    team_route_page,
)
from tests.webapp.planning.three_teams import (
    door_sets_by_team,
    route_change_notices,
    to_visit_by_team,
    tokens_by_team,
)
from webapp.db import utcnow
from webapp.models import Assignment, CanvassSession, DoorVisit, Message, Route, StreetClosure
from webapp.models.canvass import DoorOutcome
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.planning import AssignmentStatus

seeded, db_connection, case = three_teams.seeded, three_teams.db_connection, three_teams.case
coordinator = session_pages.coordinator


def test_session_page_offers_both_actions(coordinator: FlaskClient, case: BondyCase) -> None:
    page = session_page(coordinator, case)

    # Marking a team absent goes through a confirmation page.
    links = [(element.text, element.attrs["href"]) for element in page.select("a")]
    assert [link for link in links if "absente" in link[0]] == [
        (
            f"Noter l’équipe {team} absente",
            f"/planification/sessions/{case.session_id}/equipes/{team}/absente",
        )
        for team in (1, 2, 3)
    ]
    buttons = [element.text for element in page.select("button", type="submit")]
    assert [label for label in buttons if "absente" in label or "présente" in label] == []
    options = [element.text for element in page.select("option")]
    assert options == [
        "Choisissez une rue",
        *ADDRESS_ONLY_STREETS,
        CLOSABLE_STREET,
        OTHER_CLOSABLE_STREET,
    ]
    assert "Aucune rue n’est fermée pour cette session." in page.text()


def assigned_count(text: str) -> int:
    """Return the volunteers counted on a session page ("6 affectés, entre …")."""
    match = re.search(r"(\d+) affectés?, entre", text)
    assert match is not None
    return int(match.group(1))


def test_team_absent_is_replanned(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    tokens = tokens_by_team(db_session)
    path = f"/planification/sessions/{case.session_id}/equipes/2/absente"
    before = assigned_count(session_page(coordinator, case).text())
    doors_before = to_visit_by_team(db_session)

    page = post(coordinator, path, case, is_confirmed="y")

    # One message sums the re-planning up.
    assert len(flashes(page)) == 1
    assert flash_lines(page) == [
        "L’équipe 2 est notée absente.",
        f"Parcours recalculés. Adresses à visiter : {PARC_ADDRESS_COUNT}.",
        routes_changed(doors_before, to_visit_by_team(db_session), gone=(2,)),
    ]
    assert page.by_id("team-2").text.endswith("équipe absente Noter l’équipe 2 présente")
    assert not page.select("a", href=path)
    # The absent pair no longer counts among the session's volunteers.
    assert assigned_count(page.text()) == before - 2
    # The absent team keeps its link, on a route left empty, and its page explains why.
    assert tokens_by_team(db_session) == tokens
    route_page = team_route_page(coordinator, db_session, 2)
    assert route_page.by_id("team-absent").text == (
        "Votre équipe a été notée absente : ses portes restantes ont été retirées de son "
        "parcours. Si vous êtes là malgré tout, appuyez sur le bouton ci-dessous : votre équipe "
        "retrouve un parcours, et l’équipe de coordination le voit sur la page de la session. "
        "Nous sommes là"
    )


def test_replan_summary_is_one_listed_message(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    with coordinator.session_transaction() as browser_session:
        browser_session["locale"] = "en"
    start_in_an_hour(db_session, case)
    before = to_visit_by_team(db_session)

    page = post(coordinator, team_path(case, 2), case, is_confirmed="y")

    after = to_visit_by_team(db_session)
    changed = [team for team in (1, 3) if after[team] != before[team]]
    assert changed == [1, 3]
    notified = len(notified_user_ids(db_session))
    (box,) = page.select("div", **{"class": "flash flash-success", "role": "status"})
    (details,) = page.select("ul", **{"class": "flash-details"})
    assert details.parent is box
    assert flash_lines(page) == [
        "Team 2 is marked absent.",
        f"Routes cut again: {PARC_ADDRESS_COUNT} doors to visit.",
        "Routes changed: teams 1 and 3.",
        f"{notified} volunteers will be notified of the change by SMS or e-mail in 2 minutes.",
    ]


def test_closed_street_is_listed_with_its_doors(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    path = f"/planification/sessions/{case.session_id}/rues-fermees"
    doors_before = to_visit_by_team(db_session)

    page = post(coordinator, path, case, street=CLOSABLE_STREET)

    assert len(flashes(page)) == 1
    assert flash_lines(page) == [
        f"Rue fermée pour cette session : {CLOSABLE_STREET}.",
        f"Parcours recalculés. Adresses à visiter : {PARC_ADDRESS_COUNT - CLOSABLE_STREET_DOORS}.",
        f"Par rapport à avant : {CLOSABLE_STREET_DOORS} adresses à visiter en moins.",
        routes_changed(doors_before, to_visit_by_team(db_session)),
        f"{CLOSABLE_STREET_DOORS} adresses de l’IRIS ne sont pas couvertes : leur rue est fermée.",
    ]
    assert page.by_id("closed-streets").text == (
        f"{CLOSABLE_STREET} : {CLOSABLE_STREET_DOORS} adresses non couvertes Rouvrir"
    )
    assert [element.text for element in page.select("option")] == [
        "Choisissez une rue",
        *ADDRESS_ONLY_STREETS,
        OTHER_CLOSABLE_STREET,
    ]
    assert len(db_session.scalars(select(StreetClosure)).all()) == 1


@pytest.mark.parametrize("street", ["", "Rue Imaginaire"])
def test_street_not_in_the_list_is_refused(
    coordinator: FlaskClient, db_session: Session, case: BondyCase, street: str
) -> None:
    path = f"/planification/sessions/{case.session_id}/rues-fermees"

    page = post(coordinator, path, case, street=street)

    assert flashes(page) == ["Choisissez une rue de l’IRIS dans la liste."]
    assert db_session.scalars(select(StreetClosure)).all() == []


def test_session_over_is_refused(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    canvass = db_session.get(CanvassSession, case.session_id)
    assert canvass is not None
    canvass.starts_at -= timedelta(days=3000)
    canvass.ends_at -= timedelta(days=3000)
    db_session.commit()

    path = f"/planification/sessions/{case.session_id}/equipes/1/absente"
    page = post(coordinator, path, case, is_confirmed="y")

    assert flashes(page) == ["La session est terminée : ses parcours ne peuvent plus changer."]
    assert "équipe absente" not in page.by_id("team-1").text


@pytest.mark.parametrize(
    "action",
    ["equipes/1/absente", "equipes/1/presente", "rues-fermees", "rues-fermees/rouvrir"],
)
def test_actions_without_csrf_token_are_refused(
    coordinator: FlaskClient, case: BondyCase, action: str
) -> None:
    path = f"/planification/sessions/{case.session_id}/{action}"
    data = {"street": CLOSABLE_STREET, "is_confirmed": "y"}

    assert coordinator.post(path, data=data).status_code == 400


def test_unknown_session_or_team(coordinator: FlaskClient, case: BondyCase) -> None:
    token = csrf_token(session_page(coordinator, case).html)

    missing = coordinator.post(
        "/planification/sessions/999999/equipes/1/absente",
        data={"csrf_token": token, "is_confirmed": "y"},
    )
    team_seven = f"/planification/sessions/{case.session_id}/equipes/7/absente"
    unknown_team = post(coordinator, team_seven, case, is_confirmed="y")

    assert missing.status_code == 404
    assert flashes(unknown_team) == ["Cette équipe ne fait pas partie de la session."]


def team_path(case: BondyCase, team: int, action: str = "absente") -> str:
    return f"/planification/sessions/{case.session_id}/equipes/{team}/{action}"


def stored_state(session: Session) -> tuple[dict[int, str], dict[int, AssignmentStatus]]:
    """Return the routes' tokens by team and the volunteers' statuses."""
    tokens = tokens_by_team(session)
    statuses = dict(session.execute(select(Assignment.user_id, Assignment.status)).all())
    return tokens, statuses


def test_absent_team_confirmation_page(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    before = stored_state(db_session)
    route = db_session.scalars(select(Route).where(Route.team == 2)).one()

    response = coordinator.get(team_path(case, 2))

    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert page.select("h1")[0].text == "Noter l’équipe 2 absente ?"
    assert page.by_id("absent-team-facts").text == (
        f"Bénévoles Bénévole2 Exemple, Bénévole3 Exemple Adresses {route.door_count} "
        "Portes faites 0 À repasser 0"
    )
    # Two sessions may share a slot, so the page names the IRIS too.
    assert page.select("p", **{"class": "lead"})[0].text == (
        "Session du samedi 6 mars 2027 (Le Parc du Château), de 09:00 à 12:00"
    )
    # Doors no other team has time for are dropped, so the page promises no share.
    explained = [e.text for e in page.select("p") if "perd son parcours" in e.text]
    assert explained == [
        "Une équipe notée absente perd son parcours, et ses portes faites restent telles "
        "quelles. Ses portes encore à faire, portes à repasser comprises, vont aux autres "
        "équipes qui ont le temps de les faire ; les autres sont signalées comme retirées "
        "faute de temps."
    ]
    (form,) = page.select("form", method="post", action=team_path(case, 2))
    assert page.select("input", type="hidden", name="is_confirmed", value="y")
    assert [b.text for b in page.select("button", **{"class": "button"})] == [
        "Confirmer : l’équipe 2 est absente"
    ]
    back = page.select("a", href=f"/planification/sessions/{case.session_id}")
    assert [a.text for a in back] == ["Revenir à la session sans rien changer"]
    assert form.attrs["class"] == "stacked"
    # Showing the page changed nothing.
    assert stored_state(db_session) == before


def test_absent_without_confirmation_changes_nothing(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    before = stored_state(db_session)
    token = csrf_token(session_page(coordinator, case).html)

    response = coordinator.post(team_path(case, 2), data={"csrf_token": token})

    assert response.status_code == 302
    assert response.headers["Location"] == team_path(case, 2)
    assert stored_state(db_session) == before


def test_absent_team_is_marked_present_again(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    tokens, statuses = stored_state(db_session)
    post(coordinator, team_path(case, 2), case, is_confirmed="y")
    doors_before = to_visit_by_team(db_session)

    page = post(coordinator, team_path(case, 2, "presente"), case)

    assert flash_lines(page) == [
        "L’équipe 2 est de nouveau notée présente.",
        f"Parcours recalculés. Adresses à visiter : {PARC_ADDRESS_COUNT}.",
        routes_changed(doors_before, to_visit_by_team(db_session)),
    ]
    assert (
        page.by_id("team-2").text
        == "Équipe 2 : Bénévole2 Exemple, Bénévole3 Exemple Noter l’équipe 2 absente"
    )
    assert page.select("a", href=team_path(case, 2))
    assert not page.select("form", action=team_path(case, 2, "presente"))
    after_tokens, after_statuses = stored_state(db_session)
    assert after_statuses == statuses
    assert sorted(after_tokens) == [1, 2, 3]
    # Team 2's route stayed, empty, while the team was absent: the same link works again.
    assert after_tokens == tokens


@pytest.mark.parametrize(
    ("team", "message"),
    [
        (1, "Cette équipe n’est pas notée absente : il n’y a rien à annuler."),
        (7, "Cette équipe ne fait pas partie de la session."),
    ],
)
def test_present_for_team_not_absent_rejected(
    coordinator: FlaskClient, db_session: Session, case: BondyCase, team: int, message: str
) -> None:
    before = stored_state(db_session)

    page = post(coordinator, team_path(case, team, "presente"), case)

    assert flashes(page) == [message]
    assert stored_state(db_session) == before


def test_confirmation_page_absent_or_unknown_team(
    coordinator: FlaskClient, case: BondyCase
) -> None:
    post(coordinator, team_path(case, 3), case, is_confirmed="y")

    again = coordinator.get(team_path(case, 3))
    again_page = session_page(coordinator, case)
    unknown_team = coordinator.get(team_path(case, 7))
    unknown_session = coordinator.get("/planification/sessions/999999/equipes/1/absente")

    assert again.status_code == 302
    assert again.headers["Location"] == f"/planification/sessions/{case.session_id}"
    assert flashes(again_page) == ["Cette équipe est déjà notée absente."]
    assert unknown_team.status_code == unknown_session.status_code == 404


def test_closed_street_is_reopened(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    closed = post(
        coordinator,
        f"/planification/sessions/{case.session_id}/rues-fermees",
        case,
        street=CLOSABLE_STREET,
    )
    (field,) = closed.select("input", type="hidden", name="street")
    assert field.attrs["value"] == CLOSABLE_STREET
    assert [b.attrs["aria-label"] for b in closed.select("button") if b.text == "Rouvrir"] == [
        f"Rouvrir {CLOSABLE_STREET}"
    ]
    doors_before = to_visit_by_team(db_session)

    page = post(
        coordinator,
        f"/planification/sessions/{case.session_id}/rues-fermees/rouvrir",
        case,
        street=field.attrs["value"],
    )

    assert flash_lines(page) == [
        f"Rue rouverte pour cette session : {CLOSABLE_STREET}.",
        f"Parcours recalculés. Adresses à visiter : {PARC_ADDRESS_COUNT}.",
        f"Par rapport à avant : {CLOSABLE_STREET_DOORS} adresses à visiter en plus.",
        routes_changed(doors_before, to_visit_by_team(db_session)),
    ]
    assert "Aucune rue n’est fermée pour cette session." in page.text()
    assert [element.text for element in page.select("option")] == [
        "Choisissez une rue",
        *ADDRESS_ONLY_STREETS,
        CLOSABLE_STREET,
        OTHER_CLOSABLE_STREET,
    ]
    assert db_session.scalars(select(StreetClosure)).all() == []


@pytest.mark.parametrize("street", ["", "Rue Imaginaire", OTHER_CLOSABLE_STREET])
def test_reopen_open_street_is_rejected(
    coordinator: FlaskClient, db_session: Session, case: BondyCase, street: str
) -> None:
    path = f"/planification/sessions/{case.session_id}/rues-fermees"
    post(coordinator, path, case, street=CLOSABLE_STREET)

    page = post(coordinator, f"{path}/rouvrir", case, street=street)

    assert flashes(page) == ["Cette rue n’est pas fermée pour cette session."]
    assert len(db_session.scalars(select(StreetClosure)).all()) == 1


def test_volunteer_left_alone_joins_another_team(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    declined, alone = db_session.scalars(
        select(Assignment).where(Assignment.team == 2).order_by(Assignment.id)
    ).all()
    declined.status = AssignmentStatus.DECLINED
    db_session.commit()
    path = f"/planification/sessions/{case.session_id}/equipes/2/regrouper"
    page = session_page(coordinator, case)
    assert (
        "une seule personne : trouvez-lui un binôme avant la session, ou rattachez-la à "
        "l’équipe 1" in page.by_id("team-2").text
    )
    buttons = [element.text for element in page.select("button", type="submit")]
    assert [label for label in buttons if "Rattacher" in label] == ["Rattacher à l’équipe 1"]
    doors_before = to_visit_by_team(db_session)

    page = post(coordinator, path, case)

    assert flash_lines(page) == [
        "La personne seule de l’équipe 2 a rejoint l’équipe 1.",
        f"Parcours recalculés. Adresses à visiter : {PARC_ADDRESS_COUNT}.",
        routes_changed(doors_before, to_visit_by_team(db_session), gone=(2,)),
    ]
    db_session.expire_all()
    moved = db_session.get(Assignment, alone.id)
    assert moved is not None
    assert moved.team == 1
    assert "une seule personne" not in page.text()
    assert not [e for e in page.select("button", type="submit") if "Rattacher" in e.text]
    # Nobody marked team 2 absent: its member who declined still reads so.
    assert page.by_id("team-2").text.endswith("(a décliné) plus personne ne vient")
    # The link team 2 received says where its doors went.
    route_page = team_route_page(coordinator, db_session, 2)
    assert route_page.by_id("team-empty").text == (
        "Plus personne de cette équipe ne vient : ses portes restantes sont allées aux autres "
        "équipes qui avaient le temps de les faire, et les autres ont été retirées faute de "
        "temps. Si vous avez rejoint une autre équipe, ouvrez son parcours depuis le lien reçu "
        "par e-mail ou SMS."
    )


def test_join_message_names_the_team_joined(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    # Teams 2 and 3 each have one member left: team 3's joins team 2, the smallest.
    for team in (2, 3):
        declined = db_session.scalars(
            select(Assignment).where(Assignment.team == team).order_by(Assignment.id)
        ).first()
        assert declined is not None
        declined.status = AssignmentStatus.DECLINED
    db_session.commit()

    page = post(coordinator, f"/planification/sessions/{case.session_id}/equipes/3/regrouper", case)

    assert flash_lines(page)[0] == "La personne seule de l’équipe 3 a rejoint l’équipe 2."
    coming = db_session.scalars(
        select(Assignment.team)
        .where(Assignment.status != AssignmentStatus.DECLINED)
        .order_by(Assignment.id)
    ).all()
    assert coming == [1, 1, 2, 2]


def test_join_without_a_lone_volunteer_is_refused(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    path = f"/planification/sessions/{case.session_id}/equipes/2/regrouper"

    page = post(coordinator, path, case)

    assert flashes(page) == ["Cette équipe n’a pas exactement une personne qui vient encore."]
    teams = db_session.scalars(select(Assignment.team).order_by(Assignment.id)).all()
    assert teams == [1, 1, 2, 2, 3, 3]


def test_join_without_csrf_token_is_refused(coordinator: FlaskClient, case: BondyCase) -> None:
    response = coordinator.post(f"/planification/sessions/{case.session_id}/equipes/2/regrouper")

    assert response.status_code == 400


def start_in_an_hour(session: Session, case: BondyCase) -> None:
    """Move the session to start an hour from now, keeping its length."""
    canvass = session.get(CanvassSession, case.session_id)
    assert canvass is not None
    canvass.starts_at = utcnow() + timedelta(hours=1)
    canvass.ends_at = canvass.starts_at + (case.ends_at - case.starts_at)
    session.commit()


def notified_user_ids(session: Session) -> list[int]:
    session.expire_all()
    query = select(Message.user_id).where(Message.purpose == MessagePurpose.ROUTE_CHANGED)
    return sorted(user_id for user_id in session.scalars(query) if user_id is not None)


def test_closed_street_on_the_day_notifies(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    start_in_an_hour(db_session, case)
    path = f"/planification/sessions/{case.session_id}/rues-fermees"
    doors_before = to_visit_by_team(db_session)

    page = post(coordinator, path, case, street=CLOSABLE_STREET)

    notified = notified_user_ids(db_session)
    # Each volunteer agreed to e-mails only, and gets one notice. Every changed team has
    # two members, so the count takes the plural.
    assert len(notified) == len(set(notified))
    assert len(notified) >= 2
    assert len(flashes(page)) == 1
    assert flash_lines(page) == [
        f"Rue fermée pour cette session : {CLOSABLE_STREET}.",
        f"Parcours recalculés. Adresses à visiter : {PARC_ADDRESS_COUNT - CLOSABLE_STREET_DOORS}.",
        f"Par rapport à avant : {CLOSABLE_STREET_DOORS} adresses à visiter en moins.",
        routes_changed(doors_before, to_visit_by_team(db_session)),
        f"{CLOSABLE_STREET_DOORS} adresses de l’IRIS ne sont pas couvertes : leur rue est fermée.",
        f"{len(notified)} bénévoles seront prévenus du changement par SMS ou e-mail dans "
        "2 minutes.",
    ]


def test_absent_team_notifies_other_teams(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    start_in_an_hour(db_session, case)
    absent = set(db_session.scalars(select(Assignment.user_id).where(Assignment.team == 2)))
    doors_before = to_visit_by_team(db_session)

    page = post(coordinator, team_path(case, 2), case, is_confirmed="y")

    notified = notified_user_ids(db_session)
    assert len(notified) >= 2
    assert absent.isdisjoint(notified)
    assert flash_lines(page) == [
        "L’équipe 2 est notée absente.",
        f"Parcours recalculés. Adresses à visiter : {PARC_ADDRESS_COUNT}.",
        routes_changed(doors_before, to_visit_by_team(db_session), gone=(2,)),
        f"{len(notified)} bénévoles seront prévenus du changement par SMS ou e-mail dans "
        "2 minutes.",
    ]


def test_absent_then_present_withdraws_the_notices(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    start_in_an_hour(db_session, case)
    before = door_sets_by_team(db_session)
    post(coordinator, team_path(case, 2), case, is_confirmed="y")
    first = {message.id: message.user_id for message in route_change_notices(db_session)}
    doors_while_absent = to_visit_by_team(db_session)

    page = post(coordinator, team_path(case, 2, "presente"), case)

    rows = route_change_notices(db_session)
    withdrawn = [(row.status, row.failure_reason) for row in rows if row.id in first]
    second = sorted(row.user_id for row in rows if row.id not in first)
    after = door_sets_by_team(db_session)
    # Only a team whose doors differ from those it was notified of before the slip hears again.
    changed = [team for team in (1, 2, 3) if after[team] != before[team]]
    coming = select(Assignment.user_id).where(Assignment.team.in_(changed))
    first_count = len(set(first.values()))
    assert first_count >= 2
    assert withdrawn == [(MessageStatus.SUPPRESSED, "withdrawn")] * first_count
    assert second == sorted(db_session.scalars(coming))
    notified = (
        [f"{len(second)} bénévoles seront prévenus du changement par SMS ou e-mail dans 2 minutes."]
        if second
        else []
    )
    assert flash_lines(page) == [
        "L’équipe 2 est de nouveau notée présente.",
        f"Parcours recalculés. Adresses à visiter : {PARC_ADDRESS_COUNT}.",
        routes_changed(doors_while_absent, to_visit_by_team(db_session)),
        f"Les messages du changement précédent à {first_count} bénévoles n’étaient pas encore "
        "partis : ils sont retirés.",
        *notified,
    ]


def test_session_status_says_canvassing_is_under_way(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    route = db_session.scalars(select(Route).where(Route.team == 1)).one()
    assert [element.text for element in session_page(coordinator, case).select("dd")][-1] == (
        "prévue"
    )
    for address_id in route.address_ids[:2]:
        visit = DoorVisit(route_id=route.id, address_id=address_id, outcome=DoorOutcome.ABSENT)
        db_session.add(visit)
    db_session.commit()

    facts = [element.text for element in session_page(coordinator, case).select("dd")]

    total = sum(len(r.address_ids) for r in db_session.scalars(select(Route)))
    assert facts[-1] == f"prévue (2 portes faites sur {total})"


def test_session_status_counts_come_back_to_do(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    route = db_session.scalars(select(Route).where(Route.team == 1)).one()
    first_door, second_door = route.address_ids[:2]
    outcomes = (
        (first_door, DoorOutcome.COME_BACK),
        (second_door, DoorOutcome.OPENED),
        # Corrected to come back to: the door is to do again.
        (second_door, DoorOutcome.COME_BACK),
    )
    for address_id, outcome in outcomes:
        db_session.add(DoorVisit(route_id=route.id, address_id=address_id, outcome=outcome))
        db_session.flush()
    db_session.commit()

    page = session_page(coordinator, case)

    total = sum(len(r.address_ids) for r in db_session.scalars(select(Route)))
    assert page.by_id("session-status").text == (
        f"prévue (0 porte faite sur {total}, 2 à repasser)"
    )
    row = next(r for r in page.select("tr") if r.text.startswith("Équipe 1 "))
    assert row.text.split()[2:6] == [str(route.door_count), str(route.dwelling_count), "0", "2"]


def test_link_of_a_team_moved_away_explains_itself(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    # The partner was moved to another session: team 2 has one member left, and no row
    # of anyone who declined.
    moved, alone = db_session.scalars(
        select(Assignment).where(Assignment.team == 2).order_by(Assignment.id)
    ).all()
    db_session.delete(moved)
    db_session.commit()

    post(coordinator, f"/planification/sessions/{case.session_id}/equipes/2/regrouper", case)

    route_page = team_route_page(coordinator, db_session, 2)
    assert route_page.has_id("team-empty")
    assert not route_page.has_id("recording-opens")


def record_visits(session: Session, route: Route, outcomes: list[DoorOutcome]) -> list[int]:
    """Record one visit per outcome on the route's first doors; return those doors."""
    doors = list(route.address_ids[: len(outcomes)])
    for address_id, outcome in zip(doors, outcomes, strict=True):
        session.add(DoorVisit(route_id=route.id, address_id=address_id, outcome=outcome))
    session.commit()
    return doors


def test_closed_street_counts_after_visit(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    on_street = set(case.addresses_in(CLOSABLE_STREET))
    route = next(r for r in db_session.scalars(select(Route)) if on_street & set(r.address_ids))
    door = next(i for i in route.address_ids if i in on_street)
    db_session.add(DoorVisit(route_id=route.id, address_id=door, outcome=DoorOutcome.OPENED))
    db_session.commit()

    page = post(
        coordinator,
        f"/planification/sessions/{case.session_id}/rues-fermees",
        case,
        street=CLOSABLE_STREET,
    )

    # The door visited stays on its route: neither count takes it.
    uncovered = CLOSABLE_STREET_DOORS - 1
    assert f"{uncovered} adresses de l’IRIS ne sont pas couvertes : leur rue est fermée." in (
        flash_lines(page)
    )
    assert page.by_id("closed-streets").text == (
        f"{CLOSABLE_STREET} : {uncovered} adresses non couvertes Rouvrir"
    )


def test_kept_doors_match_progress(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    longest, second, _ = sorted(db_session.scalars(select(Route)), key=lambda r: -r.door_count)
    record_visits(db_session, longest, [DoorOutcome.OPENED] * 3 + [DoorOutcome.COME_BACK] * 2)
    # A door to come back to on the absent team's route is shared again: no longer kept.
    record_visits(db_session, second, [DoorOutcome.ABSENT, DoorOutcome.COME_BACK])
    doors_before = to_visit_by_team(db_session)

    page = post(coordinator, team_path(case, second.team), case, is_confirmed="y")

    total = sum(len(r.address_ids) for r in db_session.scalars(select(Route)))
    assert (
        page.by_id("session-status").text == f"prévue (4 portes faites sur {total}, 2 à repasser)"
    )
    assert flash_lines(page) == [
        f"L’équipe {second.team} est notée absente.",
        f"Parcours recalculés. Adresses à visiter : {total - 6}. "
        "Portes déjà visitées conservées : 4 faites, 2 à repasser.",
        routes_changed(doors_before, to_visit_by_team(db_session), gone=(second.team,)),
    ]
    assert total - 6 == PARC_ADDRESS_COUNT - 6


def test_one_door_done_is_kept_in_the_singular(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    route = db_session.scalars(select(Route).where(Route.door_count > 0)).first()
    assert route is not None
    record_visits(db_session, route, [DoorOutcome.OPENED])

    page = post(coordinator, team_path(case, route.team % 3 + 1), case, is_confirmed="y")

    assert flash_lines(page)[1] == (
        f"Parcours recalculés. Adresses à visiter : {PARC_ADDRESS_COUNT - 1}. "
        "Portes déjà visitées conservées : 1 faite."
    )


def test_uncovered_counts_add_up_to_the_iris(
    coordinator: FlaskClient, db_session: Session, case: BondyCase
) -> None:
    # Six doors off the street to close were never planned, and twenty minutes are left.
    routes = {r.team: r for r in db_session.scalars(select(Route))}
    closed = set(case.addresses_in(CLOSABLE_STREET))
    unplanned = {i for r in routes.values() for i in r.address_ids if i not in closed}
    unplanned = set(sorted(unplanned)[:6])
    for route in routes.values():
        route.address_ids = [i for i in route.address_ids if i not in unplanned]
    canvass = db_session.get(CanvassSession, case.session_id)
    assert canvass is not None
    canvass.ends_at = utcnow() + timedelta(minutes=20)
    canvass.starts_at = canvass.ends_at - (case.ends_at - case.starts_at)
    db_session.commit()
    planned_before = {i for r in routes.values() for i in r.address_ids}

    page = post(
        coordinator,
        f"/planification/sessions/{case.session_id}/rues-fermees",
        case,
        street=CLOSABLE_STREET,
    )

    on_routes = set(door_sets_by_team(db_session)[1] | door_sets_by_team(db_session)[2])
    on_routes |= door_sets_by_team(db_session)[3]
    left_off = planned_before - on_routes - closed
    still_unplanned = unplanned - on_routes - closed
    assert left_off and still_unplanned
    assert len(on_routes) + len(closed) + len(left_off) + len(still_unplanned) == (
        PARC_ADDRESS_COUNT
    )
    # The solver picks which doors fit: the texts take the counts it left.
    left_off_text = (
        f"{len(left_off)} adresse que les parcours avaient à visiter en est retirée, "
        "faute de temps."
        if len(left_off) == 1
        else f"{len(left_off)} adresses que les parcours avaient à visiter en sont retirées, "
        "faute de temps."
    )
    unplanned_text = (
        "1 adresse de l’IRIS, sur aucun parcours de session, ne tient pas dans le temps restant."
        if len(still_unplanned) == 1
        else f"{len(still_unplanned)} adresses de l’IRIS, sur aucun parcours de session, ne "
        "tiennent pas dans le temps restant."
    )
    assert flash_lines(page)[4:7] == [
        f"{CLOSABLE_STREET_DOORS} adresses de l’IRIS ne sont pas couvertes : leur rue est fermée.",
        left_off_text,
        unplanned_text,
    ]
