"""Fixtures of the re-planning tests: Bondy's case with three teams and their routes.

A test module binds the fixtures to its own names, so that pytest finds them there:

    seeded, db_connection, case = three_teams.seeded, three_teams.db_connection, three_teams.case

The case is then seeded once for that module, on a connection of its own, and each of
its tests runs in a savepoint of that connection, rolled back afterwards. The readers
below that take a session read the database afresh: requests and bulk updates change rows
behind the test's session.
"""

import dataclasses
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from functools import partial

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from tests.webapp.planning import bondy_case
from tests.webapp.planning.bondy_case import (
    BondyCase,
    seed_three_teams,
    seeded_connection,
)
from webapp.models import Assignment, DoorVisit, Message, Route
from webapp.models.canvass import DoorOutcome
from webapp.models.messaging import MessagePurpose
from webapp.models.planning import AssignmentStatus
from webapp.services.routes import RouteSettings
from webapp.settings import Settings

# The routing solver stops after one second, which is enough for the case's 43 doors.
ROUTE_SETTINGS = RouteSettings(time_limit_s=1.0)
# The session as messages name it, and the start of each team's route link in them.
SESSION = "samedi 6 mars 2027 à 09:00 (Le Parc du Château)"
ROUTE_LINK = "http://127.0.0.1:5000/parcours/"


@pytest.fixture(scope="module")
def seeded(database_engine: Engine) -> Iterator[tuple[Connection, BondyCase]]:
    yield from seeded_connection(
        database_engine, partial(seed_three_teams, settings=ROUTE_SETTINGS)
    )


# Only the seed differs from Bondy's case without teams.
db_connection, case = bondy_case.db_connection, bondy_case.case


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The app's settings, with the routing solver's one-second limit of the case."""
    return dataclasses.replace(settings, route_time_limit_s=ROUTE_SETTINGS.time_limit_s)


# Messages are rendered from templates, so the tests that write some bind `app_context`.
# Most notice tests change the routes an hour before the start, within the notice window.
@pytest.fixture
def app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


@pytest.fixture
def an_hour_before(case: BondyCase) -> datetime:
    return case.starts_at - timedelta(hours=1)


@pytest.fixture
def before_session(case: BondyCase) -> datetime:
    """Two days before the start: out of the notice window."""
    return case.starts_at - timedelta(days=2)


def routes_by_team(session: Session) -> dict[int, Route]:
    """Return the stored routes by team, read afresh from the database."""
    session.expire_all()
    return {route.team: route for route in session.scalars(select(Route).order_by(Route.team))}


def doors_by_team(session: Session) -> dict[int, list[int]]:
    """Return each team's doors in walking order, read afresh."""
    return {team: list(route.address_ids) for team, route in routes_by_team(session).items()}


def door_sets_by_team(session: Session) -> dict[int, set[int]]:
    """Return each team's doors, done and to visit, read afresh."""
    return {team: set(route.address_ids) for team, route in routes_by_team(session).items()}


def routed_doors(routes: dict[int, Route]) -> list[int]:
    """Return the doors of all the routes, a door as often as routes list it."""
    return [address_id for route in routes.values() for address_id in route.address_ids]


def changed_teams(before: dict[int, set[int]], after: dict[int, set[int]]) -> list[int]:
    """Return the teams whose doors differ between the two readings, sorted."""
    return sorted(team for team in after if after[team] != before[team])


def tokens_by_team(session: Session) -> dict[int, str]:
    """Return each team's route link token, read afresh."""
    return {team: route.access_token for team, route in routes_by_team(session).items()}


def token_of(session: Session, team: int) -> str:
    return routes_by_team(session)[team].access_token


def team_members(session: Session, team: int) -> list[Assignment]:
    """Return the team's assignments, declined ones included, in id order, read afresh."""
    session.expire_all()
    query = select(Assignment).where(Assignment.team == team).order_by(Assignment.id)
    return list(session.scalars(query))


def members_coming(session: Session, teams: list[int]) -> list[int]:
    """Return the user ids of the members of `teams` who did not decline, sorted."""
    rows = session.scalars(
        select(Assignment.user_id).where(
            Assignment.team.in_(teams), Assignment.status != AssignmentStatus.DECLINED
        )
    )
    return sorted(rows)


def route_change_notices(session: Session) -> list[Message]:
    """Return the route-change messages in the order they were queued, read afresh."""
    session.expire_all()
    query = select(Message).where(Message.purpose == MessagePurpose.ROUTE_CHANGED)
    return list(session.scalars(query.order_by(Message.id)))


def record_nobody_home(
    session: Session, route: Route, address_ids: Iterable[int], at: datetime | None = None
) -> None:
    """Record nobody home at each of the doors on the route, at `at` or now, and commit."""
    for address_id in address_ids:
        visit = DoorVisit(route_id=route.id, address_id=address_id, outcome=DoorOutcome.ABSENT)
        if at is not None:
            visit.visited_at = at
        session.add(visit)
    session.commit()


def to_visit_by_team(session: Session) -> dict[int, set[int]]:
    """Return each team's doors with no visit recorded on its own route, read afresh."""
    session.expire_all()
    rows = session.execute(select(DoorVisit.route_id, DoorVisit.address_id))
    visited = {(route_id, address_id) for route_id, address_id in rows}
    return {
        route.team: {i for i in route.address_ids if (route.id, i) not in visited}
        for route in session.scalars(select(Route))
    }
