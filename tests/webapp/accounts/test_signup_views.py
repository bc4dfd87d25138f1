import logging
from collections.abc import Callable

import pytest
from argon2 import PasswordHasher
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.webapp.accounts.conftest import PASSWORD, Bondy, signup_data
from tests.webapp.accounts.html_page import Page, csrf_token
from webapp.models import AvailabilitySlot, Consent, Membership, User, VolunteerProfile
from webapp.models.users import Channel, ConsentPurpose, Role
from webapp.services.signup import CONSENT_WORDING_VERSION

PostSignup = Callable[..., TestResponse]


def _count_rows(session: Session) -> dict[str, int]:
    models = (User, Membership, VolunteerProfile, AvailabilitySlot, Consent)
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in models
    }


def test_closed_without_campaign(client: FlaskClient) -> None:
    response = client.get("/inscription")
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert "Les inscriptions sont fermées" in page.text()
    assert not page.select("form", action="/inscription")


def test_form_is_french_with_unchecked_boxes(client: FlaskClient, bondy: Bondy) -> None:
    response = client.get("/inscription")
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert "Devenez bénévole pour le porte-à-porte" in page.text()
    assert page.by_id("phone").attrs["type"] == "tel"
    assert page.by_id("phone").attrs["aria-describedby"] == "phone-hint"
    assert len(page.select("input", name="availability")) == 21
    assert page.by_id("availability-0-morning").attrs.get("aria-invalid") is None
    assert page.checked_values("availability") == set()
    assert "checked" not in page.by_id("consent_email").attrs
    assert "checked" not in page.by_id("consent_sms").attrs
    header_text = " ".join(th.text for th in page.select("th", scope="col"))
    assert header_text == "Matin 09:00–12:30 Après-midi 13:30–18:00 Soir 18:00–21:00"
    assert [th.text for th in page.select("th", scope="row")][:2] == ["Lundi", "Mardi"]
    assert page.select("script", src="/static/js/error_summary.js")
    assert "<script>" not in page.html


def test_valid_signup_creates_the_volunteer(
    client: FlaskClient, db_session: Session, bondy: Bondy, post_signup: PostSignup
) -> None:
    response = post_signup()

    assert response.status_code == 302
    assert response.headers["Location"] == "/inscription/merci"
    user = db_session.scalars(select(User)).one()
    assert (user.email, user.first_name, user.last_name) == (
        "camille.martin@example.org",
        "Camille",
        "Martin",
    )
    assert user.phone_e164 == "+33612345678"
    assert user.locale == "fr"
    assert user.password_hash.startswith("$argon2id$")
    assert PasswordHasher().verify(user.password_hash, PASSWORD)
    assert [(m.campaign_id, m.role) for m in user.memberships] == [
        (bondy.campaign.id, Role.VOLUNTEER)
    ]
    profile = user.profile
    assert profile is not None
    home = bondy.addresses["93010_4120_00152_bis"]
    assert (profile.home_address_id, profile.home_postcode) == (home.id, "93140")
    assert (profile.home_lon, profile.home_lat) == (2.48476, 48.906406)
    assert profile.is_experienced is True
    slots = [(s.weekday, s.start_minute, s.end_minute) for s in user.availability]
    assert sorted(slots) == [(0, 810, 1260), (5, 540, 750)]
    consents = [
        (c.channel, c.purpose, c.is_granted, c.wording_version, c.source) for c in user.consents
    ]
    assert sorted(consents) == [
        (
            Channel.EMAIL,
            ConsentPurpose.CANVASS_MESSAGES,
            True,
            CONSENT_WORDING_VERSION,
            "signup_form",
        ),
        (
            Channel.SMS,
            ConsentPurpose.CANVASS_MESSAGES,
            True,
            CONSENT_WORDING_VERSION,
            "signup_form",
        ),
    ]
    assert CONSENT_WORDING_VERSION == "2026-12-signup-v1"
    assert all(c.created_at.tzinfo is not None for c in user.consents)
    assert _count_rows(db_session) == {
        "User": 1,
        "Membership": 1,
        "VolunteerProfile": 1,
        "AvailabilitySlot": 2,
        "Consent": 2,
    }


def test_confirmation_page_is_french(
    client: FlaskClient, bondy: Bondy, post_signup: PostSignup
) -> None:
    response = client.get(post_signup().headers["Location"])
    text = Page(response.get_data(as_text=True)).text()
    assert "Merci pour votre inscription !" in text
    assert "Votre compte de bénévole est prêt." in text


def test_unchecked_consents_stored_as_refusals(
    db_session: Session, bondy: Bondy, post_signup: PostSignup
) -> None:
    response = post_signup(consent_email=None, consent_sms=None, experience="first_time")

    assert response.status_code == 302
    user = db_session.scalars(select(User)).one()
    assert sorted((c.channel, c.is_granted) for c in user.consents) == [
        (Channel.EMAIL, False),
        (Channel.SMS, False),
    ]
    assert user.profile is not None and user.profile.is_experienced is False


