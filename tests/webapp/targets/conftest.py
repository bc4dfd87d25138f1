"""Fixtures of the targeting pages: the scored case and a logged-in coordinator."""

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.webapp.targets.members import add_member, log_in_as
from tests.webapp.targets.scored_case import ScoredCase, seed_scored_case
from webapp.models.users import Role


@pytest.fixture
def scored(db_session: Session) -> ScoredCase:
    case = seed_scored_case(db_session)
    db_session.commit()
    return case


@pytest.fixture
def coordinator_client(client: FlaskClient, db_session: Session, scored: ScoredCase) -> FlaskClient:
    log_in_as(
        client, add_member(db_session, scored.campaign, Role.COORDINATOR, "coord@example.org")
    )
    return client
