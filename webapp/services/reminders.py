"""The messages around a volunteer's session: confirmation, reminders, thanks and changes.

For every proposed or confirmed assignment of a planned session:

- a confirmation at once, by e-mail and by SMS where the volunteer agreed to each;
- the day before, a reminder with links to confirm or cancel (e-mail and SMS);
- shortly before the start, an SMS with the meeting point and the route link;
- after the end, a thank-you (e-mail, or SMS for those without e-mail consent) with a
  link to a short feedback form.

Timing is set per campaign in `Campaign.reminder_offsets`, in minutes: "day_before" and
"soon" count from the session start (negative means before), "thanks" counts from the
session END. Missing or invalid values fall back to `ReminderOffsets()` defaults.
A reminder whose time has already passed when it is created is not written.

Keys of these rows start with `assignment:<id>:` and, except the confirmation, end with
the session start, so moving a session gives its reminders new keys.
"""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from webapp.db import utcnow
from webapp.models import Assignment, Campaign, CanvassSession, Message, Route, User
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.planning import AssignmentStatus, SessionStatus
from webapp.models.users import Channel
from webapp.services.errors import NotFoundError, ValidationError
from webapp.services.message_batch import (
    MessageBatch,
    MessageKeys,
    consented_channels,
    withdraw_message_ids,
    withdraw_pending,
)
from webapp.services.reply_links import feedback_url, reply_urls, start_stamp
from webapp.services.volunteer_sessions import list_team_mates
from webapp.urls import public_url

logger = logging.getLogger(__name__)

ACTIVE_STATUSES = (AssignmentStatus.PROPOSED, AssignmentStatus.CONFIRMED)
KEY_PREFIX = "assignment:"
# Rows that describe the assignment as planned. A change notice is not one of them.
SEQUENCE_PURPOSES = (
    MessagePurpose.ASSIGNMENT_CONFIRMATION,
    MessagePurpose.SESSION_REMINDER,
    MessagePurpose.SESSION_SOON,
    MessagePurpose.SESSION_THANKS,
)
# Offsets beyond a month either way are typing mistakes.
MAX_OFFSET_MINUTES = 31 * 24 * 60


@dataclass(frozen=True)
class ReminderOffsets:
    """When the reminders go, in minutes: the first two from the start, thanks from the end."""

    day_before_minutes: int = -1440
    soon_minutes: int = -120
    thanks_minutes: int = 60

    @classmethod
    def from_campaign(cls, raw: Mapping[str, object] | None) -> "ReminderOffsets":
        """Read a campaign's offsets, keeping the default of any missing or invalid value."""
        defaults = cls()
        values = {
            "day_before_minutes": _offset(raw, "day_before", defaults.day_before_minutes),
            "soon_minutes": _offset(raw, "soon", defaults.soon_minutes),
            "thanks_minutes": _offset(raw, "thanks", defaults.thanks_minutes),
        }
        return cls(**values)


def _offset(raw: Mapping[str, object] | None, name: str, default: int) -> int:
    value = (raw or {}).get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_OFFSET_MINUTES:
        logger.warning("Ignoring invalid reminder offset %s=%r", name, value)
        return default
    return value


def assignment_key_prefix(assignment_id: int) -> str:
    """Return the start shared by the keys of every message about one assignment."""
    return f"{KEY_PREFIX}{assignment_id}:"


def queue_reminders(
    session: Session, campaign_id: int, *, now: datetime | None = None
) -> list[Message]:
    """Create the confirmation and reminders of every active assignment of planned sessions.

    Existing rows are kept. Pending reminders of assignments that no longer exist or were
    declined are withdrawn. Needs an app context. The function flushes and the caller
    commits; only then are the send jobs enqueued.
    """
    now = now or utcnow()
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFoundError(f"campaign {campaign_id} not found")
    assignments = _active_assignments(
        session,
        CanvassSession.campaign_id == campaign_id,
        CanvassSession.status == SessionStatus.PLANNED,
    )
    _withdraw_orphans(session, campaign_id)
    return _queue_sequences(session, campaign, assignments, now)


