"""The broadcast form shows the sending time and refuses a time the sending cannot keep.

Expected sentences are rendered by the label functions in the page's locale, so these
tests hold with or without the French catalogue of the new sentences.
"""

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from messaging.push_window import PushRules, is_push_allowed
from messaging.send_timing import SendTiming, TimingProblem
from messaging.silence import silence_period
from tests.webapp.accounts.html_page import Page, csrf_token
from tests.webapp.broadcasts.conftest import PostForm, form_data
from tests.webapp.broadcasts.crew import Crew
from webapp.broadcasts.timing_labels import duration_label, timing_problem_label
from webapp.db import utcnow
from webapp.models import Broadcast
from webapp.services.localtime import local_to_utc
from webapp.settings import Settings


@pytest.fixture
def sms_rate() -> float:
    """SMS segments a second: the four SMS recipients of one segment take 2,000 s."""
    return 0.002


@pytest.fixture
def settings(settings: Settings, sms_rate: float) -> Settings:
    return replace(settings, sms_rate_per_s=sms_rate)


def spaced(text: str) -> str:
    return " ".join(text.split())


def problem_text(app: Flask, timing: SendTiming) -> str:
    with app.test_request_context():
        return spaced(timing_problem_label(timing))


def placeholder_timing(**fields: object) -> SendTiming:
    """A timing whose instants the sentence under test does not use."""
    moment = utcnow()
    values: dict[str, object] = {
        "units": 4,
        "rate_per_s": 0.001,
        "validity_period_s": 3600,
        "duration_s": 4000.0,
        "requested_at": moment,
        "starts_at": moment,
        "ends_at": moment,
        "window_closes_at": moment,
        **fields,
    }
    return SendTiming(**values)  # type: ignore[arg-type]


def open_morning() -> datetime:
    """Return 10:00, Paris time, of the first open day a week or more from today."""
    day = utcnow().date() + timedelta(days=7)
    while not is_push_allowed(local_to_utc(datetime.combine(day, time(10))), PushRules()):
        day += timedelta(days=1)
    return datetime.combine(day, time(10))


def test_preview_shows_sending_time(app: Flask, post_form: PostForm) -> None:
    morning = open_morning()

    response = post_form(intent="preview", send_day=morning.strftime("%d/%m/%Y"), send_time="10:00")

    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    with app.test_request_context():
        expected = duration_label(2000.0)
    assert page.by_id("estimate-duration").text == spaced(expected)
    assert page.by_id("estimate-end").text != ""
    assert not page.has_id("estimate-problem")


@pytest.mark.parametrize("sms_rate", [0.001])
def test_send_beyond_validity_refused(app: Flask, post_form: PostForm, db_session: Session) -> None:
    response = post_form(intent="send")

    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    expected = problem_text(app, placeholder_timing(problem=TimingProblem.EXCEEDS_VALIDITY))
    assert page.by_id("send_day-error").text.endswith(expected)
    assert page.by_id("estimate-problem").text == expected
    assert db_session.scalars(select(Broadcast)).all() == []


def eve_of_round(db_session: Session, crew: Crew) -> tuple[date, datetime]:
    """Put a round 40 days ahead; return its day and 10:00 on its eve, as the form types it."""
    round_day = utcnow().date() + timedelta(days=40)
    crew.campaign.first_round_on = round_day
    db_session.commit()
    return round_day, datetime.combine(round_day - timedelta(days=1), datetime.min.time())


def test_schedule_in_silence_refused(
    app: Flask, post_form: PostForm, db_session: Session, crew: Crew
) -> None:
    round_day, eve = eve_of_round(db_session, crew)

    response = post_form(send_day=eve.strftime("%d/%m/%Y"), send_time="10:00")

    assert response.status_code == 422
    expected = problem_text(
        app,
        placeholder_timing(problem=TimingProblem.INTO_SILENCE, silence=silence_period(round_day)),
    )
    page = Page(response.get_data(as_text=True))
    assert page.by_id("send_day-error").text.endswith(expected)
    assert db_session.scalars(select(Broadcast)).all() == []


def test_estimate_endpoint_shows_problem(
    app: Flask, coordinator_client: FlaskClient, db_session: Session, crew: Crew
) -> None:
    round_day, eve = eve_of_round(db_session, crew)
    html = coordinator_client.get("/diffusions/nouvelle").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(html),
        **form_data(send_day=eve.strftime("%d/%m/%Y"), send_time="10:00"),
    }

    response = coordinator_client.post("/diffusions/estimation", data=data)

    page = Page(f"<main>{response.get_json()['html']}</main>")
    expected = problem_text(
        app,
        placeholder_timing(problem=TimingProblem.INTO_SILENCE, silence=silence_period(round_day)),
    )
    assert page.by_id("estimate-problem").text == expected
    with app.test_request_context():
        assert page.by_id("estimate-duration").text == spaced(duration_label(2000.0))
