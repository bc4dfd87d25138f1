from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import make_campaign, make_user
from webapp.models.users import Role
from webapp.security import content_security_policy, tile_source
from webapp.settings import Settings


def test_public_page_headers(client: FlaskClient) -> None:
    response = client.get("/")

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "Strict-Transport-Security" not in response.headers


def test_logged_in_pages_not_cached(client: FlaskClient, db_session: Session) -> None:
    campaign = make_campaign(db_session)
    user = make_user(db_session, campaign=campaign, role=Role.VOLUNTEER, email="v@example.org")
    db_session.commit()
    with client.session_transaction() as browser_session:
        browser_session["_user_id"] = str(user.id)

    response = client.get("/")

    assert response.headers["Cache-Control"] == "no-store"


def test_tile_host_allowed_for_images() -> None:
    settings = Settings(map_tile_url="https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png")

    assert tile_source(settings.map_tile_url) == "https://*.tile.openstreetmap.org"
    assert "img-src 'self' data: https://*.tile.openstreetmap.org" in content_security_policy(
        settings
    )


def test_production_sends_hsts(settings: Settings) -> None:
    from dataclasses import replace

    from webapp import create_app

    production = replace(settings, environment="production", is_queue_synchronous=False)
    app = create_app(production)

    response = app.test_client().get("/")

    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_nul_byte_in_path_refused(client: FlaskClient) -> None:
    assert client.get("/parcours/%00").status_code == 400


def test_nul_byte_in_query_refused(client: FlaskClient) -> None:
    assert client.get("/?q=%00").status_code == 400


def test_nul_byte_in_form_refused(client: FlaskClient) -> None:
    response = client.post("/connexion", data={"email": "a\x00@example.org", "password": "x"})

    assert response.status_code == 400
