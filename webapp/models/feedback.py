"""Volunteers' ratings and comments on the sessions they took part in."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, UtcDateTime, utcnow

MIN_RATING = 1
MAX_RATING = 5


class SessionFeedback(Base):
    """One volunteer's rating of a session, from 1 to 5, with an optional comment.

    One row per assignment: the volunteer may post the form again to change it.
    Coordinators see counts and comments only, never who wrote them.
    """

    __tablename__ = "session_feedbacks"
    __table_args__ = (
        CheckConstraint(f"rating BETWEEN {MIN_RATING} AND {MAX_RATING}", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"),
        unique=True,
        info={"personal": "identifier", "retention": "campaign"},
    )
    rating: Mapped[int] = mapped_column(
        SmallInteger, info={"personal": "participation", "retention": "campaign"}
    )
    comment: Mapped[str] = mapped_column(
        Text, default="", info={"personal": "message_content", "retention": "campaign"}
    )
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utcnow, info={"personal": "technical", "retention": "campaign"}
    )
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime,
        default=utcnow,
        onupdate=utcnow,
        info={"personal": "technical", "retention": "campaign"},
    )
