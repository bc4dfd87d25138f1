"""Message rows as the delivery leaves them, for the tests of the message list."""

import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from webapp.models import Campaign, Message, User
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.users import Channel

# The text of every row, which no page of the list may show.
PRIVATE_BODY = "Texte personnel du message"


def add_message(
    session: Session,
    campaign: Campaign,
    created_at: datetime,
    *,
    user: User | None = None,
    recipient: str = "+33612345600",
    channel: Channel = Channel.SMS,
    purpose: MessagePurpose = MessagePurpose.SESSION_REMINDER,
    status: MessageStatus = MessageStatus.SENT,
    failure_reason: str | None = None,
    send_after: datetime | None = None,
    sent_at: datetime | None = None,
    delivered_at: datetime | None = None,
    idempotency_key: str | None = None,
    broadcast_id: int | None = None,
) -> Message:
    """Add a message row whose `updated_at` is its creation time.

    Without `idempotency_key`, the row gets a random key that names no session.
    """
    message = Message(
        campaign_id=campaign.id,
        user_id=user.id if user is not None else None,
        idempotency_key=idempotency_key or f"test-{secrets.token_hex(8)}",
        channel=channel,
        purpose=purpose,
        recipient=recipient,
        subject="Objet personnel" if channel == Channel.EMAIL else "",
        body=PRIVATE_BODY,
        status=status,
        failure_reason=failure_reason,
        send_after=send_after,
        sent_at=sent_at,
        delivered_at=delivered_at,
        created_at=created_at,
        updated_at=created_at,
        broadcast_id=broadcast_id,
    )
    session.add(message)
    session.flush()
    return message
