"""The questionnaire on a phone: from a door's « Discussion » to the answers sent."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.conftest import PHONE_VIEWPORT
from tests.webapp.canvass.conftest import TOKEN, Walk, seed_walk
from webapp.db import utcnow
from webapp.models import CanvassSession, SurveyResponse

pytestmark = pytest.mark.browser


@pytest.fixture
def walk(live_db: Session, monkeypatch: pytest.MonkeyPatch) -> Walk:
    # These tests never log in, so the users skip the slow password hashing.
    monkeypatch.setattr("tests.factories.hash_password", lambda _password: "unused-hash")
    seeded = seed_walk(live_db)
    live_db.commit()
    return seeded


@pytest.fixture
def route_url(live_server: str, walk: Walk) -> str:
    return f"{live_server}/parcours/{TOKEN}"


def test_volunteer_sends_answers_on_a_phone(
    phone_page: Page, route_url: str, live_db: Session
) -> None:
    page = phone_page
    page.goto(route_url)

    page.locator(".walk-door").first.get_by_role("button", name="Discussion").tap()
    page.get_by_role("link", name="Noter ce qui a été dit").tap()

    survey = page.locator("#questionnaire")
    topic = survey.get_by_label("Quel sujet compte le plus pour vous dans le quartier ?")
    expect(topic).to_be_in_viewport()
    expect(survey.locator("#survey-privacy")).to_have_text(
        "Les réponses sont anonymes : elles sont comptées par quartier, jamais par personne "
        "ni par porte."
    )
    expect(survey.locator("#topic-hint")).to_contain_text("1 000 caractères au plus")
    expect(survey.get_by_text("N’écrivez ni nom")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]

    # A phone number is refused, and the text typed stays in the field.
    topic.fill("Le bus 147, rappelez-moi au 06 12 34 56 78")
    survey.get_by_role("button", name="Envoyer les réponses").tap()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Retirez l’adresse e-mail ou le numéro de téléphone")
    expect(topic).to_have_value("Le bus 147, rappelez-moi au 06 12 34 56 78")

    topic.fill("Le bus 147 toujours en retard, et les loyers")
    survey.get_by_label("Ne sait pas").check()
    survey.get_by_role("button", name="Envoyer les réponses").tap()

    # The page comes back at the questionnaire, where the volunteer was, not at the top.
    recorded = page.locator("#survey-recorded")
    expect(recorded).to_have_text("Réponses enregistrées, sans nom ni adresse. Merci !")
    expect(recorded).to_be_in_viewport()
    expect(page.locator(".flash")).to_have_count(0)
    next_door = page.locator("#survey-next").get_by_role("link")
    expect(next_door).to_have_text("Porte suivante : étape 2")
    expect(next_door).to_be_in_viewport()
    expect(page.locator("#questionnaire textarea")).to_have_value("")
    live_db.expire_all()
    [answer] = live_db.scalars(select(SurveyResponse)).all()
    starts_at = live_db.scalar(select(CanvassSession.starts_at))
    assert answer.answers == {
        "topic": "Le bus 147 toujours en retard, et les loyers",
        "intends_to_vote": "unsure",
    }
    assert answer.themes == ["housing", "transport"]
    assert answer.created_at == starts_at

    next_door.tap()
    expect(page.locator("#step-2")).to_be_in_viewport()


def test_link_to_questionnaire_after_reload(phone_page: Page, route_url: str) -> None:
    page = phone_page
    page.goto(route_url)
    page.locator(".walk-door").first.get_by_role("button", name="Discussion").tap()
    expect(page.locator(".door-confirmation")).to_be_visible()

    page.reload()

    expect(page.locator(".door-confirmation")).to_have_count(0)
    link = page.locator("#step-1 .walk-door-head").get_by_role("link")
    expect(link).to_have_text("Noter ce qui a été dit")
    link.tap()
    expect(page.locator("#questionnaire textarea")).to_be_in_viewport()


def test_too_early_keeps_the_text(
    phone_page: Page, route_url: str, walk: Walk, live_db: Session
) -> None:
    starts_at = utcnow() + timedelta(days=1)
    walk.canvass_session.starts_at = starts_at
    walk.canvass_session.ends_at = starts_at + timedelta(hours=2)
    walk.route.token_expires_at = starts_at + timedelta(days=1)
    live_db.commit()
    page = phone_page
    page.goto(f"{route_url}#questionnaire")

    survey = page.locator("#questionnaire")
    topic = survey.get_by_label("Quel sujet compte le plus pour vous dans le quartier ?")
    topic.fill("La cantine de l’école")
    survey.get_by_label("Oui").check()
    survey.get_by_role("button", name="Envoyer les réponses").tap()

    error = page.locator("#survey-error")
    expect(error).to_contain_text("Trop tôt pour noter des réponses")
    expect(error).to_be_focused()
    expect(error).to_be_in_viewport()
    expect(topic).to_have_value("La cantine de l’école")
    expect(survey.get_by_label("Oui")).to_be_checked()
    live_db.expire_all()
    assert live_db.scalars(select(SurveyResponse)).all() == []
