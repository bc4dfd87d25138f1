"""The reply pages: a link shows a button and changes nothing; only the POST acts."""

from datetime import timedelta

import pytest
from babel.dates import format_date
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_assignment
from tests.webapp.accounts.html_page import Page, csrf_token
from tests.webapp.broadcasts.crew import Crew
from tests.webapp.targets.members import log_in_as
from webapp.db import utcnow
from webapp.models import Assignment, Message
from webapp.models.messaging import MessagePurpose
from webapp.models.planning import AssignmentStatus
from webapp.services.localtime import to_local_naive
from webapp.services.reply_links import make_reply_token
from webapp.session_labels import session_label


def status_of(db_session: Session, assignment: Assignment) -> AssignmentStatus:
    db_session.refresh(assignment)
    return assignment.status


def forms_of(page: Page) -> list[str]:
    return [form.attrs["action"] for form in page.select("form", **{"class": "reply-form"})]


def test_choice_page_offers_both_and_acts_not(
    client: FlaskClient,
    db_session: Session,
    crew: Crew,
    reply_token: str,
    alice_assignment: Assignment,
) -> None:
    day = format_date(to_local_naive(crew.sessions[0].starts_at).date(), "full", locale="fr")

    response = client.get(f"/reponse/{reply_token}")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = Page(response.get_data(as_text=True))
    # The IRIS comes with the day and time: other sessions may take place then.
    facts = page.select("dl", **{"class": "reply-facts"})[0].text
    assert facts == (
        f"Session {day[:1].upper()}{day[1:]} (Mairie) Horaire De 09:30 à 11:30 "
        "Point de rendez-vous Parvis de la mairie"
    )
    # Alice already confirmed, so only the way out is offered.
    assert page.by_id("reply-status").text == "Vous avez confirmé votre venue. Merci !"
    assert forms_of(page) == [f"/reponse/{reply_token}/annuler"]
    assert status_of(db_session, alice_assignment) == AssignmentStatus.CONFIRMED


def test_confirm_page_then_post(
    client: FlaskClient, db_session: Session, reply_token: str, alice_assignment: Assignment
) -> None:
    alice_assignment.status = AssignmentStatus.PROPOSED
    db_session.commit()
    page = client.get(f"/reponse/{reply_token}/confirmer")
    assert forms_of(Page(page.get_data(as_text=True))) == [f"/reponse/{reply_token}/confirmer"]
    assert status_of(db_session, alice_assignment) == AssignmentStatus.PROPOSED

    response = client.post(
        f"/reponse/{reply_token}/confirmer",
        data={"csrf_token": csrf_token(page.get_data(as_text=True))},
    )

    assert response.status_code == 200
    outcome = Page(response.get_data(as_text=True)).by_id("reply-outcome").text
    assert outcome.startswith("Merci, votre place est confirmée. Rendez-vous le ")
    assert outcome.endswith(" à 09:30 (Mairie) !")
    assert status_of(db_session, alice_assignment) == AssignmentStatus.CONFIRMED


def test_post_without_csrf_is_refused(
    client: FlaskClient, db_session: Session, reply_token: str, alice_assignment: Assignment
) -> None:
    response = client.post(f"/reponse/{reply_token}/annuler")

    assert response.status_code == 400
    assert status_of(db_session, alice_assignment) == AssignmentStatus.CONFIRMED


def test_cancel_frees_the_place(
    client: FlaskClient,
    db_session: Session,
    crew: Crew,
    reply_token: str,
    alice_assignment: Assignment,
) -> None:
    page = client.get(f"/reponse/{reply_token}/annuler").get_data(as_text=True)
    assert forms_of(Page(page)) == [f"/reponse/{reply_token}/annuler"]

    response = client.post(f"/reponse/{reply_token}/annuler", data={"csrf_token": csrf_token(page)})

    assert Page(response.get_data(as_text=True)).by_id("reply-outcome").text == (
        "Votre place est annulée. Merci de nous avoir prévenus : l’équipe de coordination "
        "est informée, et la place va à un autre bénévole si la session en a besoin."
    )
    assert status_of(db_session, alice_assignment) == AssignmentStatus.DECLINED
    taken = db_session.scalars(
        select(Assignment).where(
            Assignment.session_id == crew.sessions[0].id,
            Assignment.status == AssignmentStatus.PROPOSED,
        )
    ).all()
    assert [a.user.first_name for a in taken] == ["Bruno", "Hugo"]
    notices = db_session.scalars(
        select(Message).where(Message.user_id == crew.coordinator.id)
    ).all()
    assert [m.purpose for m in notices] == [MessagePurpose.COORDINATOR_NOTICE]
    assert notices[0].subject.startswith("Alice Exemple a annulé sa place pour la session du ")