def queue_assignment_reminders(
    session: Session, campaign_id: int, assignment_ids: Sequence[int], *, now: datetime
) -> list[Message]:
    """Create the missing confirmation and reminders of the given active assignments.

    Rows already live are kept, and withdrawn ones come back under a new key, so a
    volunteer whose reminders were withdrawn gets those still to come. Needs an app
    context; the caller commits.
    """
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFoundError(f"campaign {campaign_id} not found")
    assignments = _active_assignments(session, Assignment.id.in_(assignment_ids))
    return _queue_sequences(session, campaign, assignments, now)


def withdraw_assignment_reminders(session: Session, assignment_ids: Sequence[int]) -> int:
    """Withdraw the queued confirmation and reminders of the given assignments."""
    return withdraw_pending(session, [assignment_key_prefix(i) for i in assignment_ids])


def _queue_sequences(
    session: Session, campaign: Campaign, assignments: Sequence[Assignment], now: datetime
) -> list[Message]:
    batch = MessageBatch(session, campaign.id, MessageKeys.load(session, campaign.id, KEY_PREFIX))
    routes = _routes_by_team(session, assignments)
    mates = list_team_mates(session, assignments)
    offsets = ReminderOffsets.from_campaign(campaign.reminder_offsets)
    for assignment in assignments:
        route = routes.get((assignment.session_id, assignment.team))
        add_sequence(
            batch,
            assignment,
            route=route,
            campaign=campaign,
            offsets=offsets,
            now=now,
            with_confirmation=True,
            team_mate_names=mates.get(assignment.id, ()),
        )
    return batch.dispatch_after_commit()


def add_sequence(
    batch: MessageBatch,
    assignment: Assignment,
    *,
    route: Route | None,
    campaign: Campaign,
    offsets: ReminderOffsets,
    now: datetime,
    with_confirmation: bool,
    team_mate_names: Sequence[str] = (),
    is_offer: bool = False,
) -> None:
    """Add the confirmation (optionally) and every reminder still to come of one assignment.

    The confirmation e-mail names `team_mate_names`, the others of the team as it is now.
    With `is_offer`, the confirmation offers a freed place and requests a confirmation,
    because the volunteer never requested that session.
    """
    user = assignment.user
    canvass = assignment.session
    channels = consented_channels(user)
    if not channels:
        return
    day_before_at = canvass.starts_at + timedelta(minutes=offsets.day_before_minutes)
    # The confirmation promises the day-before reminder only when one is written.
    context = {
        **assignment_context(assignment, route, campaign),
        "has_reminder": day_before_at > now,
        "team_mate_names": list(team_mate_names),
        "is_offer": is_offer,
    }
    prefix = assignment_key_prefix(assignment.id)
    stamp = start_stamp(canvass.starts_at)

    def add(purpose: MessagePurpose, channel: Channel, send_after: datetime | None) -> None:
        base_key = f"{prefix}{purpose}:{channel}"
        if send_after is not None:
            base_key = f"{base_key}:{stamp}"
        batch.add(
            user=user,
            channel=channel,
            purpose=purpose,
            base_key=base_key,
            template=str(purpose),
            context=context,
            send_after=send_after,
        )

    if with_confirmation:
        for channel in channels:
            add(MessagePurpose.ASSIGNMENT_CONFIRMATION, channel, None)
    if day_before_at > now:
        for channel in channels:
            add(MessagePurpose.SESSION_REMINDER, channel, day_before_at)
    soon_at = canvass.starts_at + timedelta(minutes=offsets.soon_minutes)
    if soon_at > now and Channel.SMS in channels:
        add(MessagePurpose.SESSION_SOON, Channel.SMS, soon_at)
    thanks_at = canvass.ends_at + timedelta(minutes=offsets.thanks_minutes)
    if thanks_at > now:
        add(MessagePurpose.SESSION_THANKS, channels[0], thanks_at)


