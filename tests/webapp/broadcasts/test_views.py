"""The broadcast pages: access, reach and cost, mandatory mentions, double submit, progress."""

import re
from datetime import timedelta

import pytest
from babel.dates import format_date
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.webapp.accounts.html_page import Page, csrf_token
from tests.webapp.broadcasts.conftest import (
    GSM_TEXT,
    PostForm,
    form_data,
    log_in,
    submission_key,
)
from tests.webapp.broadcasts.crew import Crew
from webapp.jobs.broadcasts import enqueue_preparation
from webapp.models import Broadcast, Message
from webapp.models.messaging import MessageStatus
from webapp.services.broadcast_drafts import MAX_SMS_BODY_LENGTH
from webapp.services.localtime import to_local_naive
from webapp.settings import Settings

PAGES = ["/diffusions/", "/diffusions/nouvelle"]


def plain(text: str) -> str:
    """Return the text with every kind of space made one plain space."""
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " "))


def text_of(html: str) -> str:
    return plain(Page(html).text())


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_goes_to_login(client: FlaskClient, crew: Crew, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion?next=")


@pytest.mark.parametrize("path", PAGES)
def test_volunteer_is_forbidden(client: FlaskClient, crew: Crew, path: str) -> None:
    log_in(client, crew.volunteers["alice"])

    assert client.get(path).status_code == 403


def test_form_shows_the_reach_of_all_volunteers(coordinator_client: FlaskClient) -> None:
    page = Page(coordinator_client.get("/diffusions/nouvelle").get_data(as_text=True))

    assert page.by_id("estimate-recipients").text == "4 bénévoles"
    assert page.by_id("estimate-cost").text.replace("\xa0", " ") == "0,00 €"


def test_preview_shows_segments_and_cost(post_form: PostForm) -> None:
    response = post_form(intent="preview", body="Tournee: ça " + "a" * 53 + " STOP", segment="all")

    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert page.by_id("estimate-recipients").text == "4 bénévoles"
    assert plain(page.by_id("estimate-segments").text) == ("1 segment SMS (UCS-2, 70 caractères)")
    assert page.by_id("estimate-total-segments").text == "4"
    assert page.by_id("estimate-cost").text.replace("\xa0", " ") == "0,18 €"
    assert "Tournee: ça" in page.by_id("broadcast-preview").text


def test_email_preview_ends_with_the_unsubscribe_footer(post_form: PostForm) -> None:
    response = post_form(intent="preview", channel="email", subject="Nouvelles", body="Bonjour")

    preview = Page(response.get_data(as_text=True)).by_id("broadcast-preview").text
    assert preview.startswith("Aperçu Objet : Nouvelles Bonjour -- Pour ne plus recevoir ces")
    assert preview.endswith("(lien personnel de désinscription)")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "Rendez-vous samedi. Répondez STOP",
            "Un SMS de campagne doit dire qui l’envoie : ajoutez le nom « Tournee » au texte.",
        ),
        (
            "Tournee: rendez-vous samedi.",
            "Un SMS de campagne doit indiquer comment ne plus en recevoir : ajoutez "
            "« Répondez STOP » (ou « STOP au » suivi d’un numéro) au texte.",
        ),
    ],
)
def test_missing_mentions_refused_in_french(
    post_form: PostForm, db_session: Session, body: str, message: str
) -> None:
    response = post_form(body=body)

    assert response.status_code == 422
    assert message in text_of(response.get_data(as_text=True))
    assert db_session.scalars(select(Broadcast)).all() == []


