"""A development sender that writes messages to a JSON Lines file instead of sending them."""

import json
import logging
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from messaging.phone import mask_phone
from messaging.providers.base import EmailRecipient, SendOutcome

logger = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class OutboxSender:
    """Append every SMS and e-mail to a JSON Lines file, one object a line."""

    def __init__(self, path: Path | str, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self._path = Path(path)
        self._clock = clock

    @property
    def path(self) -> Path:
        return self._path

    def send_sms(self, *, to: str, body: str, sender: str, reference: str) -> str:
        """Store one SMS and return its outbox id."""
        outbox_id = self._append(
            {
                "channel": "sms",
                "to": to,
                "sender": sender,
                "subject": None,
                "body": body,
                "reference": reference,
            }
        )
        logger.info(
            "Outbox stored SMS %s to %s (reference %s)",
            outbox_id,
            mask_phone(to),
            reference,
            extra={"reference": reference, "provider_id": outbox_id},
        )
        return outbox_id

    def send_email(
        self,
        *,
        to: str,
        subject: str,
        text_body: str,
        html_body: str | None,
        sender: str,
        sender_name: str,
        reference: str,
        headers: Mapping[str, str],
    ) -> str:
        """Store one e-mail and return its outbox id."""
        outbox_id = self._append(
            {
                "channel": "email",
                "to": to,
                "sender": sender,
                "sender_name": sender_name,
                "subject": subject,
                "body": text_body,
                "html_body": html_body,
                "headers": dict(headers),
                "reference": reference,
            }
        )
        logger.info(
            "Outbox stored e-mail %s (reference %s)",
            outbox_id,
            reference,
            extra={"reference": reference, "provider_id": outbox_id},
        )
        return outbox_id

    def send_email_batch(
        self,
        *,
        recipients: Sequence[EmailRecipient],
        subject: str,
        text_body: str,
        html_body: str | None,
        sender: str,
        sender_name: str,
    ) -> list[SendOutcome]:
        """Store one e-mail per recipient, its substitutions applied, as SendGrid would."""
        outcomes = []
        for recipient in recipients:
            outbox_id = self.send_email(
                to=recipient.to,
                subject=_substitute(subject, recipient.substitutions),
                text_body=_substitute(text_body, recipient.substitutions),
                html_body=_substitute(html_body, recipient.substitutions) if html_body else None,
                sender=sender,
                sender_name=sender_name,
                reference=recipient.reference,
                headers=recipient.headers,
            )
            outcomes.append(SendOutcome(provider_id=outbox_id))
        return outcomes

    def find_sms(self, *, to: str, body: str, sent_after: datetime) -> tuple[str, ...]:
        """Return the ids of stored SMS to `to` with this body since `sent_after`."""
        if sent_after.tzinfo is None:
            raise ValueError("sent_after must be timezone-aware")
        return tuple(
            str(record["id"])
            for record in read_outbox(self._path)
            if record.get("channel") == "sms"
            and record.get("to") == to
            and record.get("body") == body
            and datetime.fromisoformat(str(record["created_at"])) >= sent_after
        )

    def find_email(self, *, reference: str) -> tuple[str, ...]:
        """Return the ids of stored e-mails with this reference."""
        return tuple(
            str(record["id"])
            for record in read_outbox(self._path)
            if record.get("channel") == "email" and record.get("reference") == reference
        )

    def _append(self, fields: dict[str, Any]) -> str:
        """Write one record and return its id."""
        outbox_id = f"outbox-{uuid.uuid4()}"
        record = {"id": outbox_id, "created_at": self._clock().isoformat(), **fields}
        line = json.dumps(record, ensure_ascii=False) + "\n"
        self._path.parent.mkdir(parents=True, exist_ok=True)
        # One write() on an O_APPEND descriptor keeps lines from concurrent workers whole.
        fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            data = line.encode("utf-8")
            while data:
                data = data[os.write(fd, data) :]
        finally:
            os.close(fd)
        return outbox_id


def _substitute(text: str, substitutions: Mapping[str, str]) -> str:
    for key, value in substitutions.items():
        text = text.replace(key, value)
    return text


def read_outbox(path: Path | str) -> list[dict[str, Any]]:
    """Return every message stored in an outbox file, oldest first; none if it is missing."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    records: list[dict[str, Any]] = []
    for line in text.splitlines():
        if line.strip():
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("outbox line is not a JSON object")
            records.append(record)
    return records