def test_postcode_gives_centroid(
    db_session: Session, bondy: Bondy, post_signup: PostSignup
) -> None:
    response = post_signup(home="93140")

    assert response.status_code == 302
    profile = db_session.scalars(select(VolunteerProfile)).one()
    lons = [a.lon for a in bondy.addresses.values()]
    lats = [a.lat for a in bondy.addresses.values()]
    assert profile.home_address_id is None
    assert profile.home_postcode == "93140"
    assert profile.home_lon == pytest.approx(sum(lons) / len(lons), abs=1e-9)
    assert profile.home_lat == pytest.approx(sum(lats) / len(lats), abs=1e-9)


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("+33639981234", "+33639981234"),
        ("0033 6 39 98 12 34", "+33639981234"),
        ("06 39 98 12 34", "+33639981234"),
    ],
)
def test_phone_forms_give_e164(
    db_session: Session, bondy: Bondy, post_signup: PostSignup, phone: str, expected: str
) -> None:
    assert post_signup(phone=phone).status_code == 302
    assert db_session.scalars(select(User.phone_e164)).one() == expected


INVALID_FIELDS = [
    ("first_name", {"first_name": ""}, "Indiquez votre prénom."),
    ("first_name", {"first_name": "   "}, "Indiquez votre prénom."),
    ("last_name", {"last_name": ""}, "Indiquez votre nom."),
    ("last_name", {"last_name": "x" * 101}, "Utilisez au plus 100 caractères."),
    ("email", {"email": ""}, "Indiquez votre adresse e-mail."),
    (
        "email",
        {"email": "camille.martin@"},
        "Indiquez une adresse e-mail valide, par exemple nom@exemple.fr.",
    ),
    (
        "email",
        {"email": "camille martin@example.org"},
        "Indiquez une adresse e-mail valide, par exemple nom@exemple.fr.",
    ),
    ("phone", {"phone": ""}, "Indiquez votre numéro de téléphone mobile."),
    (
        "phone",
        {"phone": "01 48 47 00 00"},
        "Indiquez un numéro de mobile : un téléphone fixe ne peut pas recevoir nos SMS.",
    ),
    (
        "phone",
        {"phone": "09 50 12 34 56"},
        "Indiquez un numéro de mobile : un téléphone fixe ne peut pas recevoir nos SMS.",
    ),
    (
        "phone",
        {"phone": "+44 20 7946 0958"},
        "Indiquez un numéro de mobile : un téléphone fixe ne peut pas recevoir nos SMS.",
    ),
    (
        "phone",
        {"phone": "+999 12 34"},
        "Indiquez un numéro de mobile valide, par exemple 06 12 34 56 78.",
    ),
    (
        "phone",
        {"phone": "appelez-moi"},
        "Indiquez un numéro de mobile valide, par exemple 06 12 34 56 78.",
    ),
    (
        "phone",
        {"phone": "06 12 34"},
        "Indiquez un numéro de mobile valide, par exemple 06 12 34 56 78.",
    ),
    ("home", {"home": ""}, "Indiquez votre adresse ou votre code postal."),
    (
        "home",
        {"home": "12 rue de Rivoli"},
        "Nous ne trouvons pas cette adresse à Bondy. "
        "Vérifiez le numéro et la rue, ou indiquez seulement votre code postal.",
    ),
    (
        "home",
        {"home": "75001"},
        "Ce code postal est en dehors du territoire de la campagne (Bondy).",
    ),
    (
        "home",
        {"home": "avenue Galliéni"},
        "Indiquez votre numéro et votre rue, ou seulement votre code postal.",
    ),
    (
        "password",
        {"password": "court", "password_confirmation": "court"},
        "Votre mot de passe doit comporter au moins 12 caractères.",
    ),
    ("password", {"password": "", "password_confirmation": ""}, "Choisissez un mot de passe."),
    (
        "password_confirmation",
        {"password_confirmation": PASSWORD + "!"},
        "Les deux mots de passe ne correspondent pas.",
    ),
    ("availability", {"availability": None}, "Cochez au moins un créneau où vous êtes disponible."),
    (
        "availability",
        {"availability": ["0-morning", "7-noon"]},
        "Choisissez parmi les créneaux proposés.",
    ),
    ("experience", {"experience": None}, "Dites-nous si vous avez déjà fait du porte-à-porte."),
    ("experience", {"experience": "expert"}, "Dites-nous si vous avez déjà fait du porte-à-porte."),
]


@pytest.mark.parametrize(("field", "changes", "message"), INVALID_FIELDS)
def test_invalid_field_explained_input_kept(
    *,
    db_session: Session,
    bondy: Bondy,
    post_signup: PostSignup,
    field: str,
    changes: dict[str, object],
    message: str,
) -> None:
    response = post_signup(**changes)

    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert page.by_id(f"{field}-error").text == f"Erreur : {message}"
    summary = page.select("div", role="alert")
    assert len(summary) == 1 and message in summary[0].text
    _assert_field_marked_invalid(page, field)
    _assert_other_input_kept(page, field)
    assert _count_rows(db_session)["User"] == 0


