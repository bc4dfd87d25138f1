"""The laptop demo's coordinator logs in with the code `flask demo totp-code` prints."""

from dataclasses import replace
from datetime import datetime

import pyotp
import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import SAMPLE_DIR
from tests.webapp.accounts.html_page import csrf_token
from webapp.db import db_session
from webapp.services.demo import COORDINATOR_EMAIL, DemoSetup, build_demo


@pytest.fixture
def demo(demo_app: Flask) -> DemoSetup:
    with demo_app.app_context():
        setup = build_demo(db_session(), SAMPLE_DIR, datetime(2027, 3, 8, 10, 5))
        db_session().commit()
    return setup


def _post(client: FlaskClient, path: str, data: dict[str, str]) -> str:
    token = csrf_token(client.get(path).get_data(as_text=True))
    response = client.post(path, data={**data, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def _totp_code_command(app: Flask) -> Result:
    # The `flask` command pushes an app context around each command; the runner does not.
    with app.app_context():
        return app.test_cli_runner().invoke(args=["demo", "totp-code"])


def _printed_code(app: Flask) -> str:
    result = _totp_code_command(app)
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_demo_coordinator_logs_in_with_printed_code(demo_app: Flask, demo: DemoSetup) -> None:
    client = demo_app.test_client()
    login = {"email": demo.coordinator_email, "password": demo.coordinator_password}

    assert _post(client, "/connexion?next=/ciblage/", login) == "/connexion/code"
    totp = pyotp.TOTP(demo.coordinator_totp_secret)
    before = totp.now()
    code = _printed_code(demo_app)
    after = totp.now()

    assert code in {before, after}
    assert _post(client, "/connexion/code", {"code": code}) == "/ciblage/"
    assert client.get("/ciblage/").status_code == 200
    # The demo's address is counted as confirmed: no reminder to open a link never sent.
    assert 'id="verify-notice"' not in client.get("/mon-espace").get_data(as_text=True)


@pytest.mark.parametrize(
    "changes",
    [
        {"environment": "test"},
        {"environment": "production"},
        {"database_url": "postgresql+psycopg://postgres@127.0.0.1:5432/tournee"},
    ],
)
def test_code_refused_outside_the_demo(
    demo_app: Flask, demo: DemoSetup, changes: dict[str, str]
) -> None:
    # Only the settings the command reads change; the demo's database stays behind them.
    demo_app.extensions["tournee.settings"] = replace(
        demo_app.extensions["tournee.settings"], **changes
    )

    result = _totp_code_command(demo_app)

    assert result.exit_code == 1
    assert "runs only on the demo" in result.output
    assert pyotp.TOTP(demo.coordinator_totp_secret).now() not in result.output


def test_code_needs_the_demo_coordinator(demo_app: Flask) -> None:
    result = _totp_code_command(demo_app)

    assert result.exit_code == 1
    assert f"no demo coordinator ({COORDINATOR_EMAIL})" in result.output
