"""Generated input for the questionnaire: no server error, and an accepted answer is kept whole."""

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given
from hypothesis import settings as examples_settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tests.webapp.canvass.conftest import TOKEN, Walk
from tests.webapp.test_property_forms import UNESCAPED, values
from webapp.models import SurveyResponse

EXAMPLES = examples_settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
VOTES = st.one_of(st.sampled_from(["", "yes", "no", "unsure"]), values)


@pytest.fixture
def no_csrf(app: Flask, client: FlaskClient, walk: Walk) -> FlaskClient:
    """A visitor of the walk's route, with forms accepted without their CSRF token."""
    app.config["WTF_CSRF_ENABLED"] = False
    return client


@EXAMPLES
@given(topic=values, vote=VOTES)
def test_survey_input(no_csrf: FlaskClient, db_session: Session, topic: str, vote: str) -> None:
    db_session.execute(delete(SurveyResponse))
    db_session.commit()

    response = no_csrf.post(
        f"/parcours/{TOKEN}/reponses", data={"topic": topic, "intends_to_vote": vote}
    )

    # Any input holding a NUL character is refused with 400 before the view runs.
    assert response.status_code in (302, 422, 400)
    body = response.get_data().decode("utf-8", errors="replace")
    assert UNESCAPED.search(body) is None
    db_session.expire_all()
    stored = [row.answers for row in db_session.scalars(select(SurveyResponse))]
    if response.status_code == 302:
        cleaned = topic.replace("\r\n", "\n").replace("\r", "\n").strip()
        assert [answer["topic"] for answer in stored] == [cleaned]
    else:
        assert stored == []
