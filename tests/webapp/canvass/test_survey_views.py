"""The questionnaire of the route page: answers stored per session and IRIS only."""

import logging
import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.factories import at_utc
from tests.webapp.accounts.html_page import csrf_token
from tests.webapp.canvass.conftest import TOKEN, Walk
from tests.webapp.canvass.test_door_visit_views import door_item, flashes, record
from tests.webapp.canvass.test_views import assert_private, first, text_of
from webapp.db import utcnow
from webapp.models import SurveyResponse
from webapp.models.planning import SessionStatus

SURVEY_URL = f"/parcours/{TOKEN}/reponses"
# The session starts on Saturday 13 June 2026 at 10:00 in Paris (08:00 UTC).
OPENS_AT_UTC = at_utc(2026, 6, 13, 7, 30)


def send(client: FlaskClient, token: str = TOKEN, **fields: str) -> TestResponse:
    """Open the route page as a volunteer does, then send the questionnaire."""
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), **fields}
    return client.post(f"/parcours/{token}/reponses", data=data)


def stored(session: Session) -> list[SurveyResponse]:
    session.expire_all()
    return list(session.scalars(select(SurveyResponse).order_by(SurveyResponse.id)))


def field_errors(page: str) -> list[str]:
    pattern = r'<p class="field-error"[^>]*>(.*?)</p>'
    return [text_of(error) for error in re.findall(pattern, page, re.S)]


def survey_section(page: str) -> str:
    return first(r'(<section class="route-survey".*?</section>)', page)


def recorded_message(page: str) -> str:
    return text_of(first(r'id="survey-recorded">(.*?)</p>', page))


def door_head(page: str, step: int) -> str:
    return first(r'(<div class="walk-door-head".*?</div>)', door_item(page, step))


def test_page_shows_questionnaire_and_hint(client: FlaskClient, walk: Walk) -> None:
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    section = text_of(survey_section(page))
    assert "Après une discussion : le questionnaire" in section
    assert "Quel sujet compte le plus pour vous dans le quartier ?" in section
    assert "Comptez-vous voter ? (facultatif)" in section
    assert [label in section for label in ("Oui", "Non", "Ne sait pas")] == [True] * 3
    assert 'maxlength="1000"' in survey_section(page)
    assert f'action="{SURVEY_URL}"' in survey_section(page)


def test_hint_and_privacy_said_once(client: FlaskClient, walk: Walk) -> None:
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    section = survey_section(page)
    assert text_of(first(r'id="survey-privacy">(.*?)</p>', section)) == (
        "Les réponses sont anonymes : elles sont comptées par quartier, jamais par personne "
        "ni par porte."
    )
    # The length as the error message writes it: « 1 000 », not « 1000 ».
    assert text_of(first(r'<p class="hint" id="topic-hint">(.*?)</p>', section)) == (
        "Avec les mots de la personne, 1 000 caractères au plus. N’écrivez ni nom, ni "
        "adresse, ni numéro de téléphone, rien qui permette de reconnaître quelqu’un."
    )
    assert text_of(section).count("N’écrivez ni nom") == 1


