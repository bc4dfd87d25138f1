import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import make_campaign, make_user
from webapp import create_app
from webapp.models.users import Role
from webapp.settings import Settings, SettingsError


def test_home_page_is_french(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="fr">' in response.get_data(as_text=True)
    assert "Devenir bénévole" in response.get_data(as_text=True)


def test_language_switch_to_english(client: FlaskClient) -> None:
    page = client.get("/")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/langue", data={"locale": "en", "next": "/", "csrf_token": token})
    assert response.status_code == 302
    assert "Sign up as a volunteer" in client.get("/").get_data(as_text=True)


def test_form_without_csrf_token_rejected(client: FlaskClient) -> None:
    response = client.post("/langue", data={"locale": "en"})
    assert response.status_code == 400


def test_unknown_page_gives_french_404(client: FlaskClient) -> None:
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Cette page n’existe pas." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "variable"),
    [
        ({}, "TOURNEE_SECRET_KEY"),
        ({"secret_key": "short"}, "TOURNEE_SECRET_KEY"),
        ({"secret_key": "x" * 40, "is_debug": True}, "TOURNEE_IS_DEBUG"),
        (
            {"secret_key": "x" * 40, "message_backend": "providers", "is_queue_synchronous": False},
            "TOURNEE_TWILIO_ACCOUNT_SID",
        ),
    ],
)
def test_production_rejects_unsafe_settings(changes: dict[str, object], variable: str) -> None:
    settings = Settings(environment="production", **changes)  # type: ignore[arg-type]
    with pytest.raises(SettingsError, match=variable):
        create_app(settings)


def test_settings_from_environment() -> None:
    settings = Settings.from_env(
        {
            "TOURNEE_DATABASE_URL": "sqlite:///x.db",
            "TOURNEE_IS_DEBUG": "true",
            "TOURNEE_ROUTE_TOKEN_DAYS": "3",
        }
    )
    assert settings.database_url == "sqlite:///x.db"
    assert settings.is_debug is True
    assert settings.route_token_days == 3
    with pytest.raises(SettingsError, match="TOURNEE_ROUTE_TOKEN_DAYS"):
        Settings.from_env({"TOURNEE_ROUTE_TOKEN_DAYS": "three"})


def test_planning_thread_needs_the_synchronous_queue() -> None:
    threaded = Settings.from_env({"TOURNEE_IS_PLANNING_THREADED": "true"})
    threaded.validate()
    assert (threaded.is_planning_threaded, threaded.is_queue_synchronous) == (True, True)
    with pytest.raises(SettingsError, match="TOURNEE_IS_PLANNING_THREADED needs"):
        Settings(is_planning_threaded=True, is_queue_synchronous=False).validate()


def test_volunteer_nav_hides_coordinator_pages(client: FlaskClient, db_session: Session) -> None:
    campaign = make_campaign(db_session)
    volunteer = make_user(db_session, campaign=campaign, role=Role.VOLUNTEER, email="v@example.org")
    db_session.commit()
    with client.session_transaction() as browser_session:
        browser_session["_user_id"] = str(volunteer.id)

    html = client.get("/").get_data(as_text=True)

    assert "/mon-espace" in html
    assert "/ciblage/" not in html
    assert "/planification/sessions" not in html


@pytest.mark.parametrize(
    "sender", ["+33612345678", "+33 7 12 34 56 78", "0612345678", "0033712345678"]
)
def test_french_mobile_sender_rejected(sender: str) -> None:
    with pytest.raises(SettingsError, match="French mobile number"):
        Settings(twilio_sender=sender).validate()


@pytest.mark.parametrize("sender", ["Tournee", "MaCampagne", "36180", "+14155550100"])
def test_valid_sender_accepted(sender: str) -> None:
    Settings(twilio_sender=sender).validate()


def test_long_alphanumeric_sender_rejected() -> None:
    with pytest.raises(SettingsError, match="1 to 11 letters"):
        Settings(twilio_sender="Campagne2027Bondy").validate()


def test_privacy_notice_in_french(client: FlaskClient, db_session: Session) -> None:
    make_campaign(db_session)
    db_session.commit()

    html = client.get("/confidentialite").get_data(as_text=True)

    assert "Responsable du traitement" in html
    assert "Twilio" in html
    assert "SendGrid" in html
    assert "CNIL" in html
    assert "article 9.2.a" in html


def test_every_page_links_the_notice(client: FlaskClient) -> None:
    assert 'href="/confidentialite"' in client.get("/").get_data(as_text=True)
