"""Fixtures of the message list: the broadcast crew and a logged-in coordinator."""

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import at_utc
from tests.webapp.broadcasts.conftest import log_in
from tests.webapp.broadcasts.crew import Crew, seed_crew


@pytest.fixture
def crew(db_session: Session) -> Crew:
    crew = seed_crew(db_session, at_utc(2026, 3, 7).date())
    db_session.commit()
    return crew


@pytest.fixture
def coordinator_client(client: FlaskClient, crew: Crew) -> FlaskClient:
    log_in(client, crew.coordinator)
    return client
