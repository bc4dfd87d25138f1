"""The coordinators' page of the questionnaire's answers, per IRIS and theme."""

import re
from datetime import datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import at_utc, make_campaign, make_canvass_session
from tests.webapp.canvass.test_views import first, text_of
from tests.webapp.targets.members import add_member, log_in_as
from tests.webapp.targets.scored_case import CENTRE, PETIT_BOIS, SAINT_BLAISE, ScoredCase
from webapp.db import utcnow
from webapp.models import Campaign, SurveyResponse
from webapp.models.users import Role
from webapp.services.answer_themes import tag_themes
from webapp.services.survey_summary import summarise_answers

# (topic, voting intention or None when not answered)
Answer = tuple[str, str | None]

CENTRE_ANSWERS: tuple[Answer, ...] = (
    ("Les loyers trop chers", "yes"),
    ("le bus 147 est toujours en retard", None),
    ("Les HLM mal entretenues", "no"),
    ("la saleté des rues", None),
    ("Des logements pour les jeunes", "yes"),
    ("Rien de particulier", None),
)
ENDED = at_utc(2026, 6, 13, 8)


def add_answers(
    session: Session,
    campaign: Campaign,
    iris_code: str,
    answers: tuple[Answer, ...],
    *,
    starts_at: datetime = ENDED,
) -> None:
    """Store `answers` for one new two-hour session of `iris_code` starting at `starts_at`."""
    canvass = make_canvass_session(
        session, campaign=campaign, iris_code=iris_code, starts_at=starts_at
    )
    for topic, vote in answers:
        given = {"topic": topic} if vote is None else {"topic": topic, "intends_to_vote": vote}
        session.add(
            SurveyResponse(
                session_id=canvass.id,
                iris_code=iris_code,
                answers=given,
                themes=tag_themes(topic),
                language="fr",
                created_at=canvass.starts_at,
            )
        )
    session.commit()


def section_of(page: str, code: str) -> str:
    return first(rf'(<section class="answers-iris" id="iris-{code}".*?</section>)', page)


def table_rows(section: str, table_class: str) -> list[tuple[str, str]]:
    table = first(rf'(<table class="answers-table {table_class}">.*?</table>)', section)
    pattern = r'<tr[^>]*><th scope="row">(.*?)</th><td class="number">(.*?)</td></tr>'
    return [(text_of(name), text_of(count)) for name, count in re.findall(pattern, table)]


def answer_count(section: str) -> str:
    return text_of(first(r'<p class="answers-count[^"]*">(.*?)</p>', section))


@pytest.fixture
def answered(db_session: Session, scored: ScoredCase) -> ScoredCase:
    add_answers(db_session, scored.campaign, CENTRE, CENTRE_ANSWERS)
    add_answers(
        db_session, scored.campaign, SAINT_BLAISE, (("La sécurité", "no"), ("Les loyers", None))
    )
    other = make_campaign(db_session, name="Autre campagne")
    add_answers(db_session, other, CENTRE, (("Sentinelle autre campagne", "no"),) * 5)
    return scored


def test_counts_per_iris_and_theme(coordinator_client: FlaskClient, answered: ScoredCase) -> None:
    response = coordinator_client.get("/ciblage/reponses")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Sentinelle" not in page
    codes = re.findall(r'<section class="answers-iris" id="iris-(\d+)"', page)
    assert codes == [CENTRE, SAINT_BLAISE]
    centre = section_of(page, CENTRE)
    assert answer_count(centre) == "6 réponses"
    assert table_rows(centre, "answers-themes") == [
        ("Logement", "3"),
        ("Transports", "1"),
        ("Propreté", "1"),
        ("Pouvoir d’achat", "1"),
        ("Sans thème", "1"),
    ]
    assert text_of(first(r'class="hint answers-themes-note">(.*?)</p>', centre)) == (
        "Une réponse peut avoir plusieurs thèmes : le total des thèmes peut dépasser le "
        "nombre de réponses."
    )


def test_voting_intentions_add_up(coordinator_client: FlaskClient, answered: ScoredCase) -> None:
    page = coordinator_client.get("/ciblage/reponses").get_data(as_text=True)

    centre = section_of(page, CENTRE)
    votes = first(r'(<table class="answers-table answers-votes">.*?</table>)', centre)
    assert text_of(first(r"<thead>(.*?)</thead>", votes)) == "Intention de vote Réponses"
    assert table_rows(centre, "answers-votes") == [
        ("Oui", "2"),
        ("Non", "1"),
        ("Ne sait pas", "0"),
        ("Sans réponse", "3"),
    ]
    assert "Comptez-vous voter" not in page


def test_texts_shown_from_five_answers(
    coordinator_client: FlaskClient, answered: ScoredCase
) -> None:
    page = coordinator_client.get("/ciblage/reponses").get_data(as_text=True)

    centre = section_of(page, CENTRE)
    texts = [text_of(item) for item in re.findall(r"<li>(.*?)</li>", centre, re.S)]
    assert texts == sorted((topic for topic, _ in CENTRE_ANSWERS), key=str.casefold)
    assert "2026" not in centre


