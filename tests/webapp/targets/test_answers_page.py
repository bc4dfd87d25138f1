"""The coordinators' page of the questionnaire's answers, per IRIS and theme."""

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import at_utc, make_campaign, make_canvass_session
from tests.webapp.canvass.test_views import first, text_of
from tests.webapp.targets.members import add_member, log_in_as
from tests.webapp.targets.scored_case import CENTRE, SAINT_BLAISE, ScoredCase
from webapp.models import Campaign, SurveyResponse
from webapp.models.users import Role
from webapp.services.answer_themes import tag_themes

CENTRE_TOPICS = (
    "Les loyers trop chers",
    "le bus 147 est toujours en retard",
    "Les HLM mal entretenues",
    "la saleté des rues",
    "Des logements pour les jeunes",
)


def add_answers(
    session: Session, campaign: Campaign, iris_code: str, topics: tuple[str, ...], vote: str
) -> None:
    canvass = make_canvass_session(
        session, campaign=campaign, iris_code=iris_code, starts_at=at_utc(2026, 6, 13, 8)
    )
    for topic in topics:
        session.add(
            SurveyResponse(
                session_id=canvass.id,
                iris_code=iris_code,
                answers={"topic": topic, "intends_to_vote": vote},
                themes=tag_themes(topic),
                language="fr",
                created_at=canvass.starts_at,
            )
        )
    session.commit()


def section_of(page: str, code: str) -> str:
    return first(rf'(<section class="answers-iris" id="iris-{code}".*?</section>)', page)


def theme_rows(section: str) -> list[tuple[str, str]]:
    pattern = r'<tr><th scope="row">(.*?)</th><td>(.*?)</td></tr>'
    return [(text_of(name), text_of(count)) for name, count in re.findall(pattern, section)]


@pytest.fixture
def answered(db_session: Session, scored: ScoredCase) -> ScoredCase:
    add_answers(db_session, scored.campaign, CENTRE, CENTRE_TOPICS, "yes")
    add_answers(db_session, scored.campaign, SAINT_BLAISE, ("La sécurité", "Les loyers"), "unsure")
    other = make_campaign(db_session, name="Autre campagne")
    add_answers(db_session, other, CENTRE, ("Sentinelle autre campagne",) * 5, "no")
    return scored


def test_counts_per_iris_and_theme(coordinator_client: FlaskClient, answered: ScoredCase) -> None:
    response = coordinator_client.get("/ciblage/reponses")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Sentinelle" not in page
    codes = re.findall(r'<section class="answers-iris" id="iris-(\d+)"', page)
    assert codes == [CENTRE, SAINT_BLAISE]
    centre = section_of(page, CENTRE)
    assert text_of(first(r'class="answers-count">(.*?)</p>', centre)) == "5 réponses"
    assert theme_rows(centre) == [
        ("logement", "3"),
        ("transports", "1"),
        ("propreté", "1"),
        ("pouvoir d’achat", "1"),
    ]
    blaise = section_of(page, SAINT_BLAISE)
    assert text_of(first(r'class="answers-count">(.*?)</p>', blaise)) == "2 réponses"
    assert theme_rows(blaise) == [("logement", "1"), ("sécurité", "1")]


def test_texts_shown_from_five_answers(
    coordinator_client: FlaskClient, answered: ScoredCase
) -> None:
    page = coordinator_client.get("/ciblage/reponses").get_data(as_text=True)

    centre = section_of(page, CENTRE)
    texts = [text_of(item) for item in re.findall(r"<li>(.*?)</li>", centre, re.S)]
    assert texts == sorted(CENTRE_TOPICS, key=str.casefold)
    assert text_of(first(r'class="answers-votes">(.*?)</p>', centre)) == (
        "Comptez-vous voter ? Oui : 5, Non : 0, Ne sait pas : 0"
    )
    assert "2026" not in centre
    blaise = section_of(page, SAINT_BLAISE)
    assert "La sécurité" not in blaise
    assert "answers-votes" not in blaise
    assert text_of(first(r'class="answers-hidden">(.*?)</p>', blaise)) == (
        "Textes masqués : moins de 5 réponses dans cet IRIS."
    )
    assert "à partir de 5 réponses" in text_of(first(r'id="answers-threshold">(.*?)</p>', page))


def test_page_without_answers(coordinator_client: FlaskClient) -> None:
    page = coordinator_client.get("/ciblage/reponses").get_data(as_text=True)

    assert "Aucune réponse enregistrée" in text_of(first(r'id="answers-none">(.*?)</p>', page))
    keywords = text_of(first(r'(<details class="answers-keywords".*?</details>)', page))
    assert "logement logement*, loger, loyer, hlm" in keywords
    assert "pouvoir d’achat pouvoir d achat, prix" in keywords


def test_linked_from_targeting_page(coordinator_client: FlaskClient) -> None:
    page = coordinator_client.get("/ciblage/").get_data(as_text=True)

    assert 'href="/ciblage/reponses"' in page


def test_page_in_english(coordinator_client: FlaskClient, answered: ScoredCase) -> None:
    with coordinator_client.session_transaction() as session:
        session["locale"] = "en"

    page = coordinator_client.get("/ciblage/reponses").get_data(as_text=True)

    centre = section_of(page, CENTRE)
    assert text_of(first(r'class="answers-count">(.*?)</p>', centre)) == "5 answers"
    assert theme_rows(centre)[0] == ("housing", "3")
    assert "Texts hidden: fewer than 5 answers" in section_of(page, SAINT_BLAISE)


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.TEAM_LEAD])
def test_volunteers_forbidden(
    client: FlaskClient, db_session: Session, answered: ScoredCase, role: Role
) -> None:
    log_in_as(client, add_member(db_session, answered.campaign, role, "v@example.org"))

    response = client.get("/ciblage/reponses")

    assert response.status_code == 403
    assert "loyers" not in response.get_data(as_text=True)


def test_anonymous_goes_to_login(client: FlaskClient, answered: ScoredCase) -> None:
    response = client.get("/ciblage/reponses")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion?next=")
