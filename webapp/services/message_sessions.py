"""The canvassing sessions of a campaign, and the condition that selects the messages
about one of them.

A message row has no session column: its idempotency key names what it is about.
`assignment:<assignment id>:…` keys a volunteer's confirmation, reminders and notices
(`webapp.services.reminders`), `declined:<assignment id>:…` the coordinators' notice of
a decline and `team-present:<session id>:…` their notice of a team back
(`webapp.services.coordinator_notices`). A broadcast's rows carry its id, and a
broadcast to the volunteers of one session names the session in its segment. The other
rows, such as a broadcast to every volunteer or a stop confirmation, are about no session.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from webapp.models import Assignment, Broadcast, CanvassSession, Iris, Message
from webapp.models.planning import SessionStatus
from webapp.services.broadcast_segments import SegmentKind
from webapp.services.coordinator_notices import DECLINED_KEY_PREFIX, TEAM_PRESENT_KEY_PREFIX
from webapp.services.reminders import assignment_key_prefix


@dataclass(frozen=True)
class SessionChoice:
    """A session of the campaign that the message list can be narrowed to."""

    id: int
    starts_at: datetime
    iris_name: str
    is_cancelled: bool


def list_session_choices(session: Session, campaign_id: int) -> tuple[SessionChoice, ...]:
    """Return every session of the campaign, cancelled ones included, by start time."""
    rows = session.execute(
        select(CanvassSession.id, CanvassSession.starts_at, Iris.name, CanvassSession.status)
        .join(Iris, Iris.code == CanvassSession.iris_code)
        .where(CanvassSession.campaign_id == campaign_id)
        .order_by(CanvassSession.starts_at, CanvassSession.id)
    )
    return tuple(
        SessionChoice(
            id=session_id,
            starts_at=starts_at,
            iris_name=iris_name,
            is_cancelled=status == SessionStatus.CANCELLED,
        )
        for session_id, starts_at, iris_name, status in rows
    )


def session_messages_condition(
    session: Session, campaign_id: int, session_id: int
) -> ColumnElement[bool]:
    """Return the condition that matches the campaign's messages about one session.

    NOTE: a planning run deletes the assignment of a volunteer it takes off a session,
    so the messages of that place (its confirmation, the notice of the removal) no
    longer match the session.
    """
    assignment_ids = session.scalars(
        select(Assignment.id).where(Assignment.session_id == session_id).order_by(Assignment.id)
    )
    prefixes = [f"{TEAM_PRESENT_KEY_PREFIX}{session_id}:"]
    for assignment_id in assignment_ids:
        prefixes.append(assignment_key_prefix(assignment_id))
        prefixes.append(f"{DECLINED_KEY_PREFIX}{assignment_id}:")
    broadcast_ids = select(Broadcast.id).where(
        Broadcast.campaign_id == campaign_id,
        Broadcast.segment["kind"].as_string() == str(SegmentKind.SESSION),
        Broadcast.segment["session_id"].as_integer() == session_id,
    )
    return or_(
        *(Message.idempotency_key.startswith(prefix, autoescape=True) for prefix in prefixes),
        Message.broadcast_id.in_(broadcast_ids),
    )
