"""The profile page: contact details, availability, preferences and consents."""

from collections.abc import Callable, Mapping
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.factories import make_campaign, make_user
from tests.webapp.accounts.conftest import PASSWORD, Bondy, add_member, post_form
from tests.webapp.accounts.html_page import Page
from webapp.db import utcnow
from webapp.models import AvailabilityException, AvailabilitySlot, Consent, User
from webapp.models.users import Channel, ConsentPurpose, Role
from webapp.services.localtime import PARIS
from webapp.services.profile import PROFILE_CONSENT_WORDING_VERSION

LogIn = Callable[..., TestResponse]
PostSignup = Callable[..., TestResponse]
EMAIL = "camille.martin@example.org"
PROFILE = "/mon-profil"


@pytest.fixture
def camille(
    client: FlaskClient, db_session: Session, bondy: Bondy, post_signup: PostSignup, log_in: LogIn
) -> User:
    """A volunteer signed up through the form, with both consents, and logged in."""
    post_signup()
    log_in(EMAIL)
    return db_session.scalars(select(User).where(User.email == EMAIL)).one()


def _save(client: FlaskClient, action: str, data: Mapping[str, object]) -> TestResponse:
    return post_form(client, PROFILE, action, data)


def _today() -> date:
    return utcnow().astimezone(PARIS).date()


def test_page_shows_what_is_stored(client: FlaskClient, camille: User) -> None:
    response = client.get(PROFILE)

    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert page.by_id("first_name").attrs["value"] == "Camille"
    assert page.by_id("phone").attrs["value"] == "06 12 34 56 78"
    assert page.checked_values("locale") == {"fr"}
    assert page.by_id("current-email").text == EMAIL
    assert "pas encore confirmée" in page.text()
    assert page.checked_values("availability") == {"0-afternoon", "0-evening", "5-morning"}
    assert page.checked_values("experience") == {"experienced"}
    assert page.checked_values("travel_mode") == {"walk"}
    consents = [e.text for e in page.select("p", **{"class": "consent-state"})]
    assert [c.split(",")[0] for c in consents] == ["Oui", "Oui", "Non.", "Non."]
    assert "<script>" not in page.html


def test_contact_details_are_saved(client: FlaskClient, db_session: Session, camille: User) -> None:
    response = _save(
        client,
        "/mon-profil/coordonnees",
        {
            "first_name": "Cam",
            "last_name": "Martin-Diallo",
            "phone": "07 81 23 45 67",
            "locale": "en",
        },
    )

    assert response.headers["Location"] == "/mon-profil#contact"
    db_session.refresh(camille)
    assert (camille.first_name, camille.last_name, camille.phone_e164, camille.locale) == (
        "Cam",
        "Martin-Diallo",
        "+33781234567",
        "en",
    )
    page = Page(client.get(PROFILE).get_data(as_text=True))
    assert page.select("h1")[0].text == "My profile"
    assert "Your contact details are saved." in page.html


