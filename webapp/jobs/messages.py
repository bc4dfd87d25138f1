"""Job that sends one message row through the configured provider."""

import logging

from webapp.jobs.context import job_session
from webapp.services.delivery import deliver_message

logger = logging.getLogger(__name__)


def send_message(message_id: int) -> str:
    """Send message `message_id` once; a message no longer queued is left untouched.

    Idempotent: the row is claimed (queued → sending) and committed before the provider
    call, so a second run of the same job finds it claimed and sends nothing.
    """
    with job_session() as session:
        status = deliver_message(session, message_id)
    return str(status)
