"""Answers to the open questionnaire, recorded from the route's private link.

An answer is stored with its session and the session's IRIS only. The route, team,
door and volunteer that gave it are used to check the link, then dropped. Its time is
the session's start, so nothing lines it up with the door visits recorded around it.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext
from sqlalchemy.orm import Session

from webapp.models import SurveyResponse
from webapp.services.answer_themes import tag_themes
from webapp.services.door_visits import find_recording_route

# Answers to « Do you intend to vote? », by the value stored.
VOTE_LABELS = {
    "yes": lazy_gettext("Yes"),
    "no": lazy_gettext("No"),
    # Translators: an answer to « Do you intend to vote? ».
    "unsure": lazy_gettext("Does not know"),
}


@dataclass(frozen=True)
class SurveyAnswers:
    """One conversation's answers: the subject that matters most, and the voting intention."""

    topic: str
    # A key of `VOTE_LABELS`, or None when the question was not asked or not answered.
    intends_to_vote: str | None = None

    def as_json(self) -> dict[str, str]:
        answers = {"topic": self.topic}
        if self.intends_to_vote is not None:
            answers["intends_to_vote"] = self.intends_to_vote
        return answers


def record_survey_response(
    session: Session, token: str, answers: SurveyAnswers, *, language: str, now: datetime
) -> SurveyResponse:
    """Store one conversation's answers for the session of the route that `token` opens.

    Raises as `find_recording_route` does: the link unknown or expired, the session
    cancelled, or `now` before recording opens.
    """
    route = find_recording_route(session, token, now=now)
    canvass = route.session
    response = SurveyResponse(
        session_id=canvass.id,
        iris_code=canvass.iris_code,
        answers=answers.as_json(),
        themes=tag_themes(answers.topic),
        language=language,
        created_at=canvass.starts_at,
    )
    session.add(response)
    session.flush()
    return response
