"""Messages to volunteers about their assignments, queued when a planning run ends.

Rows come first: each has a unique idempotency key, so planning twice creates nothing
new, and the send jobs are enqueued only after the transaction commits. The sequence
itself (confirmation, reminders, thanks) is described in `webapp.services.reminders`.
"""

from datetime import datetime

from sqlalchemy.orm import Session

from webapp.models import Message
from webapp.services.message_batch import MessageContent, render_message
from webapp.services.reminders import cancel_session, queue_reminders, reschedule_session

__all__ = [
    "MessageContent",
    "cancel_session",
    "queue_assignment_messages",
    "render_message",
    "reschedule_session",
]


def queue_assignment_messages(
    session: Session, campaign_id: int, *, now: datetime | None = None
) -> list[Message]:
    """Create the confirmation and reminders of every proposed or confirmed assignment.

    Needs an app context (templates and translations). Only channels the volunteer
    consented to get a row, and existing rows are left as they are.
    """
    return queue_reminders(session, campaign_id, now=now)
