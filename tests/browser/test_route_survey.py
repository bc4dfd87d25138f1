"""The questionnaire on a phone: from a door's « Discussion » to the answers sent."""

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.conftest import PHONE_VIEWPORT
from tests.webapp.canvass.conftest import TOKEN, seed_walk
from webapp.models import CanvassSession, SurveyResponse

pytestmark = pytest.mark.browser


@pytest.fixture
def route_url(live_server: str, live_db: Session, monkeypatch: pytest.MonkeyPatch) -> str:
    # These tests never log in, so the users skip the slow password hashing.
    monkeypatch.setattr("tests.factories.hash_password", lambda _password: "unused-hash")
    seed_walk(live_db)
    live_db.commit()
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
    expect(survey.locator("#survey-privacy")).to_contain_text("N’écrivez ni nom, ni adresse")
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

    expect(page.locator(".flash")).to_have_text(
        "Réponses enregistrées, sans nom ni adresse. Merci !"
    )
    expect(page.locator("#route-next")).to_be_in_viewport()
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
