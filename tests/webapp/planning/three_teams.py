"""Fixtures of the re-planning tests: Bondy's case with three teams and their routes.

A test module binds the fixtures to its own names, so that pytest finds them there:

    seeded, db_connection, case = three_teams.seeded, three_teams.db_connection, three_teams.case

The case is then seeded once for that module, on a connection of its own, and each of
its tests runs in a savepoint of that connection, rolled back afterwards.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import partial

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from tests.webapp.planning.bondy_case import (
    BondyCase,
    savepoint_of,
    seed_three_teams,
    seeded_connection,
)
from webapp.models import Message, Route
from webapp.models.messaging import MessagePurpose
from webapp.services.routes import RouteSettings

# The routing solver stops after one second, which is enough for the case's 43 doors.
ROUTE_SETTINGS = RouteSettings(time_limit_s=1.0)


@pytest.fixture(scope="module")
def seeded(database_engine: Engine) -> Iterator[tuple[Connection, BondyCase]]:
    yield from seeded_connection(
        database_engine, partial(seed_three_teams, settings=ROUTE_SETTINGS)
    )


@pytest.fixture
def db_connection(seeded: tuple[Connection, BondyCase]) -> Iterator[Connection]:
    yield from savepoint_of(seeded[0])


@pytest.fixture
def case(seeded: tuple[Connection, BondyCase]) -> BondyCase:
    return seeded[1]


# The notice tests bind these two as well: notices are rendered from templates, and most
# changes happen an hour before the start, within the notice window.
@pytest.fixture
def app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


@pytest.fixture
def an_hour_before(case: BondyCase) -> datetime:
    return case.starts_at - timedelta(hours=1)


def routes_by_team(session: Session) -> dict[int, Route]:
    """Return the stored routes by team, read afresh from the database."""
    session.expire_all()
    return {route.team: route for route in session.scalars(select(Route).order_by(Route.team))}


def route_change_notices(session: Session) -> list[Message]:
    """Return the route-change messages in the order they were queued, read afresh."""
    session.expire_all()
    query = select(Message).where(Message.purpose == MessagePurpose.ROUTE_CHANGED)
    return list(session.scalars(query.order_by(Message.id)))