def test_removing_the_phone_withdraws_sms_consent(
    client: FlaskClient, db_session: Session, camille: User
) -> None:
    _save(
        client,
        "/mon-profil/coordonnees",
        {"first_name": "Camille", "last_name": "Martin", "phone": "", "locale": "fr"},
    )

    db_session.refresh(camille)
    assert camille.phone_e164 is None
    assert not camille.has_consent(Channel.SMS)
    assert camille.has_consent(Channel.EMAIL)
    latest = camille.consents[-1]
    assert (latest.channel, latest.is_granted, latest.source) == (Channel.SMS, False, "profile")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"phone": "01 48 47 00 00"},
            "phone",
            "Indiquez un numéro de mobile : un téléphone fixe ne peut pas recevoir nos SMS.",
        ),
        (
            {"phone": "06 12"},
            "phone",
            "Indiquez un numéro de mobile valide, par exemple 06 12 34 56 78.",
        ),
        ({"first_name": ""}, "first_name", "Indiquez votre prénom."),
        (
            {"first_name": "Cam\x07ille"},
            "first_name",
            "Retirez les caractères invisibles ou de contrôle de ce champ.",
        ),
        (
            {"last_name": "\u202eMartin"},
            "last_name",
            "Retirez les caractères invisibles ou de contrôle de ce champ.",
        ),
        ({"locale": "de"}, "locale", "Choisissez le français ou l’anglais."),
    ],
)
def test_bad_contact_details_are_explained(
    *,
    client: FlaskClient,
    db_session: Session,
    camille: User,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    data = {
        "first_name": "Camille",
        "last_name": "Martin",
        "phone": "06 12 34 56 78",
        "locale": "fr",
    }

    response = _save(client, "/mon-profil/coordonnees", {**data, **changes})

    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert page.by_id(f"{field}-error").text == f"Erreur : {message}"
    # The other sections still show what is stored.
    assert page.checked_values("availability") == {"0-afternoon", "0-evening", "5-morning"}
    db_session.refresh(camille)
    assert camille.phone_e164 == "+33612345678"


def test_weekly_grid_replaces_the_slots(
    client: FlaskClient, db_session: Session, camille: User
) -> None:
    response = _save(
        client,
        "/mon-profil/disponibilites",
        {"availability": ["2-morning", "2-afternoon", "6-evening"]},
    )

    assert response.headers["Location"] == "/mon-profil#weekly"
    slots = db_session.scalars(
        select(AvailabilitySlot)
        .where(AvailabilitySlot.user_id == camille.id)
        .order_by(AvailabilitySlot.weekday)
    ).all()
    assert [(s.weekday, s.start_minute, s.end_minute) for s in slots] == [
        (2, 540, 750),
        (2, 810, 1080),
        (6, 1080, 1260),
    ]


def test_empty_grid_is_refused(client: FlaskClient, db_session: Session, camille: User) -> None:
    response = _save(client, "/mon-profil/disponibilites", {})

    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert page.by_id("availability-error").text == (
        "Erreur : Cochez au moins un créneau où vous êtes disponible."
    )
    assert len(db_session.scalars(select(AvailabilitySlot)).all()) == 2


def test_dated_exceptions_are_added_and_removed(
    client: FlaskClient, db_session: Session, camille: User
) -> None:
    holiday = _today() + timedelta(days=10)
    extra = _today() + timedelta(days=12)

    _save(client, "/mon-profil/exceptions", {"on_date": holiday.isoformat(), "kind": "unavailable"})
    response = _save(
        client,
        "/mon-profil/exceptions",
        {
            "on_date": extra.isoformat(),
            "kind": "available",
            "start_time": "14:00",
            "end_time": "17:30",
        },
    )

    assert response.headers["Location"] == "/mon-profil#exceptions"
    rows = db_session.scalars(
        select(AvailabilityException).order_by(AvailabilityException.on_date)
    ).all()
    assert [(r.on_date, r.start_minute, r.end_minute, r.is_available) for r in rows] == [
        (holiday, None, None, False),
        (extra, 840, 1050, True),
    ]
    items = Page(client.get(PROFILE).get_data(as_text=True)).by_id("exception-list").text
    assert "pas disponible" in items
    assert "14:00–17:30 : disponible" in items

    _save(client, f"/mon-profil/exceptions/{rows[0].id}/supprimer", {})

    remaining = db_session.scalars(select(AvailabilityException.on_date)).all()
    assert remaining == [extra]


def test_someone_elses_exception_stays(
    client: FlaskClient, db_session: Session, camille: User
) -> None:
    other = make_user(db_session, email="lea@example.org")
    exception = AvailabilityException(user_id=other.id, on_date=_today(), is_available=False)
    db_session.add(exception)
    db_session.commit()

    _save(client, f"/mon-profil/exceptions/{exception.id}/supprimer", {})

    assert db_session.get(AvailabilityException, exception.id) is not None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"on_date": ""}, "on_date", "Indiquez une date."),
        ({"on_date": "14/03/2027"}, "on_date", "Indiquez une date, par exemple 2027-03-14."),
        ({"on_date": "2027-02-30"}, "on_date", "Indiquez une date, par exemple 2027-03-14."),
        ({"on_date": "PAST"}, "on_date", "Choisissez aujourd’hui ou une date à venir."),
        ({"on_date": "FAR"}, "on_date", "Choisissez une date dans l’année qui vient."),
        (
            {"start_time": "14:00"},
            "end_time",
            "Indiquez les deux heures, ou aucune pour toute la journée.",
        ),
        (
            {"start_time": "14:00", "end_time": "13:00"},
            "end_time",
            "La fin doit venir après le début.",
        ),
        (
            {"start_time": "25:00", "end_time": "26:00"},
            "start_time",
            "Indiquez une heure, par exemple 14:30.",
        ),
        ({"kind": "peut-être"}, "kind", "Dites si vous êtes disponible."),
    ],
)
def test_bad_exceptions_are_explained(
    *,
    client: FlaskClient,
    db_session: Session,
    camille: User,
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    dates = {"PAST": _today() - timedelta(days=1), "FAR": _today() + timedelta(days=400)}
    form = {"on_date": (_today() + timedelta(days=3)).isoformat(), "kind": "unavailable", **data}
    if form["on_date"] in dates:
        form["on_date"] = dates[form["on_date"]].isoformat()

    response = _save(client, "/mon-profil/exceptions", form)

    assert response.status_code == 422
    assert (
        Page(response.get_data(as_text=True)).by_id(f"{field}-error").text == f"Erreur : {message}"
    )
    assert db_session.scalars(select(AvailabilityException)).all() == []


def _preferences(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "experience": "first_time",
        "partner_email": "",
        "languages": ["ar", "en"],
        "other_languages": "wo, LN",
        "max_travel_minutes": "30",
        "travel_mode": "transit",
    }
    data.update(changes)
    return data


def test_preferences_are_saved(
    client: FlaskClient, db_session: Session, bondy: Bondy, camille: User
) -> None:
    partner = add_member(db_session, bondy.campaign, Role.VOLUNTEER, "lea@example.org")

    response = _save(
        client, "/mon-profil/preferences", _preferences(partner_email=" Lea@Example.org ")
    )

    assert response.headers["Location"] == "/mon-profil#preferences"
    db_session.refresh(camille)
    profile = camille.profile
    assert profile is not None
    assert (profile.is_experienced, profile.partner_user_id, profile.languages) == (
        False,
        partner.id,
        ["ar", "en", "ln", "wo"],
    )
    assert (profile.max_travel_minutes, profile.travel_mode) == (30, "transit")
    page = Page(client.get(PROFILE).get_data(as_text=True))
    assert page.by_id("partner_email").attrs["value"] == "lea@example.org"
    assert page.checked_values("languages") == {"ar", "en"}
    assert page.by_id("other_languages").attrs["value"] == "ln, wo"
    assert "Autres langues indiquées : Lingala, Wolof" in page.text()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"partner_email": "personne@example.org"},
            "partner_email",
            "Aucun ou aucune bénévole de cette campagne n’utilise cette adresse.",
        ),
        (
            {"partner_email": EMAIL},
            "partner_email",
            "Indiquez l’adresse d’une autre personne bénévole, pas la vôtre.",
        ),
        (
            {"partner_email": "ailleurs@example.org"},
            "partner_email",
            "Aucun ou aucune bénévole de cette campagne n’utilise cette adresse.",
        ),
        (
            {"partner_email": "pas une adresse"},
            "partner_email",
            "Indiquez une adresse e-mail valide, par exemple nom@exemple.fr.",
        ),
        (
            {"other_languages": "xx"},
            "other_languages",
            "Utilisez des codes de langue à deux lettres (ISO 639-1), comme wo ou ln, 10 au plus.",
        ),
        (
            {"other_languages": "wolof"},
            "other_languages",
            "Utilisez des codes de langue à deux lettres (ISO 639-1), comme wo ou ln, 10 au plus.",
        ),
        ({"languages": ["ar", "<b>"]}, "languages", "Choisissez parmi les langues proposées."),
        ({"max_travel_minutes": "500"}, "max_travel_minutes", "Indiquez entre 5 et 120 minutes."),
        (
            {"max_travel_minutes": "½"},
            "max_travel_minutes",
            "Indiquez un nombre de minutes, par exemple 30.",
        ),
        (
            {"max_travel_minutes": "٣٠"},
            "max_travel_minutes",
            "Indiquez un nombre de minutes, par exemple 30.",
        ),
        ({"travel_mode": "car"}, "travel_mode", "Choisissez à pied ou en transports en commun."),
    ],
)
def test_bad_preferences_are_explained(
    *,
    client: FlaskClient,
    db_session: Session,
    camille: User,
    changes: dict[str, object],
    field: str,
    message: str,
) -> None:
    elsewhere = make_campaign(db_session, name="Autre campagne")
    make_user(db_session, email="ailleurs@example.org", campaign=elsewhere)
    db_session.commit()

    response = _save(client, "/mon-profil/preferences", _preferences(**changes))

    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert page.by_id(f"{field}-error").text == f"Erreur : {message}"
    db_session.refresh(camille)
    assert camille.profile is not None and camille.profile.travel_mode == "walk"


