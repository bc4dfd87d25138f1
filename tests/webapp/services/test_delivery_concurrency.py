"""Concurrent workers on a committed database: one send per message, none after a STOP."""

import random
import threading
import time
from collections.abc import Iterator

import pytest
from redis import Redis
from sqlalchemy import select
from sqlalchemy.engine import Engine

from tests.fakes.provider_server import FakeProviderServer
from tests.webapp.services.delivery_support import (
    CommittedApp,
    clean_redis,
    committed_app,
    make_campaign,
    make_message,
    make_volunteer,
    provider_settings,
    run_worker,
)
from tests.webapp.webhooks.callbacks import TWILIO_INBOUND_PATH, inbound_form, post_twilio
from webapp.jobs.dispatch import enqueue_messages
from webapp.jobs.messages import send_message
from webapp.models import Message
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.services.delivery import deliver_message
from webapp.settings import Settings

STOPPING_NUMBER = "+33639911111"


@pytest.fixture
def redis_connection() -> Iterator[Redis]:
    yield from clean_redis()


@pytest.fixture
def live(
    settings: Settings,
    provider_server: FakeProviderServer,
    database_engine: Engine,
    redis_connection: Redis,
) -> Iterator[CommittedApp]:
    yield from committed_app(provider_settings(settings, provider_server), database_engine)


def add_messages(live: CommittedApp, count: int, *, phone: str | None = None) -> list[int]:
    with live.app.app_context():
        session = live.session()
        campaign = make_campaign(session)
        users = [make_volunteer(session, phone=phone)] if phone else []
        messages = [
            make_message(
                session,
                campaign,
                users[0] if users else make_volunteer(session),
                purpose=MessagePurpose.SESSION_REMINDER,
                body=f"Rappel {index} : session samedi à 9 h 30.",
            )
            for index in range(count)
        ]
        session.commit()
        ids = [message.id for message in messages]
        session.close()
    return ids


def in_threads(count: int, target: object) -> None:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            target(index)  # type: ignore[operator]
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


def statuses(live: CommittedApp, ids: list[int]) -> list[str]:
    with live.app.app_context():
        session = live.session()
        found = session.scalars(select(Message.status).where(Message.id.in_(ids))).all()
        session.close()
    return sorted(found)


def test_double_submit_sends_once(
    live: CommittedApp, provider_server: FakeProviderServer, redis_connection: Redis
) -> None:
    ids = add_messages(live, 20)

    def submit(_index: int) -> None:
        enqueue_messages(live.settings, [(message_id, None) for message_id in ids])

    in_threads(2, submit)
    run_worker(live.app, redis_connection)

    assert len(provider_server.send_requests) == 20
    assert sorted(request.body["To"] for request in provider_server.send_requests) == sorted(
        {request.body["To"] for request in provider_server.send_requests}
    )
    assert statuses(live, ids) == ["sent"] * 20


def test_two_workers_on_the_same_jobs_send_once(
    live: CommittedApp, provider_server: FakeProviderServer
) -> None:
    ids = add_messages(live, 30)

    def work(index: int) -> None:
        order = list(ids)
        random.Random(index).shuffle(order)
        with live.app.app_context():
            for message_id in order:
                send_message(message_id)

    in_threads(2, work)

    assert len(provider_server.send_requests) == 30
    assert statuses(live, ids) == ["sent"] * 30


@pytest.mark.parametrize("seed", range(6))
def test_nothing_reaches_a_number_after_its_stop(
    live: CommittedApp, provider_server: FakeProviderServer, seed: int
) -> None:
    rng = random.Random(seed)
    ids = add_messages(live, 40, phone=STOPPING_NUMBER)
    started = threading.Event()

    def work(index: int) -> None:
        order = list(ids)
        random.Random(seed * 10 + index).shuffle(order)
        started.set()
        with live.app.app_context():
            session = live.session()
            for message_id in order:
                deliver_message(session, message_id)
            session.close()

    workers = threading.Thread(target=in_threads, args=(2, work))
    workers.start()
    started.wait(timeout=10)
    time.sleep(rng.uniform(0.0, 0.3))
    response = post_twilio(
        live.app.test_client(),
        TWILIO_INBOUND_PATH,
        inbound_form(f"SMstop{seed}", STOPPING_NUMBER, "STOP"),
    )
    sent_before_stop = len(provider_server.send_requests)
    workers.join(timeout=120)

    assert response.status_code == 200
    assert len(provider_server.send_requests) == sent_before_stop
    final = statuses(live, ids)
    assert final.count("sent") == sent_before_stop
    assert set(final) <= {"sent", "suppressed"}
    assert not workers.is_alive()


def test_stop_before_any_send_withdraws_the_whole_batch(
    live: CommittedApp, provider_server: FakeProviderServer
) -> None:
    ids = add_messages(live, 10, phone=STOPPING_NUMBER)
    post_twilio(
        live.app.test_client(),
        TWILIO_INBOUND_PATH,
        inbound_form("SMstop-early", STOPPING_NUMBER, "STOP"),
    )

    with live.app.app_context():
        session = live.session()
        results = [deliver_message(session, message_id).status for message_id in ids]
        session.close()

    assert results == [MessageStatus.SUPPRESSED] * 10
    assert provider_server.send_requests == []