def test_answers_stored_with_session_and_iris_only(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    response = send(
        client, topic="  Les LOYERS trop chers et l’insalubrité  ", intends_to_vote="unsure"
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/parcours/{TOKEN}#questionnaire"
    assert_private(response)
    [answer] = stored(db_session)
    assert answer.session_id == walk.canvass_session.id
    assert answer.iris_code == walk.canvass_session.iris_code
    assert answer.answers == {
        "topic": "Les LOYERS trop chers et l’insalubrité",
        "intends_to_vote": "unsure",
    }
    assert answer.themes == ["housing", "cost_of_living"]
    assert answer.language == "fr"
    # The session's start, not the time of the answer.
    assert answer.created_at == walk.canvass_session.starts_at
    columns = {column.key for column in inspect(SurveyResponse).columns}
    assert columns == {
        "id",
        "session_id",
        "iris_code",
        "answers",
        "themes",
        "language",
        "created_at",
    }
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    assert flashes(page) == []
    assert recorded_message(page) == "Réponses enregistrées, sans nom ni adresse. Merci !"
    # No door recorded yet, so no next door to point at.
    assert 'id="survey-next"' not in page
    again = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    assert 'id="survey-recorded"' not in again


def test_confirmation_links_to_next_door(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    record(client, walk.doors["G5"].id, "conversation")

    response = send(client, topic="Les transports")
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    section = survey_section(page)
    assert recorded_message(section) == "Réponses enregistrées, sans nom ni adresse. Merci !"
    next_door = first(r'<p class="route-next" id="survey-next">(.*?)</p>', section)
    assert 'href="#step-2"' in next_door
    assert text_of(next_door) == "Porte suivante : étape 2"


def test_voting_question_is_optional(client: FlaskClient, db_session: Session, walk: Walk) -> None:
    send(client, topic="La propreté des rues")

    [answer] = stored(db_session)
    assert answer.answers == {"topic": "La propreté des rues"}
    assert answer.themes == ["cleanliness"]


def test_answer_time_hides_the_door_visit_time(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    record(client, walk.doors["G5"].id, "conversation")
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    # The door recorded as a conversation points at the questionnaire.
    assert 'href="#questionnaire"' in door_item(page, 1)
    assert 'href="#questionnaire"' not in door_item(page, 2)
    send(client, topic="Les transports")
    [answer] = stored(db_session)
    assert answer.created_at == walk.canvass_session.starts_at
    assert abs(answer.created_at - utcnow()) > timedelta(days=1)


def test_conversation_doors_keep_their_link(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    record(client, walk.doors["G5"].id, "conversation")
    record(client, walk.doors["G3"].id, "absent")
    record(client, walk.doors["G1"].id, "conversation")

    client.get(f"/parcours/{TOKEN}")
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)

    # After a reload, with no confirmation left: the status line of each « Discussion ».
    for step in (1, 3):
        link = first(r'(<a class="door-survey"[^>]*>.*?</a>)', door_head(page, step))
        assert 'href="#questionnaire"' in link
        assert text_of(link) == "Noter ce qui a été dit"
    assert 'class="door-survey"' not in door_item(page, 2)
    assert 'class="door-survey"' not in door_item(page, 4)
    assert page.count('class="door-survey"') == 2


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"topic": "   "}, "Écrivez le sujet dont la personne a parlé."),
        (
            {"topic": "é" * 1001},
            "Utilisez 1 000 caractères au plus : cette réponse en compte 1 001.",
        ),
        (
            {"topic": "Rappelez-moi au 06 12 34 56 78"},
            "Retirez l’adresse e-mail ou le numéro de téléphone : les réponses ne doivent "
            "permettre de reconnaître personne.",
        ),
        (
            {"topic": "Écrire à jean.dupont@example.org"},
            "Retirez l’adresse e-mail ou le numéro de téléphone : les réponses ne doivent "
            "permettre de reconnaître personne.",
        ),
        ({"topic": "bus\x07"}, "Retirez du texte les caractères de contrôle invisibles."),
        (
            {"topic": "Les écoles", "intends_to_vote": "peut-être"},
            "Choisissez l’une des réponses à la question sur le vote.",
        ),
    ],
)
def test_invalid_answers_rejected_in_french(
    client: FlaskClient,
    db_session: Session,
    walk: Walk,
    fields: dict[str, str],
    error: str,
) -> None:
    response = send(client, **fields)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_errors(page) == [f"Erreur : {error}"]
    assert "Veuillez corriger" in text_of(survey_section(page))
    assert stored(db_session) == []


def test_invalid_answer_keeps_the_text(client: FlaskClient, walk: Walk) -> None:
    text = "Appelez le 0612345678 pour la cantine"

    page = send(client, topic=text).get_data(as_text=True)

    assert text in first(r"<textarea[^>]*>(.*?)</textarea>", page)


def test_post_without_csrf_rejected(client: FlaskClient, db_session: Session, walk: Walk) -> None:
    client.get(f"/parcours/{TOKEN}")

    response = client.post(SURVEY_URL, data={"topic": "Les bus"})

    assert response.status_code == 400
    assert stored(db_session) == []