def test_staff_without_profile_saves_preferences(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn
) -> None:
    user = add_member(db_session, bondy.campaign, Role.TEAM_LEAD, "chef@example.org")
    log_in("chef@example.org")

    _save(client, "/mon-profil/preferences", _preferences(experience="experienced"))

    db_session.refresh(user)
    assert user.profile is not None and user.profile.is_experienced


def _consent(client: FlaskClient, purpose: str, channel: str, decision: str) -> TestResponse:
    return _save(
        client,
        "/mon-profil/consentements",
        {"purpose": purpose, "channel": channel, "decision": decision},
    )


def test_withdrawal_is_one_click_and_a_new_row(
    client: FlaskClient, db_session: Session, camille: User
) -> None:
    response = _consent(client, "canvass_messages", "sms", "withdraw")

    assert response.headers["Location"] == "/mon-profil#messages"
    db_session.refresh(camille)
    rows = [
        (c.purpose, c.channel, c.is_granted, c.source, c.wording_version) for c in camille.consents
    ]
    assert rows[-1] == (
        ConsentPurpose.CANVASS_MESSAGES,
        Channel.SMS,
        False,
        "profile",
        PROFILE_CONSENT_WORDING_VERSION,
    )
    # The sign-up consent stays as proof.
    assert (rows[1][2], rows[1][3]) == (True, "signup_form")
    assert not camille.has_consent(Channel.SMS)
    page = Page(client.get(PROFILE).get_data(as_text=True))
    assert "C’est fait : nous ne vous écrirons plus de cette façon." in page.text()
    item = page.by_id("consent-canvass_messages-sms")
    assert "Non." in item.text
    assert "J’accepte" in item.text


