"""Render messages in the recipient's language and add them as rows, sent after commit.

Every row has a unique idempotency key. A key whose row was withdrawn (a session moved
or cancelled before the message went out) may be used again with a revision suffix, so
moving a session back to its first time still gets its reminders.
"""

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from webapp.db import call_after_commit, utcnow
from webapp.jobs.dispatch import enqueue_messages
from webapp.models import Message, User
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.users import Channel
from webapp.services.unsubscribe import unsubscribe_url
from webapp.settings_access import get_settings

logger = logging.getLogger(__name__)

# `Message.failure_reason` of a row taken back before it was sent. Its status is suppressed.
WITHDRAWN_REASON = "withdrawn"
# Stands for the recipient's own unsubscribe link in an e-mail text that many recipients
# share; the provider puts each person's link in its place when it sends.
UNSUBSCRIBE_URL_TAG = "%unsubscribe_url%"
_REVISION_MARK = ":r"
_REVISION_END = re.compile(re.escape(_REVISION_MARK) + r"\d+$")


@dataclass(frozen=True)
class MessageContent:
    subject: str
    body: str


def render_message(
    template: str,
    channel: Channel,
    locale: str,
    context: Mapping[str, object],
    *,
    unsubscribe_url: str | None = None,
) -> MessageContent:
    """Render `messages/<template>_<channel>.txt` in `locale`; e-mails get a subject and footer.

    Needs an app context. The footer of an e-mail carries the visible unsubscribe link.
    """
    with force_locale(locale):
        body = render_template(f"messages/{template}_{channel}.txt", **context).strip()
        if channel != Channel.EMAIL:
            return MessageContent(subject="", body=body)
        subject = render_template(f"messages/{template}_subject.txt", **context).strip()
        if unsubscribe_url:
            footer = render_template(
                "messages/unsubscribe_footer.txt", unsubscribe_url=unsubscribe_url
            ).strip()
            body = f"{body}\n\n--\n{footer}"
    # A subject is one line: a template that wraps must not break the header.
    return MessageContent(subject=" ".join(subject.splitlines()).strip(), body=body)


def consented_channels(user: User) -> list[Channel]:
    """Return the channels the user agreed to and has an address for, e-mail first."""
    channels = []
    if user.has_consent(Channel.EMAIL):
        channels.append(Channel.EMAIL)
    if user.phone_e164 and user.has_consent(Channel.SMS):
        channels.append(Channel.SMS)
    return channels


def address_of(user: User, channel: Channel) -> str | None:
    return user.email if channel == Channel.EMAIL else user.phone_e164


def is_rewrite(message: Message) -> bool:
    """Tell whether the row was written again in place of a withdrawn one."""
    return _REVISION_END.search(message.idempotency_key) is not None


class MessageKeys:
    """The idempotency keys of a campaign, each marked live or withdrawn."""

    def __init__(self, is_withdrawn_by_key: dict[str, bool]) -> None:
        self._is_withdrawn = is_withdrawn_by_key

    @classmethod
    def load(cls, session: Session, campaign_id: int, prefix: str = "") -> "MessageKeys":
        """Read the keys of the campaign's messages that start with `prefix`."""
        query = select(Message.idempotency_key, Message.status, Message.failure_reason).where(
            Message.campaign_id == campaign_id
        )
        if prefix:
            query = query.where(Message.idempotency_key.startswith(prefix, autoescape=True))
        return cls(
            {
                key: status == MessageStatus.SUPPRESSED and reason == WITHDRAWN_REASON
                for key, status, reason in session.execute(query)
            }
        )

    def claim(self, base: str) -> str | None:
        """Return a free key for `base`, or None while a row of `base` is still live."""
        revisions = [
            key
            for key in self._is_withdrawn
            if key == base or key.startswith(base + _REVISION_MARK)
        ]
        if any(not self._is_withdrawn[key] for key in revisions):
            return None
        key = f"{base}{_REVISION_MARK}{len(revisions) + 1}" if revisions else base
        self._is_withdrawn[key] = False
        return key


@dataclass
class MessageBatch:
    """New rows of one unit of work, whose send jobs are enqueued once it commits."""

    session: Session
    campaign_id: int
    keys: MessageKeys
    created: list[Message] = field(default_factory=list)

    def add(
        self,
        *,
        user: User,
        channel: Channel,
        purpose: MessagePurpose,
        base_key: str,
        template: str,
        context: Mapping[str, object],
        send_after: datetime | None = None,
    ) -> Message | None:
        """Render and add a queued row, unless `base_key` has a live row or no address is known.

        Needs an app context. The text is rendered in the recipient's locale.
        """
        recipient = address_of(user, channel)
        if not recipient:
            return None
        key = self.keys.claim(base_key)
        if key is None:
            return None
        link = unsubscribe_url(user.id, self.campaign_id) if channel == Channel.EMAIL else None
        content = render_message(template, channel, user.locale, context, unsubscribe_url=link)
        message = Message(
            campaign_id=self.campaign_id,
            user_id=user.id,
            idempotency_key=key,
            channel=channel,
            purpose=purpose,
            recipient=recipient,
            subject=content.subject,
            body=content.body,
            send_after=send_after,
        )
        self.session.add(message)
        self.created.append(message)
        return message

    def dispatch_after_commit(self) -> list[Message]:
        """Flush the new rows and enqueue their send jobs once the caller commits."""
        self.session.flush()
        schedule = [(message.id, message.send_after) for message in self.created]
        if schedule:
            settings = get_settings()
            call_after_commit(self.session, lambda: enqueue_messages(settings, schedule))
        logger.info(
            "Queued %s messages for campaign %s",
            len(schedule),
            self.campaign_id,
            extra={"campaign_id": self.campaign_id},
        )
        return list(self.created)


def withdraw_pending(session: Session, key_prefixes: Iterable[str]) -> int:
    """Mark the queued rows whose key starts with one of the prefixes as withdrawn.

    A row a worker already claimed is left alone: its job checks the status under a row
    lock, so a withdrawn row is never sent and a claimed one is sent once.
    """
    prefixes = list(key_prefixes)
    if not prefixes:
        return 0
    result = session.execute(
        update(Message)
        .where(
            Message.status == MessageStatus.QUEUED,
            or_(*(Message.idempotency_key.startswith(p, autoescape=True) for p in prefixes)),
        )
        .values(
            status=MessageStatus.SUPPRESSED, failure_reason=WITHDRAWN_REASON, updated_at=utcnow()
        )
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def count_withdrawn(session: Session, campaign_id: int) -> int:
    """Count the campaign's rows withdrawn before they were sent."""
    query = select(func.count(Message.id)).where(
        Message.campaign_id == campaign_id,
        Message.status == MessageStatus.SUPPRESSED,
        Message.failure_reason == WITHDRAWN_REASON,
    )
    return int(session.scalar(query) or 0)


def withdraw_message_ids(session: Session, message_ids: Iterable[int]) -> int:
    """Mark the given rows withdrawn where they are still queued."""
    ids = list(message_ids)
    if not ids:
        return 0
    result = session.execute(
        update(Message)
        .where(Message.status == MessageStatus.QUEUED, Message.id.in_(ids))
        .values(
            status=MessageStatus.SUPPRESSED, failure_reason=WITHDRAWN_REASON, updated_at=utcnow()
        )
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