def test_twenty_posts_of_one_form_make_one_broadcast(
    coordinator_client: FlaskClient, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    enqueued: list[int] = []

    def record_and_prepare(settings: Settings, broadcast_id: int) -> None:
        enqueued.append(broadcast_id)
        enqueue_preparation(settings, broadcast_id)

    monkeypatch.setattr("webapp.services.broadcasts.enqueue_preparation", record_and_prepare)
    html = coordinator_client.get("/diffusions/nouvelle").get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), "submission_key": submission_key(html), **form_data()}

    responses = [coordinator_client.post("/diffusions/nouvelle", data=data) for _ in range(20)]

    broadcasts = db_session.scalars(select(Broadcast)).all()
    assert len(broadcasts) == 1
    target = f"/diffusions/{broadcasts[0].id}"
    assert {(r.status_code, r.headers["Location"]) for r in responses} == {(302, target)}
    assert enqueued == [broadcasts[0].id]
    assert len(db_session.scalars(select(Message)).all()) == 4


def test_sent_broadcast_reaches_its_progress_page(
    post_form: PostForm, coordinator_client: FlaskClient, db_session: Session
) -> None:
    response = post_form(segment="session", session_id=None)

    assert response.status_code == 422
    response = post_form()
    broadcast = db_session.scalars(select(Broadcast)).one()
    flashed = Page(coordinator_client.get(response.headers["Location"]).get_data(as_text=True))
    # Whether the outbox took them at once depends on the push window of the hour: the
    # rows are settled here so the page does not depend on the clock.
    db_session.execute(update(Message).values(status=MessageStatus.SENT))
    db_session.commit()
    page = Page(coordinator_client.get(response.headers["Location"]).get_data(as_text=True))

    assert "La diffusion est partie." in flashed.text()
    assert page.by_id("progress-bar").attrs["value"] == "100"
    assert page.by_id("broadcast-progress").attrs["data-complete"] == "true"
    counts = {e.attrs["data-count"]: e.text for e in page.select("dd") if "data-count" in e.attrs}
    assert counts == {
        "queued": "0",
        "sent": "4",
        "delivered": "0",
        "failed": "0",
        "opted_out": "0",
        "suppressed": "0",
    }
    listing = Page(coordinator_client.get("/diffusions/").get_data(as_text=True))
    assert listing.by_id(f"broadcast-{broadcast.id}").text.endswith(
        "SMS Tous les bénévoles 4 terminée"
    )


def test_sessions_named_by_iris(
    post_form: PostForm, coordinator_client: FlaskClient, db_session: Session, crew: Crew
) -> None:
    # The crew's first and third sessions both start at 09:30 in the IRIS Mairie.
    first_day = to_local_naive(crew.sessions[0].starts_at).date()
    days = [first_day + timedelta(days=offset) for offset in (0, 7, 21)]
    form = Page(coordinator_client.get("/diffusions/nouvelle").get_data(as_text=True))

    post_form(segment="session", session_id=str(crew.sessions[0].id))

    names = [format_date(day, "full", locale="fr") for day in days]
    options = [option.text for option in form.select("option")]
    # Named as every page names a session: the full date, the time and the IRIS.
    assert options[options.index("Choisissez une session") + 1 :][:3] == [
        f"{names[0]} à 09:30 (Mairie)",
        f"{names[1]} à 14:00 (Centre Ville)",
        f"{names[2]} à 09:30 (Mairie)",
    ]
    broadcast = db_session.scalars(select(Broadcast)).one()
    listing = Page(coordinator_client.get("/diffusions/").get_data(as_text=True))
    assert (
        f"Les bénévoles de la session du {names[0]} à 09:30 (Mairie)"
        in listing.by_id(f"broadcast-{broadcast.id}").text
    )


