"""Volunteers rate a session from their thank-you message; coordinators see the totals.

The form opens when the session starts and closes `FEEDBACK_OPEN_FOR` after the
thank-you message goes out. Posting it again changes the response, so an assignment has
one row at most. Coordinators see how many volunteers gave each rating and the
comments, sorted alphabetically so that their order tells nothing about who wrote them.
"""

import logging
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from webapp.db import utcnow
from webapp.models import Assignment, Campaign, CanvassSession, SessionFeedback
from webapp.models.feedback import MAX_RATING, MIN_RATING
from webapp.models.planning import AssignmentStatus, SessionStatus
from webapp.services.errors import ValidationError
from webapp.services.reminders import ReminderOffsets
from webapp.services.reply_links import read_feedback_token

logger = logging.getLogger(__name__)

FEEDBACK_OPEN_FOR = timedelta(days=30)
MAX_COMMENT_LENGTH = 1000
# Line breaks and tabs may stay in a comment, but any other control character is refused.
ALLOWED_CONTROL_CHARACTERS = frozenset("\n\t")


class FeedbackProblem(StrEnum):
    """Reason a genuine link cannot take a response. The page translates these codes."""

    UNKNOWN_ASSIGNMENT = "unknown_assignment"
    NOT_TAKEN_PART = "not_taken_part"
    NOT_STARTED = "not_started"
    CLOSED = "closed"


class FeedbackOutcome(StrEnum):
    SAVED = "saved"
    UPDATED = "updated"


@dataclass(frozen=True)
class FeedbackView:
    """The session a feedback link is about and the response already given, if any."""

    first_name: str
    starts_at: datetime
    meeting_point: str
    problem: FeedbackProblem | None
    iris_name: str = ""
    rating: int | None = None
    comment: str = ""


@dataclass(frozen=True)
class FeedbackResult:
    view: FeedbackView
    outcome: FeedbackOutcome | None


@dataclass(frozen=True)
class FeedbackSummary:
    """A session's responses without names: `counts[0]` is the number of 1s, and so on."""

    counts: tuple[int, ...]
    comments: tuple[str, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def average(self) -> float | None:
        if self.total == 0:
            return None
        return sum(rating * count for rating, count in enumerate(self.counts, 1)) / self.total


def clean_comment(text: str) -> str:
    """Return the comment with plain line ends and no outer spaces.

    Raises ValidationError("comment", "too_long") or ("comment", "control_character").
    """
    cleaned = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(cleaned) > MAX_COMMENT_LENGTH:
        raise ValidationError("comment", "too_long")
    if any(
        unicodedata.category(char) == "Cc" and char not in ALLOWED_CONTROL_CHARACTERS
        for char in cleaned
    ):
        raise ValidationError("comment", "control_character")
    return cleaned


def load_feedback(session: Session, token: str, *, now: datetime | None = None) -> FeedbackView:
    """Return what the feedback page shows.

    Raises ReplyLinkInvalidError or ReplyLinkExpiredError for a link that is not valid.
    """
    now = now or utcnow()
    assignment = _assignment_of(session, token, now=now)
    return _view(session, assignment, now)


def save_feedback(
    session: Session, token: str, *, rating: int, comment: str, now: datetime | None = None
) -> FeedbackResult:
    """Store or change the response of the link's assignment while the form is open.

    Raises ValidationError for a rating outside 1-5 or a comment `clean_comment` refuses,
    and the link errors of `load_feedback`. Flushes; the caller commits.
    """
    now = now or utcnow()
    if not MIN_RATING <= rating <= MAX_RATING:
        raise ValidationError("rating", "out_of_range")
    cleaned = clean_comment(comment)
    assignment = _assignment_of(session, token, now=now, for_update=True)
    view = _view(session, assignment, now)
    if view.problem is not None or assignment is None:
        return FeedbackResult(view=view, outcome=None)
    existing = _feedback_of(session, assignment.id)
    if existing is None:
        session.add(SessionFeedback(assignment_id=assignment.id, rating=rating, comment=cleaned))
        outcome = FeedbackOutcome.SAVED
    else:
        existing.rating, existing.comment = rating, cleaned
        outcome = FeedbackOutcome.UPDATED
    session.flush()
    logger.info(
        "Feedback %s for assignment %s",
        outcome,
        assignment.id,
        extra={"session_id": assignment.session_id},
    )
    return FeedbackResult(view=_view(session, assignment, now), outcome=outcome)


def summarise_feedback(session: Session, session_id: int) -> FeedbackSummary:
    """Count a session's ratings and list its comments, without saying who gave them."""
    rows = session.execute(
        select(SessionFeedback.rating, SessionFeedback.comment)
        .join(Assignment, SessionFeedback.assignment_id == Assignment.id)
        .where(Assignment.session_id == session_id)
    ).all()
    by_rating = Counter(rating for rating, _ in rows)
    comments = sorted((comment for _, comment in rows if comment), key=_alphabetical)
    return FeedbackSummary(
        counts=tuple(by_rating[rating] for rating in range(MIN_RATING, MAX_RATING + 1)),
        comments=tuple(comments),
    )


def _alphabetical(text: str) -> tuple[str, str]:
    return (text.casefold(), text)


def feedback_closes_at(canvass: CanvassSession, campaign: Campaign) -> datetime:
    """Return when the session's feedback form closes, `FEEDBACK_OPEN_FOR` after the thanks."""
    offsets = ReminderOffsets.from_campaign(campaign.reminder_offsets)
    thanks_after_end = max(timedelta(minutes=offsets.thanks_minutes), timedelta(0))
    return canvass.ends_at + thanks_after_end + FEEDBACK_OPEN_FOR


def _assignment_of(
    session: Session, token: str, *, now: datetime, for_update: bool = False
) -> Assignment | None:
    assignment_id = read_feedback_token(token, now=now)
    query = (
        select(Assignment)
        .where(Assignment.id == assignment_id)
        .options(selectinload(Assignment.session), selectinload(Assignment.user))
    )
    if for_update:
        # Two posts of one form at once: the second waits, then updates the first's row.
        query = query.with_for_update(of=Assignment)
    return session.scalars(query).first()


def _feedback_of(session: Session, assignment_id: int) -> SessionFeedback | None:
    return session.scalars(
        select(SessionFeedback).where(SessionFeedback.assignment_id == assignment_id)
    ).first()


def _view(session: Session, assignment: Assignment | None, now: datetime) -> FeedbackView:
    if assignment is None:
        return FeedbackView(
            first_name="",
            starts_at=now,
            meeting_point="",
            problem=FeedbackProblem.UNKNOWN_ASSIGNMENT,
        )
    canvass = assignment.session
    existing = _feedback_of(session, assignment.id)
    return FeedbackView(
        first_name=assignment.user.first_name,
        starts_at=canvass.starts_at,
        meeting_point=canvass.meeting_point_label,
        problem=_problem(session, assignment, now),
        iris_name=canvass.iris.name,
        rating=existing.rating if existing else None,
        comment=existing.comment if existing else "",
    )


def _problem(session: Session, assignment: Assignment, now: datetime) -> FeedbackProblem | None:
    canvass = assignment.session
    if canvass.status == SessionStatus.CANCELLED or assignment.status == AssignmentStatus.DECLINED:
        return FeedbackProblem.NOT_TAKEN_PART
    if now < canvass.starts_at:
        return FeedbackProblem.NOT_STARTED
    campaign = session.get(Campaign, canvass.campaign_id)
    if campaign is None or now >= feedback_closes_at(canvass, campaign):
        return FeedbackProblem.CLOSED
    return None
