"""Results of delivery steps: the row's status and the job to schedule next."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from webapp.models import Message
from webapp.models.messaging import MessageStatus
from webapp.services.delivery_claims import OutgoingMessage

# A claim older than this, with no worker holding the address's lock, is looked up at
# the provider. Longer than a send job's timeout, and than the providers' indexing delay.
STALE_CLAIM = timedelta(minutes=2)
# Claims per message, retries and resends after a lookup included.
MAX_SEND_ATTEMPTS = 6
# A handset that was off or out of coverage gets its one more try after this wait.
UNREACHABLE_RETRY_DELAY = timedelta(minutes=30)
# `failure_reason` of a message resent once after an unreachable handset; a second
# report of that kind fails it.
UNREACHABLE_RETRIED = "unreachable_retried"


class FollowUp(StrEnum):
    """Job the caller must schedule after a step."""

    NONE = "none"
    SEND = "send"
    RECONCILE = "reconcile"


@dataclass(frozen=True)
class DeliveryResult:
    """The row's status after a step (None: no such row) and the job to schedule next."""

    status: MessageStatus | None
    follow_up: FollowUp = FollowUp.NONE
    at: datetime | None = None


def follow_ups(
    results: Mapping[int, DeliveryResult],
) -> Iterator[tuple[FollowUp, datetime | None, list[int]]]:
    """Group the results that need a later job by kind and time: (kind, at, message ids)."""
    groups: dict[tuple[FollowUp, datetime | None], list[int]] = {}
    for message_id, result in results.items():
        if result.follow_up is not FollowUp.NONE:
            groups.setdefault((result.follow_up, result.at), []).append(message_id)
    for (kind, at), message_ids in groups.items():
        yield kind, at, sorted(message_ids)


def log_ids(message: Message | OutgoingMessage) -> dict[str, object]:
    """Return the ids every log line about a message carries."""
    return {"message_id": message.id, "campaign_id": message.campaign_id}