def assignment_context(
    assignment: Assignment, route: Route | None, campaign: Campaign
) -> dict[str, object]:
    """Return the values every template about an assignment may use."""
    canvass = assignment.session
    return {
        "first_name": assignment.user.first_name,
        "starts_at": canvass.starts_at,
        "ends_at": canvass.ends_at,
        "iris_name": canvass.iris.name,
        "meeting_point": canvass.meeting_point_label,
        "route_url": public_url("canvass.show_route", token=route.access_token) if route else None,
        "door_count": route.door_count if route else 0,
        "campaign_name": campaign.name,
        "sender_name": campaign.sms_sender_name,
        "feedback_url": feedback_url(assignment.id),
        **reply_urls(assignment.id, canvass.starts_at),
    }


def reschedule_session(
    session: Session,
    session_id: int,
    new_start: datetime,
    new_end: datetime,
    *,
    now: datetime | None = None,
) -> list[Message]:
    """Move a planned session, withdraw its pending messages and send the new times.

    Volunteers get a change notice at once and new reminders for the new time. A
    confirmed assignment goes back to proposed, because the volunteer agreed to the old
    time only. Raises NotFoundError or ValidationError. Needs an app context, and the
    caller commits.
    """
    now = now or utcnow()
    canvass = _lock_session(session, session_id)
    if canvass.status != SessionStatus.PLANNED:
        raise ValidationError("status", "not_planned")
    if new_end <= new_start:
        raise ValidationError("end", "end_before_start")
    if (new_start, new_end) == (canvass.starts_at, canvass.ends_at):
        return []
    old_start, old_end = canvass.starts_at, canvass.ends_at
    canvass.starts_at, canvass.ends_at = new_start, new_end
    _keep_route_links_open(canvass, old_end)
    assignments = _active_assignments(session, CanvassSession.id == session_id)
    withdraw_assignment_reminders(session, [a.id for a in assignments])
    for assignment in assignments:
        assignment.status = AssignmentStatus.PROPOSED
    session.flush()

    campaign = _campaign_of(session, canvass)
    batch = MessageBatch(session, campaign.id, MessageKeys.load(session, campaign.id, KEY_PREFIX))
    routes = _routes_by_team(session, assignments)
    offsets = ReminderOffsets.from_campaign(campaign.reminder_offsets)
    stamp = start_stamp(new_start)
    for assignment in assignments:
        route = routes.get((assignment.session_id, assignment.team))
        context = {**assignment_context(assignment, route, campaign), "old_starts_at": old_start}
        _add_notice(batch, assignment, "session_changed", f"changed:{stamp}", context)
        add_sequence(
            batch,
            assignment,
            route=route,
            campaign=campaign,
            offsets=offsets,
            now=now,
            with_confirmation=False,
        )
    logger.info(
        "Session %s moved; %s volunteers told",
        session_id,
        len(assignments),
        extra={"session_id": session_id, "campaign_id": campaign.id},
    )
    return batch.dispatch_after_commit()


def cancel_session(
    session: Session, session_id: int, *, now: datetime | None = None
) -> list[Message]:
    """Cancel a session, withdraw every pending message about it and tell its volunteers.

    Cancelling twice does nothing more. Raises NotFoundError. Needs an app context; the
    caller commits.
    """
    now = now or utcnow()
    canvass = _lock_session(session, session_id)
    if canvass.status == SessionStatus.CANCELLED:
        return []
    canvass.status = SessionStatus.CANCELLED
    every_id = session.scalars(select(Assignment.id).where(Assignment.session_id == session_id))
    withdraw_assignment_reminders(session, list(every_id))
    session.flush()
    campaign = _campaign_of(session, canvass)
    batch = MessageBatch(session, campaign.id, MessageKeys.load(session, campaign.id, KEY_PREFIX))
    if canvass.ends_at > now:
        assignments = _active_assignments(session, CanvassSession.id == session_id)
        for assignment in assignments:
            context = assignment_context(assignment, None, campaign)
            _add_notice(batch, assignment, "session_cancelled", "cancelled", context)
    logger.info(
        "Session %s cancelled",
        session_id,
        extra={"session_id": session_id, "campaign_id": campaign.id},
    )
    return batch.dispatch_after_commit()