def _assert_field_marked_invalid(page: Page, field: str) -> None:
    if field == "availability":
        assert (
            page.by_id("availability").attrs["aria-describedby"]
            == "availability-hint availability-error"
        )
        assert page.by_id("availability-0-morning").attrs["aria-invalid"] == "true"
    elif field == "experience":
        assert page.by_id("experience").attrs["aria-describedby"] == "experience-error"
        assert page.by_id("experience-0").attrs["aria-invalid"] == "true"
    else:
        element = page.by_id(field)
        assert element.attrs["aria-invalid"] == "true"
        assert f"{field}-error" in element.attrs["aria-describedby"].split()


def _assert_other_input_kept(page: Page, field: str) -> None:
    kept = {
        "first_name": "Camille",
        "last_name": "Martin",
        "email": "Camille.Martin@Example.org",
        "phone": "06 12 34 56 78",
        "home": "152 bis avenue Galliéni",
    }
    for name, value in kept.items():
        if name != field:
            assert page.by_id(name).attrs["value"] == value
    if field != "availability":
        assert page.checked_values("availability") == {"0-afternoon", "0-evening", "5-morning"}
    if field != "experience":
        assert page.checked_values("experience") == {"experienced"}
    assert "checked" in page.by_id("consent_email").attrs
    assert "checked" in page.by_id("consent_sms").attrs
    # Passwords are never sent back.
    assert page.by_id("password").attrs.get("value", "") == ""
    assert page.by_id("password_confirmation").attrs.get("value", "") == ""
    assert PASSWORD not in page.html


def test_several_errors_are_all_listed(bondy: Bondy, post_signup: PostSignup) -> None:
    response = post_signup(first_name="", phone="01 48 47 00 00", availability=None)

    page = Page(response.get_data(as_text=True))
    form_index = page.elements.index(page.select("form", action="/inscription")[0])
    summary_links = [
        e.attrs["href"]
        for e in page.elements[:form_index]
        if e.tag == "a" and e.attrs.get("href", "").startswith("#") and e.attrs["href"] != "#main"
    ]
    assert summary_links == ["#first_name", "#phone", "#availability-0-morning"]


def test_input_is_escaped_when_shown_again(bondy: Bondy, post_signup: PostSignup) -> None:
    response = post_signup(first_name='<script>alert("x")</script>', phone="")

    html = response.get_data(as_text=True)
    assert '<script>alert("x")</script>' not in html
    assert Page(html).by_id("first_name").attrs["value"] == '<script>alert("x")</script>'


def test_duplicate_email_looks_like_success(
    client: FlaskClient,
    db_session: Session,
    bondy: Bondy,
    post_signup: PostSignup,
    caplog: pytest.LogCaptureFixture,
) -> None:
    first = post_signup()
    before = _count_rows(db_session)
    caplog.set_level(logging.INFO, logger="webapp.services.signup")
    caplog.clear()

    second = post_signup(
        email="CAMILLE.MARTIN@example.org", first_name="Autre", phone="07 81 23 45 67", home="93140"
    )

    assert (second.status_code, second.headers["Location"]) == (
        first.status_code,
        first.headers["Location"],
    )
    assert second.get_data() == first.get_data()
    assert _count_rows(db_session) == before
    assert db_session.scalars(select(User.first_name)).all() == ["Camille"]
    messages = [
        record.getMessage() for record in caplog.records if record.name == "webapp.services.signup"
    ]
    assert messages == ["sign-up with an already registered e-mail address; nothing created"]
    assert not any("camille" in record.getMessage().lower() for record in caplog.records)


def test_missing_csrf_token_is_rejected(
    client: FlaskClient, db_session: Session, bondy: Bondy
) -> None:
    response = client.post("/inscription", data=signup_data())

    assert response.status_code == 400
    assert "La demande est invalide." in response.get_data(as_text=True)
    assert _count_rows(db_session)["User"] == 0


def test_form_in_english(client: FlaskClient, bondy: Bondy) -> None:
    token = csrf_token(client.get("/").get_data(as_text=True))
    client.post("/langue", data={"locale": "en", "next": "/", "csrf_token": token})

    page = Page(client.get("/inscription").get_data(as_text=True))

    assert page.select("h1")[0].text == "Volunteer for door-to-door canvassing"
    assert [th.text for th in page.select("th", scope="row")][:2] == ["Monday", "Tuesday"]
    assert page.by_id("availability-0-morning").attrs["value"] == "0-morning"
    header_text = " ".join(th.text for th in page.select("th", scope="col"))
    assert (
        header_text == "Morning 9:00 AM–12:30 PM Afternoon 1:30 PM–6:00 PM Evening 6:00 PM–9:00 PM"
    )
