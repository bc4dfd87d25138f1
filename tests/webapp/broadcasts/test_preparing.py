"""A broadcast whose rows a job has not written yet shows as preparing, and the page polls on.

The preparation goes through Redis here, so the pages are read before the worker runs.
Expected labels are rendered in the page's locale, so the tests hold with or without the
French catalogue of the new label.
"""

from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select
from sqlalchemy.orm import Session

from messaging.queues import DEFAULT_QUEUE
from tests.webapp.accounts.html_page import Page
from tests.webapp.broadcasts.conftest import PostForm
from tests.webapp.services.delivery_support import clean_redis
from webapp.broadcasts.labels import STATES
from webapp.models import Broadcast
from webapp.models.messaging import BroadcastStatus
from webapp.settings import Settings

EMPTY_PROGRESS = {
    "total": 0,
    "queued": 0,
    "sending": 0,
    "sent": 0,
    "delivered": 0,
    "failed": 0,
    "failed_by_reason": {},
    "suppressed_by_reason": {},
    "suppressed": 0,
    "opted_out": 0,
    "withdrawn": 0,
    "percent_done": 0,
    "is_complete": False,
    "state": "preparing",
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, is_queue_synchronous=False)


@pytest.fixture
def redis_connection() -> Iterator[Redis]:
    yield from clean_redis()


def preparing_label(app: Flask) -> str:
    with app.test_request_context():
        return " ".join(str(STATES["preparing"]).split())


def spaced(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def run_preparations(app: Flask, connection: Redis) -> None:
    with app.app_context():
        queue = Queue(DEFAULT_QUEUE, connection=connection)
        SimpleWorker([queue], connection=connection).work(burst=True)


def test_progress_json_while_preparing(
    app: Flask,
    post_form: PostForm,
    coordinator_client: FlaskClient,
    db_session: Session,
    redis_connection: Redis,
) -> None:
    post_form()
    broadcast = db_session.scalars(select(Broadcast)).one()
    url = f"/diffusions/{broadcast.id}/progression"

    preparing = coordinator_client.get(url).get_json()
    run_preparations(app, redis_connection)
    prepared = coordinator_client.get(url).get_json()

    assert broadcast.status == BroadcastStatus.PREPARING
    assert {key: preparing[key] for key in EMPTY_PROGRESS} == EMPTY_PROGRESS
    assert preparing["state_label"] == preparing_label(app)
    assert spaced(preparing["percent_label"]) == "0 %"
    assert 'id="progress-preparing"' in preparing["html"]
    # The send jobs wait on the messages queue, which no worker runs here.
    assert {key: prepared[key] for key in ("total", "queued", "state", "is_complete")} == {
        "total": 4,
        "queued": 4,
        "state": "sending",
        "is_complete": False,
    }
    assert 'id="progress-preparing"' not in prepared["html"]


def test_pages_while_preparing(
    app: Flask,
    post_form: PostForm,
    coordinator_client: FlaskClient,
    db_session: Session,
    redis_connection: Redis,
) -> None:
    post_form()
    broadcast = db_session.scalars(select(Broadcast)).one()

    page = Page(coordinator_client.get(f"/diffusions/{broadcast.id}").get_data(as_text=True))
    listing = Page(coordinator_client.get("/diffusions/").get_data(as_text=True))

    label = preparing_label(app)
    assert page.by_id("broadcast-progress").attrs["data-complete"] == "false"
    assert page.by_id("progress-bar").attrs["value"] == "0"
    assert spaced(page.by_id("broadcast-state").text) == label
    assert spaced(page.by_id("progress-preparing").text) == label
    assert spaced(listing.by_id(f"broadcast-{broadcast.id}").text).endswith(f"4 {label}")
