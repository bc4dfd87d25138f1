"""Generated input for the feedback form and its link: no server error, nothing unchecked stored.

The inputs and checks are those of the coordinator forms' property tests.
"""

from datetime import timedelta
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.webapp.broadcasts.crew import seed_crew
from tests.webapp.test_property_forms import EXAMPLES, _check, values
from webapp.db import utcnow
from webapp.models import Assignment, SessionFeedback
from webapp.services.feedback import clean_comment
from webapp.services.reply_links import make_feedback_token

FEEDBACK_FIELDS = {
    "rating": st.one_of(st.sampled_from(("1", "3", "5")), values),
    "comment": st.one_of(st.just("Très bien, merci."), values),
}


@pytest.fixture
def feedback_path(app: Flask, db_session: Session) -> str:
    """The feedback link of Alice, whose session was ten days ago."""
    crew = seed_crew(db_session, utcnow().date() - timedelta(days=10))
    db_session.commit()
    assignment = db_session.scalars(
        select(Assignment).where(Assignment.user_id == crew.volunteers["alice"].id)
    ).one()
    with app.app_context():
        return f"/avis/{make_feedback_token(assignment.id)}"


def test_feedback_form_input(
    app: Flask, client: FlaskClient, db_session: Session, feedback_path: str
) -> None:
    app.config["WTF_CSRF_ENABLED"] = False

    @EXAMPLES
    @given(form=st.fixed_dictionaries({}, optional=FEEDBACK_FIELDS))
    def post(form: dict[str, str]) -> None:
        response = client.post(feedback_path, data=form)
        _check(response.get_data(), response.status_code, (200, 422))

    post()

    db_session.expire_all()
    for row in db_session.scalars(select(SessionFeedback)):
        assert 1 <= row.rating <= 5
        assert clean_comment(row.comment) == row.comment


def test_feedback_token_paths(client: FlaskClient) -> None:
    @EXAMPLES
    @given(token=values)
    def get(token: str) -> None:
        response = client.get(f"/avis/{quote(token, safe='')}")
        _check(response.get_data(), response.status_code, (308, 404, 410))

    get()
