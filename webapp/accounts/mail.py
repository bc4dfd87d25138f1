"""E-mails about the account itself: address checks, password resets, invitations.

They are not campaign messages: no Message row and no consent, since the person asked
for them or must be told. Each is rendered in the recipient's language during the
request and handed to the e-mail sender once the unit of work commits; a failed send is
logged, and the page shown is the same either way.
"""

import logging
import secrets
from dataclasses import dataclass
from typing import Any

from flask import render_template
from flask_babel import force_locale
from sqlalchemy.orm import Session

from webapp.db import call_after_commit
from webapp.services.delivery import senders_for
from webapp.settings_access import get_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccountEmail:
    kind: str
    to: str
    subject: str
    body: str


def render_account_email(kind: str, to: str, locale: str, **context: Any) -> AccountEmail:
    """Render `accounts/email/<kind>_subject.txt` and `_body.txt` in `locale`."""
    settings = get_settings()
    chosen = locale if locale in settings.supported_locales else settings.default_locale
    with force_locale(chosen):
        subject = render_template(f"accounts/email/{kind}_subject.txt", **context)
        body = render_template(f"accounts/email/{kind}_body.txt", **context)
    return AccountEmail(kind=kind, to=to, subject=" ".join(subject.split()), body=body)


def send_after_commit(session: Session, email: AccountEmail, user_id: int | None = None) -> None:
    """Send `email` once `session` commits; nothing is sent if it rolls back."""
    settings = get_settings()

    def send() -> None:
        # The reference names the kind only: the links in the body are secrets.
        reference = f"account-{email.kind}-{secrets.token_hex(6)}"
        try:
            senders_for(settings).email.send_email(
                to=email.to,
                subject=email.subject,
                text_body=email.body,
                html_body=None,
                sender=settings.email_sender,
                sender_name=settings.email_sender_name,
                reference=reference,
                headers={"Auto-Submitted": "auto-generated"},
            )
        except Exception as error:  # noqa: BLE001 - the page must not fail after the commit
            logger.error(
                "account e-mail %s not sent: %s",
                email.kind,
                type(error).__name__,
                extra={"user_id": user_id, "reference": reference},
            )
            return
        logger.info(
            "account e-mail %s sent (reference %s)",
            email.kind,
            reference,
            extra={"user_id": user_id, "reference": reference},
        )

    call_after_commit(session, send)
