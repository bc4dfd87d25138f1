"""The feedback form of a session: open from a signed link, one row per place, checked.

Page sentences are compared with what the label machinery renders in the page's locale,
so the tests hold with or without the French catalogue of the new sentences.
"""

from datetime import timedelta

import pytest
from babel.dates import format_date
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.webapp.accounts.html_page import Page, csrf_token
from tests.webapp.broadcasts.conftest import log_in
from tests.webapp.broadcasts.crew import Crew, seed_crew
from webapp.db import utcnow
from webapp.models import Assignment, SessionFeedback
from webapp.services.localtime import to_local_naive
from webapp.services.reply_links import make_feedback_token, make_reply_token


@pytest.fixture
def crew(db_session: Session) -> Crew:
    """The crew whose first session was ten days ago and second three days ago."""
    crew = seed_crew(db_session, utcnow().date() - timedelta(days=10))
    db_session.commit()
    return crew


def assignment_of(db_session: Session, crew: Crew, name: str) -> Assignment:
    return db_session.scalars(
        select(Assignment).where(Assignment.user_id == crew.volunteers[name].id)
    ).one()


def token_of(app: Flask, assignment: Assignment) -> str:
    with app.app_context():
        return make_feedback_token(assignment.id)


@pytest.fixture
def alice_token(app: Flask, db_session: Session, crew: Crew) -> str:
    return token_of(app, assignment_of(db_session, crew, "alice"))


def french(app: Flask, text: str) -> str:
    with app.test_request_context():
        return " ".join(str(gettext(text)).split())


def post_feedback(client: FlaskClient, token: str, **fields: str) -> TestResponse:
    page = client.get(f"/avis/{token}").get_data(as_text=True)
    return client.post(f"/avis/{token}", data={"csrf_token": csrf_token(page), **fields})


def stored_feedback(db_session: Session) -> list[tuple[int, str]]:
    db_session.expire_all()
    rows = db_session.scalars(select(SessionFeedback).order_by(SessionFeedback.id))
    return [(row.rating, row.comment) for row in rows]


def test_page_names_the_session(client: FlaskClient, crew: Crew, alice_token: str) -> None:
    day = to_local_naive(crew.sessions[0].starts_at).date()

    page = Page(client.get(f"/avis/{alice_token}").get_data(as_text=True))

    # Named as the thank-you e-mail names it: the full date, the time and the IRIS.
    assert (
        f"Merci pour votre porte-à-porte du {format_date(day, 'full', locale='fr')} à 09:30 "
        "(Mairie). Dites-nous comment ça s’est passé"
    ) in page.text()


def test_page_offers_the_form(client: FlaskClient, db_session: Session, alice_token: str) -> None:
    response = client.get(f"/avis/{alice_token}")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = Page(response.get_data(as_text=True))
    assert page.by_id("feedback-form").attrs["action"] == f"/avis/{alice_token}"
    assert [e.attrs["value"] for e in page.select("input", name="rating")] == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]
    assert page.by_id("comment").attrs["maxlength"] == "1000"
    assert not page.has_id("feedback-status")
    assert all("src" in script.attrs for script in page.select("script"))
    assert stored_feedback(db_session) == []


def test_second_post_updates_response(
    app: Flask, client: FlaskClient, db_session: Session, alice_token: str
) -> None:
    first = post_feedback(client, alice_token, rating="4", comment="  Belle équipe.\r\nMerci  ")
    second = post_feedback(client, alice_token, rating="2", comment="Trop de pluie")

    assert first.status_code == 200
    assert Page(first.get_data(as_text=True)).by_id("feedback-outcome").text == french(
        app, "Thank you, your opinion is saved."
    )
    assert Page(second.get_data(as_text=True)).by_id("feedback-outcome").text == french(
        app, "Thank you, your opinion is changed."
    )
    assert stored_feedback(db_session) == [(2, "Trop de pluie")]
    page = Page(client.get(f"/avis/{alice_token}").get_data(as_text=True))
    assert page.checked_values("rating") == {"2"}
    assert page.by_id("comment").text == "Trop de pluie"
    assert page.by_id("feedback-status").text == french(
        app, "You have already given your opinion. You can change it below."
    )


def test_line_breaks_are_kept(client: FlaskClient, db_session: Session, alice_token: str) -> None:
    post_feedback(client, alice_token, rating="5", comment="Accueil chaleureux.\r\n\tÀ refaire !")

    assert stored_feedback(db_session) == [(5, "Accueil chaleureux.\n\tÀ refaire !")]


@pytest.mark.parametrize(
    "comment",
    ["bip\x07", "echap \x1b[31m", "supprimer\x7f", "ligne\x85suivante", "retour\x08"],
    ids=["bell", "escape", "delete", "c1-next-line", "backspace"],
)
def test_control_characters_refused(
    app: Flask, client: FlaskClient, db_session: Session, alice_token: str, comment: str
) -> None:
    response = post_feedback(client, alice_token, rating="3", comment=comment)

    assert response.status_code == 422
    error = Page(response.get_data(as_text=True)).by_id("comment-error").text
    assert error.endswith(french(app, "Remove the invisible control characters from the text."))
    assert stored_feedback(db_session) == []


def test_comment_length_counts_plain_line_ends(
    client: FlaskClient, db_session: Session, alice_token: str
) -> None:
    # 995 letters and five Windows line ends: 1,005 characters sent, 1,000 kept.
    fits = "\r\n".join(["a" * 199] * 5)
    too_long = "a" * 1001

    refused = post_feedback(client, alice_token, rating="3", comment=too_long)
    accepted = post_feedback(client, alice_token, rating="3", comment=fits)

    assert refused.status_code == 422
    assert accepted.status_code == 200
    assert stored_feedback(db_session) == [(3, "\n".join(["a" * 199] * 5))]


