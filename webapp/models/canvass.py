"""What happens at the door: outcomes per address and anonymous survey answers."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, UtcDateTime, enum_column, utcnow


class DoorOutcome(StrEnum):
    ABSENT = "absent"
    OPENED = "opened"
    REFUSED = "refused"
    CONVERSATION = "conversation"
    COME_BACK = "come_back"
    INACCESSIBLE = "inaccessible"


class DoorVisit(Base):
    """The outcome at one door; no resident is ever named."""

    __tablename__ = "door_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("routes.id", ondelete="CASCADE"), index=True)
    address_id: Mapped[int] = mapped_column(
        ForeignKey("addresses.id"),
        info={
            "personal": "none",
            "retention": "never_personal",
            "note": "an outcome per public address; no resident is named or recorded",
        },
    )
    # Derived from `dwelling_counts` when the visit has them (`DwellingTally.outcome`).
    outcome: Mapped[DoorOutcome] = mapped_column(enum_column(DoorOutcome, 20))
    visited_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Dwellings per outcome value, when the team counted an address of several dwellings
    # (`webapp.services.dwelling_tallies`). None for a visit recorded with one outcome.
    dwelling_counts: Mapped[dict[str, int] | None] = mapped_column(
        JSON,
        info={
            "personal": "none",
            "retention": "never_personal",
            "note": "how many dwellings of a public address had each outcome; no dwelling "
            "or resident is identified",
        },
    )
    # The random key of the form that recorded the visit, so that a form posted twice
    # records one visit. None for a visit recorded with an outcome button.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)


class SurveyResponse(Base):
    """Answers to the open questionnaire, tied to a session and an IRIS only.

    No column points at the door, the route, the team or the volunteer, and `created_at`
    is the session's start rather than the time of the answer, so that no answer can be
    matched to a door visit by its time.

    NOTE: ids still grow in the order answers arrive. Pages never show them, and list
    answer texts in alphabetical order, but a reader of the database could line up a
    session's ids with the order of its « conversation » door visits.
    """

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("canvass_sessions.id", ondelete="CASCADE"), index=True
    )
    iris_code: Mapped[str] = mapped_column(ForeignKey("iris.code"))
    # Question key -> answer, as `webapp.canvass.survey_form.SurveyForm` names them.
    answers: Mapped[dict[str, Any]] = mapped_column(
        JSON,
        info={
            "personal": "none",
            "retention": "never_personal",
            "note": "anonymous answers, tied to a session and an IRIS only",
        },
    )
    # Keys of `webapp.services.answer_themes.THEME_KEYWORDS` found in the open answer.
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(8), default="fr")
    # No default: the writer sets the session's start, never the current time.
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime,
        info={
            "personal": "none",
            "retention": "never_personal",
            "note": "the session's start, not the time of the answer",
        },
    )
