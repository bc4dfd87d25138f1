"""Compose assignment confirmations and reminders as Message rows, then queue them.

Rows come first: each has a unique idempotency key, so planning twice creates nothing
new, and the send jobs are enqueued only after the transaction commits.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from webapp.db import call_after_commit
from webapp.jobs.dispatch import enqueue_messages
from webapp.models import Assignment, Campaign, CanvassSession, Message, Route, User
from webapp.models.messaging import MessagePurpose
from webapp.models.planning import AssignmentStatus
from webapp.models.users import Channel
from webapp.settings_access import get_settings
from webapp.urls import public_url

logger = logging.getLogger(__name__)

REMINDER_LEAD = timedelta(days=1)


@dataclass(frozen=True)
class MessageContent:
    subject: str
    body: str


def queue_assignment_messages(session: Session, campaign_id: int) -> list[Message]:
    """Create the confirmation and day-before reminder of every proposed assignment.

    Needs an app context (templates and translations). Only channels the volunteer
    consented to get a row; existing rows are left as they are.
    """
    campaign = session.get(Campaign, campaign_id)
    assignments = session.scalars(
        select(Assignment)
        .join(CanvassSession)
        .where(
            CanvassSession.campaign_id == campaign_id,
            Assignment.status.in_([AssignmentStatus.PROPOSED, AssignmentStatus.CONFIRMED]),
        )
        .options(
            selectinload(Assignment.user).selectinload(User.consents),
            selectinload(Assignment.session),
        )
        .order_by(Assignment.id)
    ).all()
    existing_keys = set(
        session.scalars(select(Message.idempotency_key).where(Message.campaign_id == campaign_id))
    )
    created: list[Message] = []
    for assignment in assignments:
        route = session.scalars(
            select(Route).where(
                Route.session_id == assignment.session_id, Route.team == assignment.team
            )
        ).first()
        for channel, recipient in _channels(assignment.user):
            for purpose, send_after in (
                (MessagePurpose.ASSIGNMENT_CONFIRMATION, None),
                (MessagePurpose.SESSION_REMINDER, assignment.session.starts_at - REMINDER_LEAD),
            ):
                key = f"assignment:{assignment.id}:{purpose}:{channel}"
                if key in existing_keys:
                    continue
                content = _render(purpose, channel, assignment, route, campaign)
                message = Message(
                    campaign_id=campaign_id,
                    user_id=assignment.user_id,
                    idempotency_key=key,
                    channel=channel,
                    purpose=purpose,
                    recipient=recipient,
                    subject=content.subject,
                    body=content.body,
                    send_after=send_after,
                )
                session.add(message)
                created.append(message)
    session.flush()
    schedule = [(m.id, m.send_after) for m in created]
    settings = get_settings()
    call_after_commit(session, lambda: enqueue_messages(settings, schedule))
    logger.info(
        "Queued %s messages for campaign %s",
        len(created),
        campaign_id,
        extra={"campaign_id": campaign_id},
    )
    return created


def _channels(user: User) -> list[tuple[Channel, str]]:
    channels = []
    if user.has_consent(Channel.EMAIL):
        channels.append((Channel.EMAIL, user.email))
    if user.phone_e164 and user.has_consent(Channel.SMS):
        channels.append((Channel.SMS, user.phone_e164))
    return channels


def _render(
    purpose: MessagePurpose,
    channel: Channel,
    assignment: Assignment,
    route: Route | None,
    campaign: Campaign | None,
) -> MessageContent:
    user = assignment.user
    canvass_session = assignment.session
    context = {
        "first_name": user.first_name,
        "starts_at": canvass_session.starts_at,
        "ends_at": canvass_session.ends_at,
        "meeting_point": canvass_session.meeting_point_label,
        "route_url": public_url("canvass.show_route", token=route.access_token) if route else None,
        "campaign_name": campaign.name if campaign else "",
        "sender_name": campaign.sms_sender_name if campaign else "",
        "door_count": route.door_count if route else 0,
    }
    with force_locale(user.locale):
        template = f"messages/{purpose}_{channel}.txt"
        body = render_template(template, **context).strip()
        subject = ""
        if channel == Channel.EMAIL:
            subject = render_template(f"messages/{purpose}_subject.txt", **context).strip()
    return MessageContent(subject=subject, body=body)
