"""A volunteer's account on a phone in Chromium: sign-up to erasure, two-step login, profile."""

import json
import re
import time
import uuid
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_bondy_addresses, make_campaign, make_user
from tests.webapp.accounts.outbox import emails_to, link_path
from webapp.models import AvailabilitySlot, Consent, ErasedContact, User
from webapp.models.users import Channel, ConsentPurpose, Role

pytestmark = pytest.mark.browser

PASSWORD = "une phrase de passe assez longue"
EMAIL = "camille@example.org"


def _seed(live_db: Session, role: Role = Role.VOLUNTEER) -> User:
    make_bondy_addresses(live_db)
    campaign = make_campaign(live_db)
    user = make_user(live_db, email=EMAIL, password=PASSWORD, campaign=campaign, role=role)
    live_db.add(
        Consent(
            user_id=user.id,
            purpose=ConsentPurpose.CANVASS_MESSAGES,
            channel=Channel.SMS,
            is_granted=True,
            wording_version="2026-12-signup-v1",
            source="signup_form",
        )
    )
    live_db.commit()
    return user


def _log_in(page: Page, live_server: str, path: str = "/connexion") -> None:
    page.goto(f"{live_server}{path}")
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()


def _code(page: Page) -> str:
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    return pyotp.TOTP(secret).now()


def _fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= 390"))


def test_volunteer_turns_on_two_step_login(
    phone_page: Page, live_server: str, live_db: Session, blocked_urls: list[str]
) -> None:
    _seed(live_db)
    page = phone_page
    _log_in(page, live_server)
    page.goto(f"{live_server}/mon-compte/securite")
    page.get_by_role("link", name="Activer la connexion en deux étapes").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Activer la connexion en deux étapes")
    qr = page.get_by_role("img", name="Code QR à scanner avec votre application d’authentification")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.naturalWidth") > 0
    assert _fits_the_screen(page)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code affiché par l’application").fill(_code(page))
    page.get_by_role("button", name="Activer la connexion en deux étapes").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Vos codes de secours")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="J’ai noté mes codes").click()
    expect(page).to_have_url(f"{live_server}/mon-espace")

    page.get_by_role("button", name="Se déconnecter").click()
    _log_in(page, live_server)
    expect(page).to_have_url(f"{live_server}/connexion/code")
    # The setup spent the current step's code; the next step's is within the window.
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code").fill(totp.at(time.time() + totp.interval))
    page.get_by_role("button", name="Continuer").click()
    expect(page).to_have_url(f"{live_server}/mon-espace")
    assert blocked_urls == []


def test_coordinator_sets_up_before_the_map(
    phone_page: Page, live_server: str, live_db: Session
) -> None:
    _seed(live_db, Role.COORDINATOR)
    page = phone_page
    _log_in(page, live_server, "/connexion?next=/ciblage/")

    expect(page).to_have_url(re.compile(r"/mon-compte/double-authentification\?next=/ciblage/$"))
    expect(page.locator(".lead")).to_contain_text("La coordination et l’administration")
    page.get_by_label("Code affiché par l’application").fill(_code(page))
    page.get_by_role("button", name="Activer la connexion en deux étapes").click()
    page.get_by_role("link", name="J’ai noté mes codes").click()

    expect(page).to_have_url(f"{live_server}/ciblage/")
    # The map loads its data after the page; let it finish before the tables are emptied.
    page.wait_for_load_state("networkidle")


def test_profile_withdraws_sms_in_one_click(
    phone_page: Page, live_server: str, live_db: Session, blocked_urls: list[str]
) -> None:
    user = _seed(live_db)
    page = phone_page
    _log_in(page, live_server)
    page.get_by_role("link", name="Mon profil : coordonnées, disponibilités, messages").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon profil")
    assert _fits_the_screen(page)

    page.locator("#consent-canvass_messages-sms").get_by_role("button", name="Arrêter").click()

    expect(page.get_by_role("status")).to_have_text(
        "C’est fait : nous ne vous écrirons plus de cette façon."
    )
    expect(page.locator("#consent-canvass_messages-sms")).to_contain_text("Non.")
    rows = live_db.scalars(
        select(Consent).where(Consent.user_id == user.id).order_by(Consent.id)
    ).all()
    assert [(row.is_granted, row.source) for row in rows] == [
        (True, "signup_form"),
        (False, "profile"),
    ]
    assert blocked_urls == []


def _menu_link(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name=name, exact=True
    ).click()


def test_volunteer_from_signup_to_erasure(
    phone_page: Page,
    live_server: str,
    live_outbox: Path,
    live_db: Session,
    blocked_urls: list[str],
) -> None:
    make_bondy_addresses(live_db)
    make_campaign(live_db)
    live_db.commit()
    email = f"camille.{uuid.uuid4().hex[:8]}@example.org"
    page = phone_page

    page.goto(f"{live_server}/inscription")
    page.get_by_label("Prénom").fill("Camille")
    page.get_by_label("Nom", exact=True).fill("Martin")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Téléphone mobile").fill("06 12 34 56 78")
    page.get_by_label("Adresse ou code postal").fill("152 bis avenue Galliéni")
    page.get_by_label("Samedi, matin").check()
    page.get_by_label("Non, ce sera ma première fois").check()
    page.get_by_label("J’accepte de recevoir des e-mails").check()
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="M’inscrire").click()
    expect(page).to_have_url(f"{live_server}/inscription/merci")

    # The address is confirmed from the link in the e-mail.
    [message] = emails_to(live_outbox, email)
    page.goto(live_server + link_path(message, "/verification-adresse/"))
    assert _fits_the_screen(page)
    page.get_by_role("button", name="Confirmer mon adresse").click()
    expect(page.get_by_role("status")).to_have_text("Merci : votre adresse e-mail est confirmée.")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    expect(page).to_have_url(f"{live_server}/mon-espace")

    # Availability, from the menu's profile link.
    _menu_link(page, "Mon profil")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon profil")
    assert _fits_the_screen(page)
    page.get_by_label("Mercredi, soir").check()
    page.get_by_role("button", name="Enregistrer mes disponibilités").click()
    expect(page.get_by_role("status")).to_have_text(
        "Vos disponibilités de la semaine sont enregistrées."
    )
    user = live_db.scalars(select(User).where(User.email == email)).one()
    assert user.email_verified_at is not None
    slots = live_db.scalars(
        select(AvailabilitySlot)
        .where(AvailabilitySlot.user_id == user.id)
        .order_by(AvailabilitySlot.weekday)
    ).all()
    assert [(s.weekday, s.start_minute, s.end_minute) for s in slots] == [
        (2, 1080, 1260),
        (5, 540, 750),
    ]

    # My data, downloaded from the menu's link.
    _menu_link(page, "Mes données")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes données")
    assert _fits_the_screen(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger en JSON").click()
    download = download_info.value
    assert download.suggested_filename == "mes-donnees.json"
    exported = json.loads(download.path().read_text(encoding="utf-8"))
    assert email in json.dumps(exported)
    assert PASSWORD not in json.dumps(exported)

    # Erasure: the password again, then back to the home page, logged out.
    page.get_by_role("link", name="Effacer mon compte").click()
    assert _fits_the_screen(page)
    page.get_by_label("Votre mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Effacer définitivement mon compte").click()
    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_role("status")).to_have_text("Votre compte et vos données sont effacés.")
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    live_db.expire_all()
    assert live_db.scalars(select(User).where(User.email == email)).first() is None
    assert len(live_db.scalars(select(ErasedContact)).all()) == 2
    assert blocked_urls == []