def french_label(app: Flask, crew: Crew) -> str:
    with app.test_request_context(), force_locale("fr"):
        return session_label(crew.sessions[0].starts_at, "Mairie")


@pytest.mark.parametrize("is_signed_in", [False, True])
def test_cancelled_page_names_the_session_and_links_back(
    app: Flask, client: FlaskClient, crew: Crew, reply_token: str, *, is_signed_in: bool
) -> None:
    if is_signed_in:
        log_in_as(client, crew.volunteers["alice"])
    page = client.get(f"/reponse/{reply_token}/annuler").get_data(as_text=True)

    response = client.post(f"/reponse/{reply_token}/annuler", data={"csrf_token": csrf_token(page)})

    done = Page(response.get_data(as_text=True))
    label = french_label(app, crew)
    assert label.endswith(" à 09:30 (Mairie)")
    assert done.by_id("reply-session").text == f"Session du {label}"
    links = {a.attrs["href"]: a.text for a in done.select("a")}
    if is_signed_in:
        assert done.by_id("reply-next").text == "Mes sessions"
        assert links["/mon-espace"] == "Mes sessions"
    else:
        assert done.by_id("reply-next").text == "Se connecter pour voir vos sessions"
        assert links["/connexion?next=/mon-espace"] == "Se connecter pour voir vos sessions"
        assert "/mon-espace" not in links


@pytest.mark.parametrize(
    "scenario",
    [
        # Placed by hand beyond the maximum: 2 left after the cancel, still over 1.
        (1, ["Bruno", "David"]),
        # 2 left after the cancel, exactly the maximum: the session is full.
        (2, ["Bruno", "David"]),
        # 2 left for 3 places: the freed place goes to Hugo.
        (3, ["Bruno", "David", "Hugo"]),
    ],
)
def test_cancel_offers_place_below_maximum(
    client: FlaskClient,
    db_session: Session,
    crew: Crew,
    *,
    reply_token: str,
    alice_assignment: Assignment,
    scenario: tuple[int, list[str]],
) -> None:
    max_volunteers, proposed = scenario
    morning = crew.sessions[0]
    morning.max_volunteers = max_volunteers
    # With Alice and Bruno: David placed by hand, Chloé's decline takes no place.
    make_assignment(
        db_session,
        canvass_session=morning,
        user=crew.volunteers["david"],
        status=AssignmentStatus.PROPOSED,
    )
    make_assignment(
        db_session,
        canvass_session=morning,
        user=crew.volunteers["chloe"],
        status=AssignmentStatus.DECLINED,
    )
    db_session.commit()
    page = client.get(f"/reponse/{reply_token}/annuler").get_data(as_text=True)

    client.post(f"/reponse/{reply_token}/annuler", data={"csrf_token": csrf_token(page)})

    assert status_of(db_session, alice_assignment) == AssignmentStatus.DECLINED
    proposals = db_session.scalars(
        select(Assignment)
        .where(
            Assignment.session_id == morning.id,
            Assignment.status == AssignmentStatus.PROPOSED,
        )
        .order_by(Assignment.user_id)
    ).all()
    assert [a.user.first_name for a in proposals] == proposed
    notices = db_session.scalars(
        select(Message).where(Message.user_id == crew.coordinator.id)
    ).all()
    assert [m.purpose for m in notices] == [MessagePurpose.COORDINATOR_NOTICE]


@pytest.mark.parametrize(
    "token", ["abc", "x" * 400, "eyJhIjoxLCJzIjoiMjAyNzAzMTNUMDgzMFoifQ.bad.sig"]
)
def test_unknown_link(client: FlaskClient, crew: Crew, token: str) -> None:
    for path in (f"/reponse/{token}", f"/reponse/{token}/annuler"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Ce lien n’est pas valide." in response.get_data(as_text=True)


def test_expired_link(
    client: FlaskClient, reply_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = utcnow() + timedelta(days=121)
    monkeypatch.setattr("webapp.services.reply_links.utcnow", lambda: later)

    response = client.get(f"/reponse/{reply_token}")

    assert response.status_code == 410
    assert "Ce lien est trop ancien pour servir." in response.get_data(as_text=True)


def test_link_of_a_moved_session(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    crew: Crew,
    alice_assignment: Assignment,
) -> None:
    with app.app_context():
        old = make_reply_token(alice_assignment.id, crew.sessions[0].starts_at - timedelta(days=1))

    page = client.get(f"/reponse/{old}/annuler").get_data(as_text=True)
    response = client.post(f"/reponse/{old}/annuler", data={"csrf_token": csrf_token(page)})

    assert (
        Page(page)
        .by_id("reply-problem")
        .text.startswith("Cette session a été déplacée depuis l’envoi de ce message.")
    )
    assert "reply-problem" in response.get_data(as_text=True)
    assert status_of(db_session, alice_assignment) == AssignmentStatus.CONFIRMED