def test_themes_hidden_under_five_answers(
    coordinator_client: FlaskClient, answered: ScoredCase
) -> None:
    page = coordinator_client.get("/ciblage/reponses").get_data(as_text=True)

    blaise = section_of(page, SAINT_BLAISE)
    assert answer_count(blaise) == "2 réponses : moins de 5, détails masqués"
    assert "<table" not in blaise
    assert "<li>" not in blaise
    assert "Sécurité" not in blaise
    assert "sécurité" not in blaise.casefold()
    assert "Logement" not in blaise
    threshold = text_of(first(r'id="answers-threshold">(.*?)</p>', page))
    assert threshold.startswith(
        "Pour que les réponses restent anonymes, un IRIS de moins de 5 réponses n’en affiche "
        "que le nombre"
    )


def test_single_answer_hides_everything(
    coordinator_client: FlaskClient, db_session: Session, scored: ScoredCase
) -> None:
    add_answers(
        db_session, scored.campaign, PETIT_BOIS, (("Les loyers du quartier Cigale", "yes"),)
    )

    page = coordinator_client.get("/ciblage/reponses").get_data(as_text=True)

    section = section_of(page, PETIT_BOIS)
    assert answer_count(section) == "1 réponse : moins de 5, détails masqués"
    assert "Logement" not in section
    assert "Oui" not in section
    assert "Cigale" not in page


def test_only_ended_sessions_counted(
    coordinator_client: FlaskClient, db_session: Session, answered: ScoredCase
) -> None:
    now = utcnow()
    # Running now: the answers of a session in progress must not show one by one.
    add_answers(
        db_session,
        answered.campaign,
        CENTRE,
        (("Sentinelle en cours", "yes"),) * 3,
        starts_at=now - timedelta(hours=1),
    )
    # Four ended answers and three of a running session: under five once filtered.
    add_answers(db_session, answered.campaign, PETIT_BOIS, (("Les écoles", "yes"),) * 4)
    add_answers(
        db_session,
        answered.campaign,
        PETIT_BOIS,
        (("Sentinelle à venir", "no"),) * 3,
        starts_at=now - timedelta(minutes=30),
    )

    page = coordinator_client.get("/ciblage/reponses").get_data(as_text=True)

    assert "Sentinelle" not in page
    centre = section_of(page, CENTRE)
    assert answer_count(centre) == "6 réponses"
    assert table_rows(centre, "answers-votes")[0] == ("Oui", "2")
    assert answer_count(section_of(page, PETIT_BOIS)) == (
        "4 réponses : moins de 5, détails masqués"
    )
    assert text_of(first(r'id="answers-ended">(.*?)</p>', page)) == (
        "Les réponses d’une session s’affichent une fois la session terminée."
    )


def test_session_counts_from_its_end(db_session: Session, answered: ScoredCase) -> None:
    ends_at = ENDED + timedelta(hours=2)

    before = summarise_answers(db_session, answered.campaign.id, now=ends_at - timedelta(seconds=1))
    at_end = summarise_answers(db_session, answered.campaign.id, now=ends_at)

    assert before == ()
    assert [(iris.code, iris.answer_count) for iris in at_end] == [(CENTRE, 6), (SAINT_BLAISE, 2)]
    assert at_end[1].theme_counts == ()
    assert at_end[1].vote_counts == ()
    assert at_end[1].texts == ()


def test_page_without_answers(coordinator_client: FlaskClient) -> None:
    page = coordinator_client.get("/ciblage/reponses").get_data(as_text=True)

    assert text_of(first(r'id="answers-none">(.*?)</p>', page)).startswith(
        "Aucune réponse d’une session terminée pour l’instant."
    )
    keywords = text_of(first(r'(<details class="answers-keywords".*?</details>)', page))
    assert "Logement logement*, loger, loyer, hlm" in keywords
    assert "Pouvoir d’achat pouvoir d achat, prix" in keywords


def test_links_with_targeting_page(coordinator_client: FlaskClient) -> None:
    targeting = coordinator_client.get("/ciblage/").get_data(as_text=True)
    answers = coordinator_client.get("/ciblage/reponses").get_data(as_text=True)

    assert 'href="/ciblage/reponses"' in targeting
    back = first(r'(<a [^>]*id="targeting-link"[^>]*>.*?</a>)', answers)
    assert 'href="/ciblage/"' in back
    assert text_of(back) == "Retour au ciblage"


def test_page_in_english(coordinator_client: FlaskClient, answered: ScoredCase) -> None:
    with coordinator_client.session_transaction() as session:
        session["locale"] = "en"

    page = coordinator_client.get("/ciblage/reponses").get_data(as_text=True)

    centre = section_of(page, CENTRE)
    assert answer_count(centre) == "6 answers"
    assert table_rows(centre, "answers-themes")[0] == ("Housing", "3")
    assert table_rows(centre, "answers-themes")[-1] == ("No theme", "1")
    assert table_rows(centre, "answers-votes")[-1] == ("No answer", "3")
    assert answer_count(section_of(page, SAINT_BLAISE)) == (
        "2 answers: fewer than 5, details hidden"
    )
    assert "The answers of a session are shown once the session has ended." in page


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
