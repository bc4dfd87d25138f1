import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_bondy_addresses, make_campaign
from webapp.models import AvailabilitySlot, User

pytestmark = pytest.mark.browser

PASSWORD = "une phrase de passe assez longue"


@pytest.fixture
def signup_page(phone_page: Page, live_server: str, live_db: Session) -> Page:
    make_bondy_addresses(live_db)
    make_campaign(live_db)
    live_db.commit()
    phone_page.goto(f"{live_server}/inscription")
    return phone_page


def _fill_form(page: Page, *, phone: str) -> None:
    page.get_by_label("Prénom").fill("Camille")
    page.get_by_label("Nom", exact=True).fill("Martin")
    page.get_by_label("Adresse e-mail").fill("Camille.Martin@example.org")
    page.get_by_label("Téléphone mobile").fill(phone)
    page.get_by_label("Adresse ou code postal").fill("152 bis avenue Galliéni")
    page.get_by_label("Lundi, après-midi").check()
    page.get_by_label("Samedi, matin").check()
    page.get_by_label("Oui, j’en ai déjà fait").check()
    page.get_by_label("J’accepte de recevoir des SMS").check()
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="M’inscrire").click()


def test_sign_up_on_a_phone(
    signup_page: Page, live_server: str, live_db: Session, blocked_urls: list[str]
) -> None:
    page = signup_page
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Devenez bénévole pour le porte-à-porte"
    )
    # Nothing sticks out sideways on a 390 px wide screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    _fill_form(page, phone="06 12 34 56 78")

    expect(page).to_have_url(f"{live_server}/inscription/merci")
    expect(page.get_by_role("heading", level=1)).to_have_text("Merci pour votre inscription !")
    user = live_db.scalars(select(User)).one()
    assert (user.email, user.phone_e164) == ("camille.martin@example.org", "+33612345678")
    slots = live_db.scalars(select(AvailabilitySlot).order_by(AvailabilitySlot.weekday)).all()
    assert [(s.weekday, s.start_minute, s.end_minute) for s in slots] == [
        (0, 810, 1080),
        (5, 540, 750),
    ]
    assert blocked_urls == []


def test_bad_phone_explained_beside_field(
    signup_page: Page, live_db: Session, blocked_urls: list[str]
) -> None:
    page = signup_page

    _fill_form(page, phone="01 48 47 00 00")

    message = "Indiquez un numéro de mobile : un téléphone fixe ne peut pas recevoir nos SMS."
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(message)
    expect(summary).to_be_focused()
    phone = page.get_by_label("Téléphone mobile")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_accessible_description(re.compile(re.escape(message)))
    expect(page.locator("#phone-error")).to_have_text(f"Erreur : {message}")
    expect(phone).to_have_value("01 48 47 00 00")
    expect(page.get_by_label("Prénom")).to_have_value("Camille")
    expect(page.get_by_label("Nom", exact=True)).to_have_value("Martin")
    expect(page.get_by_label("Adresse e-mail")).to_have_value("Camille.Martin@example.org")
    expect(page.get_by_label("Adresse ou code postal")).to_have_value("152 bis avenue Galliéni")
    expect(page.get_by_label("Lundi, après-midi")).to_be_checked()
    expect(page.get_by_label("Mardi, après-midi")).not_to_be_checked()
    expect(page.get_by_label("Oui, j’en ai déjà fait")).to_be_checked()
    expect(page.get_by_label("J’accepte de recevoir des SMS")).to_be_checked()
    expect(page.get_by_label("Mot de passe", exact=True)).to_have_value("")

    summary.get_by_role("link").click()

    expect(phone).to_be_focused()
    assert live_db.scalars(select(User)).all() == []
    assert blocked_urls == []
