"""Fixtures of the broadcast pages: the crew a month ahead, a logged-in coordinator."""

import re
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.webapp.accounts.html_page import csrf_token
from tests.webapp.broadcasts.crew import Crew, seed_crew
from webapp.db import utcnow
from webapp.models import User

PostForm = Callable[..., TestResponse]
GSM_TEXT = "Tournee: porte-a-porte samedi. STOP au 36180"


@pytest.fixture
def crew(db_session: Session) -> Crew:
    """The crew with its first session a month from today, so every session is ahead."""
    crew = seed_crew(db_session, utcnow().date() + timedelta(days=30))
    db_session.commit()
    return crew


def log_in(client: FlaskClient, user: User) -> None:
    """Put the user in the session cookie as a finished login does, second factor included."""
    with client.session_transaction() as cookie:
        cookie["_user_id"] = str(user.id)
        cookie["_fresh"] = True
        cookie["second_factor_at"] = int(time.time())


@pytest.fixture
def coordinator_client(client: FlaskClient, crew: Crew) -> FlaskClient:
    log_in(client, crew.coordinator)
    return client


def form_data(**changes: object) -> dict[str, object]:
    """Return a valid SMS broadcast to every volunteer, sent now, with `changes` applied."""
    data: dict[str, object] = {
        "channel": "sms",
        "segment": "all",
        "session_id": "",
        "iris_code": "",
        "date_from": "",
        "date_to": "",
        "subject": "",
        "body": GSM_TEXT,
        "send_day": "",
        "send_time": "",
        "intent": "send",
    }
    data.update(changes)
    return data


@pytest.fixture
def post_form(coordinator_client: FlaskClient) -> PostForm:
    """Open the form, then post it with its CSRF token and submission key."""

    def post(**changes: object) -> TestResponse:
        html = coordinator_client.get("/diffusions/nouvelle").get_data(as_text=True)
        data: dict[str, object] = {
            "csrf_token": csrf_token(html),
            "submission_key": submission_key(html),
            **form_data(**changes),
        }
        return coordinator_client.post("/diffusions/nouvelle", data=data)

    return post


def submission_key(html: str) -> str:
    """Return the submission key hidden in the form."""
    match = re.search(r'name="submission_key"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="submission_key"', html
    )
    assert match is not None, "no submission key on the page"
    return match.group(1)
