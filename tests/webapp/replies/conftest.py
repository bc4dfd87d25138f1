"""Fixtures of the reply pages: the crew a month ahead and Alice's signed links."""

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_consents, make_route, make_volunteer_profile, make_weekly_slot
from tests.webapp.broadcasts.crew import Crew, add_person, seed_crew
from webapp.db import utcnow
from webapp.models import Assignment
from webapp.services.localtime import to_local_naive
from webapp.services.reply_links import make_reply_token
from webapp.services.unsubscribe import make_unsubscribe_token

SATURDAY_MORNING = (540, 750)


@pytest.fixture
def crew(db_session: Session) -> Crew:
    """The crew a month from today, a route for session 1, and Hugo free to step in."""
    first_day = utcnow().date() + timedelta(days=30)
    crew = seed_crew(db_session, first_day)
    make_route(db_session, canvass_session=crew.sessions[0])
    hugo = add_person(db_session, crew.campaign, name="hugo", phone_e164="+33612345670")
    make_consents(db_session, user=hugo)
    start, end = SATURDAY_MORNING
    weekday = to_local_naive(crew.sessions[0].starts_at).weekday()
    make_weekly_slot(db_session, user=hugo, weekday=weekday, start_minute=start, end_minute=end)
    make_volunteer_profile(db_session, user=hugo)
    db_session.commit()
    return crew


@pytest.fixture
def alice_assignment(db_session: Session, crew: Crew) -> Assignment:
    return db_session.scalars(
        select(Assignment).where(
            Assignment.user_id == crew.volunteers["alice"].id,
            Assignment.session_id == crew.sessions[0].id,
        )
    ).one()


@pytest.fixture
def reply_token(app: Flask, crew: Crew, alice_assignment: Assignment) -> str:
    with app.app_context():
        return make_reply_token(alice_assignment.id, crew.sessions[0].starts_at)


@pytest.fixture
def unsubscribe_token(app: Flask, crew: Crew) -> str:
    with app.app_context():
        return make_unsubscribe_token(crew.volunteers["alice"].id, crew.campaign.id)