def _add_notice(
    batch: MessageBatch,
    assignment: Assignment,
    template: str,
    key_suffix: str,
    context: Mapping[str, object],
) -> None:
    prefix = assignment_key_prefix(assignment.id)
    for channel in consented_channels(assignment.user):
        batch.add(
            user=assignment.user,
            channel=channel,
            purpose=MessagePurpose.SESSION_CHANGED,
            base_key=f"{prefix}{MessagePurpose.SESSION_CHANGED}:{channel}:{key_suffix}",
            template=template,
            context=context,
        )


def _lock_session(session: Session, session_id: int) -> CanvassSession:
    canvass = session.scalars(
        select(CanvassSession).where(CanvassSession.id == session_id).with_for_update()
    ).first()
    if canvass is None:
        raise NotFoundError(f"session {session_id} not found")
    return canvass


def _campaign_of(session: Session, canvass: CanvassSession) -> Campaign:
    campaign = session.get(Campaign, canvass.campaign_id)
    if campaign is None:
        raise NotFoundError(f"campaign {canvass.campaign_id} not found")
    return campaign


def _active_assignments(session: Session, *criteria: object) -> list[Assignment]:
    return list(
        session.scalars(
            select(Assignment)
            .join(CanvassSession, Assignment.session_id == CanvassSession.id)
            .where(Assignment.status.in_(ACTIVE_STATUSES), *criteria)  # type: ignore[arg-type]
            .options(
                selectinload(Assignment.user).selectinload(User.consents),
                selectinload(Assignment.session).selectinload(CanvassSession.iris),
            )
            .order_by(Assignment.id)
        )
    )


def _routes_by_team(
    session: Session, assignments: Sequence[Assignment]
) -> dict[tuple[int, int], Route]:
    session_ids = {assignment.session_id for assignment in assignments}
    if not session_ids:
        return {}
    routes = session.scalars(select(Route).where(Route.session_id.in_(session_ids)))
    return {(route.session_id, route.team): route for route in routes}


def _withdraw_orphans(session: Session, campaign_id: int) -> None:
    """Withdraw pending rows about assignments that were removed, declined or cancelled.

    A session marked done keeps its pending thank-you, so only declined assignments,
    cancelled sessions and rows whose assignment is gone count as orphans.
    """
    kept_ids = set(
        session.scalars(
            select(Assignment.id)
            .join(CanvassSession, Assignment.session_id == CanvassSession.id)
            .where(
                CanvassSession.campaign_id == campaign_id,
                CanvassSession.status != SessionStatus.CANCELLED,
                Assignment.status != AssignmentStatus.DECLINED,
            )
        )
    )
    pending = session.execute(
        select(Message.id, Message.idempotency_key).where(
            Message.campaign_id == campaign_id,
            Message.status == MessageStatus.QUEUED,
            Message.purpose.in_(SEQUENCE_PURPOSES),
            Message.idempotency_key.startswith(KEY_PREFIX),
        )
    ).all()
    orphans = [message_id for message_id, key in pending if _assignment_id_of(key) not in kept_ids]
    if withdraw_message_ids(session, orphans):
        logger.info(
            "Withdrew %s messages of assignments no longer planned",
            len(orphans),
            extra={"campaign_id": campaign_id},
        )


def _assignment_id_of(key: str) -> int | None:
    part = key[len(KEY_PREFIX) :].split(":", 1)[0]
    return int(part) if part.isdigit() else None


def _keep_route_links_open(canvass: CanvassSession, old_end: datetime) -> None:
    """Push route link expiries back by as much as the session end moved later."""
    shift = canvass.ends_at - old_end
    if shift <= timedelta(0):
        return
    for route in canvass.routes:
        route.token_expires_at = route.token_expires_at + shift
