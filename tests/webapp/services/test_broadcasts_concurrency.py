"""Twenty requests submit the same broadcast form at once: one broadcast, one preparation.

The requests commit for real, each on its own connection, so this test works on committed
rows of the test database and empties its tables afterwards.
"""

import threading
from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.webapp.broadcasts.crew import Crew, seed_crew
from webapp import create_app
from webapp.db import Base
from webapp.models import Broadcast, Message
from webapp.models.messaging import BroadcastStatus
from webapp.models.users import Channel
from webapp.services.broadcast_segments import Segment, SegmentKind
from webapp.services.broadcasts import BroadcastDraft, create_broadcast
from webapp.settings import Settings

SUBMITS = 20
KEY = "same-form-0123456789abcdef"


@pytest.fixture
def committed_crew(database_engine: Engine) -> Iterator[Crew]:
    with Session(database_engine, expire_on_commit=False) as session:
        crew = seed_crew(session, date(2027, 3, 13))
        session.commit()
    yield crew
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with database_engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def test_simultaneous_submits_make_one_broadcast(
    settings: Settings,
    database_engine: Engine,
    committed_crew: Crew,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app: Flask = create_app(settings)
    enqueued: list[int] = []
    lock = threading.Lock()

    def record(_settings: Settings, broadcast_id: int) -> None:
        with lock:
            enqueued.append(broadcast_id)

    monkeypatch.setattr("webapp.services.broadcasts.enqueue_preparation", record)
    start = threading.Barrier(SUBMITS)
    outcomes: list[bool] = []
    errors: list[BaseException] = []
    draft = BroadcastDraft(
        channel=Channel.SMS,
        segment=Segment(SegmentKind.ALL),
        body="Tournee: porte-a-porte samedi. STOP au 36180",
    )

    def submit() -> None:
        try:
            with app.app_context(), Session(database_engine, expire_on_commit=False) as session:
                start.wait(timeout=10)
                creation = create_broadcast(
                    session,
                    committed_crew.campaign.id,
                    draft,
                    submission_key=KEY,
                    created_by_user_id=committed_crew.coordinator.id,
                )
                session.commit()
                with lock:
                    outcomes.append(creation.is_new)
        except BaseException as error:  # reported to the test thread below
            errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(SUBMITS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(outcomes) == [False] * (SUBMITS - 1) + [True]
    with Session(database_engine) as session:
        broadcast = session.scalars(select(Broadcast)).one()
        assert enqueued == [broadcast.id]
        assert (broadcast.status, broadcast.recipient_count) == (BroadcastStatus.PREPARING, 4)
        # The preparation, recorded here instead of run, writes the rows.
        assert session.scalar(select(func.count(Message.id))) == 0
    app.extensions["tournee.session_factory"].kw["bind"].dispose()