@pytest.mark.parametrize("rating", ["0", "6", "abc", "", "4.5"])
def test_bad_rating_refused(
    client: FlaskClient, db_session: Session, alice_token: str, rating: str
) -> None:
    response = post_feedback(client, alice_token, rating=rating, comment="")

    assert response.status_code == 422
    assert Page(response.get_data(as_text=True)).has_id("rating-error")
    assert stored_feedback(db_session) == []


def test_missing_rating_refused(client: FlaskClient, db_session: Session, alice_token: str) -> None:
    assert post_feedback(client, alice_token, comment="Bien").status_code == 422
    assert stored_feedback(db_session) == []


def test_post_without_csrf_refused(
    client: FlaskClient, db_session: Session, alice_token: str
) -> None:
    response = client.post(f"/avis/{alice_token}", data={"rating": "5"})

    assert response.status_code == 400
    assert stored_feedback(db_session) == []


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("emma", "This session has not started yet. Come back after it to tell us how it went."),
        ("gina", "This place in the session was cancelled, so there is nothing to rate."),
    ],
)
def test_no_response_outside_session(
    app: Flask, db_session: Session, crew: Crew, name: str, problem: str
) -> None:
    client = app.test_client()
    token = token_of(app, assignment_of(db_session, crew, name))

    page = Page(client.get(f"/avis/{token}").get_data(as_text=True))
    response = client.post(
        f"/avis/{token}", data={"csrf_token": csrf_token(page.html), "rating": "5"}
    )

    assert page.by_id("feedback-problem").text == french(app, problem)
    assert not page.has_id("feedback-form")
    assert response.status_code == 200
    assert Page(response.get_data(as_text=True)).by_id("feedback-problem").text == french(
        app, problem
    )
    assert stored_feedback(db_session) == []


def test_form_closes_a_month_after_thanks(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    alice_token: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Session 1 ended ten days ago and its thank-you went an hour later: 21 days more.
    later = utcnow() + timedelta(days=21)
    monkeypatch.setattr("webapp.services.feedback.utcnow", lambda: later)

    response = post_feedback(client, alice_token, rating="5")

    assert Page(response.get_data(as_text=True)).by_id("feedback-problem").text == french(
        app, "Opinions on this session are closed. Thank you all the same!"
    )
    assert stored_feedback(db_session) == []


@pytest.mark.parametrize("token", ["abc", "x" * 400, "eyJhIjoxfQ.bad.sig"])
def test_unknown_link(client: FlaskClient, crew: Crew, token: str) -> None:
    assert client.get(f"/avis/{token}").status_code == 404
    assert client.post(f"/avis/{token}", data={"rating": "5"}).status_code in (400, 404)


def test_reply_and_feedback_links_differ(
    app: Flask, client: FlaskClient, db_session: Session, crew: Crew, alice_token: str
) -> None:
    assignment = assignment_of(db_session, crew, "alice")
    with app.app_context():
        reply_token = make_reply_token(assignment.id, crew.sessions[0].starts_at)

    assert client.get(f"/avis/{reply_token}").status_code == 404
    assert client.get(f"/reponse/{alice_token}").status_code == 404


def test_expired_link(
    client: FlaskClient, alice_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = utcnow() + timedelta(days=401)
    monkeypatch.setattr("webapp.services.feedback.utcnow", lambda: later)

    assert client.get(f"/avis/{alice_token}").status_code == 410


def add_feedback(db_session: Session, crew: Crew, name: str, rating: int, comment: str) -> None:
    assignment = assignment_of(db_session, crew, name)
    db_session.add(SessionFeedback(assignment_id=assignment.id, rating=rating, comment=comment))


def test_session_page_hides_names(
    app: Flask, client: FlaskClient, db_session: Session, crew: Crew
) -> None:
    add_feedback(db_session, crew, "alice", 5, "super équipe")
    add_feedback(db_session, crew, "bruno", 2, "Trop de pluie\net de chiens")
    db_session.commit()
    log_in(client, crew.coordinator)

    response = client.get(f"/planification/sessions/{crew.sessions[0].id}")

    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    counts = {
        row.attrs["data-rating"]: row.text.split()[-1]
        for row in page.select("tr")
        if "data-rating" in row.attrs
    }
    assert counts == {"1": "0", "2": "1", "3": "0", "4": "0", "5": "1"}
    # Alphabetical, whatever the case: "super" before "Trop".
    assert comments_of(page) == ["super équipe", "Trop de pluie et de chiens"]
    section = page.by_id("session-feedback").text
    for user in (crew.volunteers["alice"], crew.volunteers["bruno"]):
        assert user.first_name not in section
        assert user.last_name not in section


def comments_of(page: Page) -> list[str]:
    """Return the texts of the comment list's items, in page order."""
    start = page.elements.index(page.by_id("feedback-comments"))
    texts: list[str] = []
    for element in page.elements[start + 1 :]:
        if element.tag != "li":
            break
        texts.append(element.text)
    return texts


def test_session_page_without_responses(
    app: Flask, client: FlaskClient, db_session: Session, crew: Crew
) -> None:
    log_in(client, crew.coordinator)

    page = Page(client.get(f"/planification/sessions/{crew.sessions[1].id}").get_data(as_text=True))

    assert page.by_id("session-feedback").text.endswith(
        french(
            app,
            "No opinion yet: volunteers get the link to the form in their thank-you message "
            "after the session.",
        )
    )
    assert not page.has_id("feedback-comments")
