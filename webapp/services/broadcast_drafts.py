"""A broadcast before it is sent: what the coordinator wrote, its rules and its estimate.

The estimate counts who the draft reaches, what its SMS segments cost, and how long the
sending takes at the sender's configured rate in the push window. A draft whose sending
would not fit the SMS validity period, the window or the time before an electoral
silence is refused (see `messaging.send_timing`).
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from messaging.segments import count_sms_segments
from messaging.send_timing import SendTiming, plan_send
from webapp.db import utcnow
from webapp.models import Campaign
from webapp.models.users import Channel
from webapp.services.broadcast_reach import count_recipients
from webapp.services.broadcast_segments import Segment, check_segment
from webapp.services.delivery import push_rules
from webapp.services.errors import NotFoundError, ValidationError
from webapp.settings import Settings
from webapp.settings_access import get_settings

# Estimated price of one SMS segment to a French mobile, in euros. The real price
# depends on the provider contract: pages present the cost as an estimate.
SMS_SEGMENT_PRICE_EUR = Decimal("0.045")
MAX_SMS_BODY_LENGTH = 1000
MAX_EMAIL_BODY_LENGTH = 20000
MAX_SUBJECT_LENGTH = 200
# A scheduled time must leave the jobs a moment to be enqueued, and stay within a year.
MIN_SCHEDULE_LEAD = timedelta(minutes=1)
MAX_SCHEDULE_AHEAD = timedelta(days=365)
# An opt-out instruction: the word STOP in capitals, as French operators expect it.
STOP_MENTION_RE = re.compile(r"\bSTOP\b")


@dataclass(frozen=True)
class BroadcastDraft:
    """What the coordinator wrote; `scheduled_at` is UTC, None to send at once."""

    channel: Channel
    segment: Segment
    body: str
    subject: str = ""
    scheduled_at: datetime | None = None


@dataclass(frozen=True)
class BroadcastEstimate:
    """Who receives the draft, for SMS how many segments it costs, and how long it takes.

    `cost_eur` is an estimate from `SMS_SEGMENT_PRICE_EUR`, rounded to the cent.
    `timing` is the sending at the sender's configured rate, in the push window.
    """

    recipient_count: int
    encoding: str | None = None
    characters: int = 0
    segments_per_message: int = 0
    total_segments: int = 0
    cost_eur: Decimal | None = None
    timing: SendTiming | None = None


class SendTimingError(ValidationError):
    """Refusal of a broadcast's requested time, with the `timing` that explains it."""

    def __init__(self, timing: SendTiming) -> None:
        super().__init__("scheduled_at", str(timing.problem))
        self.timing = timing


def check_mentions(body: str, sender_names: tuple[str, ...]) -> list[str]:
    """Return the mandatory mentions a push SMS lacks: "sender", "stop", or none.

    The sender is named when any of `sender_names` appears, ignoring case. The way to
    stop is the word STOP in capitals ("Répondez STOP", "STOP au 36180").
    """
    missing = []
    folded = body.casefold()
    if not any(name.strip() and name.strip().casefold() in folded for name in sender_names):
        missing.append("sender")
    if not STOP_MENTION_RE.search(body):
        missing.append("stop")
    return missing


def sender_names(campaign: Campaign) -> tuple[str, ...]:
    """Return the names that identify the sender of the campaign's SMS."""
    return (campaign.sms_sender_name, campaign.name)


def validate_draft(
    session: Session, campaign: Campaign, draft: BroadcastDraft, *, now: datetime
) -> None:
    """Raise ValidationError(field, code) when the draft breaks a rule."""
    body = draft.body.strip()
    if not body:
        raise ValidationError("body", "empty")
    if draft.channel == Channel.SMS:
        if len(body) > MAX_SMS_BODY_LENGTH:
            raise ValidationError("body", "too_long")
        missing = check_mentions(body, sender_names(campaign))
        if missing:
            raise ValidationError("body", f"missing_{missing[0]}")
    else:
        if len(body) > MAX_EMAIL_BODY_LENGTH:
            raise ValidationError("body", "too_long")
        if not draft.subject.strip():
            raise ValidationError("subject", "empty")
        if len(draft.subject) > MAX_SUBJECT_LENGTH:
            raise ValidationError("subject", "too_long")
    if draft.scheduled_at is not None:
        if draft.scheduled_at < now + MIN_SCHEDULE_LEAD:
            raise ValidationError("scheduled_at", "in_the_past")
        if draft.scheduled_at > now + MAX_SCHEDULE_AHEAD:
            raise ValidationError("scheduled_at", "too_far")
    check_segment(session, campaign.id, draft.segment)


def estimate_broadcast(
    session: Session,
    campaign_id: int,
    draft: BroadcastDraft,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> BroadcastEstimate:
    """Count the reachable recipients, the SMS segments and cost, and the sending time.

    The recipients are counted in SQL with the conditions the fan-out inserts with.
    The sending rates are read from `settings`, or from the app's settings when None.
    """
    now = now or utcnow()
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFoundError(f"campaign {campaign_id} not found")
    check_segment(session, campaign_id, draft.segment)
    count = count_recipients(session, campaign_id, draft.channel, draft.segment, now)
    return estimate_for(campaign, draft, count, now, settings or get_settings())


def check_send_timing(estimate: BroadcastEstimate) -> None:
    """Raise SendTimingError when the estimate shows the broadcast may not go out as asked."""
    if estimate.timing is not None and estimate.timing.problem is not None:
        raise SendTimingError(estimate.timing)


def estimate_for(
    campaign: Campaign, draft: BroadcastDraft, count: int, now: datetime, settings: Settings
) -> BroadcastEstimate:
    """Return the estimate of a draft for `count` recipients."""
    if draft.channel != Channel.SMS:
        return BroadcastEstimate(
            recipient_count=count, timing=_send_timing(campaign, draft, count, now, settings)
        )
    sms = count_sms_segments(draft.body.strip())
    total = sms.segments * count
    cost = (SMS_SEGMENT_PRICE_EUR * total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return BroadcastEstimate(
        recipient_count=count,
        encoding=sms.encoding,
        characters=sms.characters,
        segments_per_message=sms.segments,
        total_segments=total,
        cost_eur=cost,
        timing=_send_timing(campaign, draft, total, now, settings),
    )


def _send_timing(
    campaign: Campaign, draft: BroadcastDraft, units: int, now: datetime, settings: Settings
) -> SendTiming:
    """Plan the sending of `units` (SMS segments or e-mails) from the requested time.

    NOTE: the rate is the sender's whole rate, so the estimate is too short when
    reminders or another broadcast go out from the same sender at the same time.
    """
    is_sms = draft.channel == Channel.SMS
    return plan_send(
        units=units,
        rate_per_s=settings.sms_rate_per_s if is_sms else settings.email_rate_per_s,
        requested_at=draft.scheduled_at or now,
        rules=push_rules(campaign),
        validity_period_s=settings.sms_validity_period_s if is_sms else None,
    )