def test_stay_in_touch_is_given_on_its_own(
    client: FlaskClient, db_session: Session, camille: User
) -> None:
    _consent(client, "stay_in_touch", "email", "grant")

    db_session.refresh(camille)
    assert camille.has_consent(Channel.EMAIL, ConsentPurpose.STAY_IN_TOUCH)
    assert not camille.has_consent(Channel.SMS, ConsentPurpose.STAY_IN_TOUCH)
    latest = camille.consents[-1]
    assert latest.created_at.tzinfo is not None


@pytest.mark.parametrize(
    ("purpose", "channel", "decision"),
    [
        ("canvass_messages", "fax", "grant"),
        ("marketing", "email", "grant"),
        ("canvass_messages", "email", "maybe"),
        ("", "", ""),
    ],
)
def test_unknown_consent_choices_store_nothing(
    *,
    client: FlaskClient,
    db_session: Session,
    camille: User,
    purpose: str,
    channel: str,
    decision: str,
) -> None:
    response = _consent(client, purpose, channel, decision)

    assert response.status_code == 422
    assert "Ce choix n’a pas pu être enregistré." in Page(response.get_data(as_text=True)).text()
    assert len(db_session.scalars(select(Consent)).all()) == 2


def test_sms_consent_needs_a_phone(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn
) -> None:
    make_user(
        db_session,
        email="sans@example.org",
        password=PASSWORD,
        phone_e164=None,
        campaign=bondy.campaign,
    )
    db_session.commit()
    log_in("sans@example.org")

    response = _consent(client, "canvass_messages", "sms", "grant")

    assert response.status_code == 422
    assert "Ajoutez d’abord votre numéro de mobile" in Page(response.get_data(as_text=True)).text()
    assert db_session.scalars(select(Consent)).all() == []