def test_progress_json(
    coordinator_client: FlaskClient, post_form: PostForm, db_session: Session
) -> None:
    post_form(channel="email", subject="Nouvelles", body="Bonjour", send_day="", send_time="")
    broadcast = db_session.scalars(select(Broadcast)).one()
    db_session.execute(update(Message).values(status=MessageStatus.SENT))
    rows = {m.recipient: m for m in db_session.scalars(select(Message))}
    rows["bruno@example.org"].status = MessageStatus.FAILED
    rows["bruno@example.org"].failure_reason = "rejected"
    rows["david@example.org"].status = MessageStatus.QUEUED
    db_session.commit()

    data = coordinator_client.get(f"/diffusions/{broadcast.id}/progression").get_json()

    assert {key: data[key] for key in data if key != "html"} == {
        "total": 5,
        "queued": 1,
        "sending": 0,
        "sent": 3,
        "delivered": 0,
        "failed": 1,
        "failed_by_reason": {"rejected": 1},
        "suppressed_by_reason": {},
        "suppressed": 0,
        "opted_out": 0,
        "withdrawn": 0,
        "percent_done": 80,
        "percent_label": "80\xa0%",
        "is_complete": False,
        "state": "sending",
        "state_label": "en cours d’envoi",
    }
    assert "refusé par le prestataire : 1" in data["html"]


def test_estimate_endpoint(coordinator_client: FlaskClient, crew: Crew) -> None:
    html = coordinator_client.get("/diffusions/nouvelle").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(html),
        **form_data(segment="iris", iris_code="930100101", body="Bonjour"),
    }

    response = coordinator_client.post("/diffusions/estimation", data=data)

    page = Page(f"<main>{response.get_json()['html']}</main>")
    assert response.get_json()["recipient_count"] == 1
    assert page.by_id("estimate-recipients").text == "1 bénévole"
    assert "Le texte ne nomme pas encore l’expéditeur." in page.text()
    assert "Le texte ne dit pas encore comment ne plus recevoir de SMS (STOP)." in page.text()


def test_other_campaigns_broadcast_is_not_found(coordinator_client: FlaskClient) -> None:
    assert coordinator_client.get("/diffusions/999999").status_code == 404
    assert coordinator_client.get("/diffusions/999999/progression").status_code == 404


@pytest.mark.parametrize(
    "changes",
    [
        {"channel": "fax"},
        {"segment": "everyone"},
        {"send_day": "31/02/2027", "send_time": "10:00"},
        {"send_day": "", "send_time": "25:99"},
        {"date_from": "hier", "segment": "dates"},
        {"body": ""},
        {"body": "x" * 30000},
        {"session_id": "abc", "segment": "session"},
    ],
)
def test_bad_input_is_refused_without_error(post_form: PostForm, changes: dict[str, str]) -> None:
    assert post_form(**changes).status_code == 422


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("fr", ("1\u202f234 bénévoles", "7 segments SMS (GSM-7, 1\u202f000 caractères)")),
        ("en", ("1,234 volunteers", "7 SMS segments (GSM-7, 1,000 characters)")),
    ],
)
def test_counts_have_thousands_separator(
    coordinator_client: FlaskClient,
    post_form: PostForm,
    db_session: Session,
    locale: str,
    expected: tuple[str, str],
) -> None:
    recipients, segments = expected
    post_form(channel="email", subject="Nouvelles", body="Bonjour", send_day="", send_time="")
    broadcast = db_session.scalars(select(Broadcast)).one()
    broadcast.recipient_count = 1234
    db_session.commit()
    with coordinator_client.session_transaction() as browser_session:
        browser_session["locale"] = locale
    html = coordinator_client.get("/diffusions/nouvelle").get_data(as_text=True)
    # The longest SMS body the form takes.
    body = GSM_TEXT + " " + "a" * (MAX_SMS_BODY_LENGTH - len(GSM_TEXT) - 1)
    data = {"csrf_token": csrf_token(html), **form_data(body=body)}

    show_page = coordinator_client.get(f"/diffusions/{broadcast.id}").get_data(as_text=True)
    estimate = coordinator_client.post("/diffusions/estimation", data=data).get_json()["html"]

    assert f"· {recipients}</dd>" in show_page
    segments_text = re.search(r'<dd id="estimate-segments">(.*?)</dd>', estimate, re.S)
    assert segments_text is not None
    assert re.sub(r"\s*\n\s*", " ", segments_text.group(1)).strip() == segments