def test_unknown_link_rejected(client: FlaskClient, db_session: Session, walk: Walk) -> None:
    response = send(client, token="inconnu", topic="Les bus")

    assert response.status_code == 404
    assert "Lien inconnu" in text_of(response.get_data(as_text=True))
    assert stored(db_session) == []


def test_expired_link_rejected_with_valid_form(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    walk.route.token_expires_at = utcnow() - timedelta(minutes=1)
    db_session.commit()

    response = client.post(SURVEY_URL, data={"csrf_token": csrf_token(page), "topic": "Le bus"})

    assert response.status_code == 410
    assert "Ce lien a expiré" in response.get_data(as_text=True)
    assert stored(db_session) == []


def test_answers_before_recording_opens_rejected(
    client: FlaskClient,
    db_session: Session,
    walk: Walk,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(
        "webapp.canvass.survey_views.utcnow", lambda: OPENS_AT_UTC - timedelta(minutes=1)
    )

    with caplog.at_level(logging.INFO, logger="webapp.canvass.survey_views"):
        response = send(client, topic="Les bus de nuit", intends_to_vote="no")

    # The page comes back with the answers as typed, rather than a redirect losing them.
    assert response.status_code == 409
    assert_private(response)
    assert stored(db_session) == []
    page = response.get_data(as_text=True)
    section = survey_section(page)
    assert text_of(first(r'id="survey-error"[^>]*>(.*?)</p>', section)) == (
        "Trop tôt pour noter des réponses : c’est possible à partir du samedi 13 juin 2026 "
        "à 09:30, 30 minutes avant le début de la session. Les réponses n’ont pas été "
        "enregistrées."
    )
    assert flashes(page) == []
    assert first(r"<textarea[^>]*>(.*?)</textarea>", section).strip() == "Les bus de nuit"
    assert re.findall(r'<input checked[^>]*value="([^"]*)"', section) == ["no"]
    assert field_errors(page) == []
    assert f"Survey answers not recorded on route {walk.route.id}: too early" in caplog.text
    assert TOKEN not in caplog.text


def test_answers_at_recording_opening_accepted(
    client: FlaskClient, db_session: Session, walk: Walk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("webapp.canvass.survey_views.utcnow", lambda: OPENS_AT_UTC)

    send(client, topic="Les bus")

    assert len(stored(db_session)) == 1


def test_cancelled_session_rejects_answers(
    client: FlaskClient, db_session: Session, walk: Walk
) -> None:
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    walk.canvass_session.status = SessionStatus.CANCELLED
    db_session.commit()

    response = client.post(SURVEY_URL, data={"csrf_token": csrf_token(page), "topic": "Bus"})

    assert response.status_code == 302
    assert stored(db_session) == []
    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    assert flashes(page) == [
        "Cette session a été annulée : les réponses n’ont pas été enregistrées."
    ]
    assert 'class="route-survey"' not in page


def test_recorded_answer_is_not_logged(
    client: FlaskClient, walk: Walk, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        send(client, topic="Les loyers de la résidence")

    assert "loyers" not in caplog.text
    assert "survey" not in caplog.text.lower()


def test_questionnaire_in_english(client: FlaskClient, db_session: Session, walk: Walk) -> None:
    with client.session_transaction() as session:
        session["locale"] = "en"

    page = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    invalid = send(client, topic="").get_data(as_text=True)
    send(client, topic="Housing", intends_to_vote="yes")
    after = client.get(f"/parcours/{TOKEN}").get_data(as_text=True)
    hint = text_of(first(r'<p class="hint" id="topic-hint">(.*?)</p>', page))

    section = text_of(survey_section(page))
    assert "After a conversation: the questionnaire" in section
    assert "Which subject matters most to you in the neighbourhood?" in section
    assert "Does not know" in section
    assert "Write no name, address, phone number" in section
    assert field_errors(invalid) == ["Error: Write the subject the person talked about."]
    assert hint.startswith("In the person’s words, at most 1,000 characters.")
    assert recorded_message(after) == "Answers recorded, without any name or address. Thank you!"
    [answer] = stored(db_session)
    assert answer.language == "en"
