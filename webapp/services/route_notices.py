"""Notify volunteers on the day of a session that a re-planning changed their route.

A re-planning keeps each team's route row and link, so a link already sent opens the
new walk. Earlier than `ROUTE_NOTICE_WINDOW` before the start nothing is sent, because
the reminders still to come carry that link. From then on, and while the session runs,
each member still coming of a team listed in `ReplanReport.changed_routes` gets one
message at once. It goes by SMS where they agreed to SMS, as the reminder shortly
before the start does, and by e-mail otherwise. A team marked present again is notified
too: its members' reminders are written again, but the one with the link may already be
past. For the same reason a volunteer left alone and joined to another team
(`ReplanReport.joined`) is notified of that team's route, even when the team's doors
did not change and its other members get no notice.

Keys are `assignment:<id>:route_changed:<channel>:<time of the re-planning>`, so each
re-planning writes rows of its own and writing the notices of one re-planning again
adds none. The rows go through the delivery of every reminder: consent, opt-outs,
erasures and rate limits apply there, and quiet hours hold broadcasts only.
"""

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from webapp.models import Assignment, Campaign, CanvassSession, Message, Route, User
from webapp.models.messaging import MessagePurpose
from webapp.models.planning import AssignmentStatus
from webapp.models.users import Channel
from webapp.services.errors import NotFoundError
from webapp.services.message_batch import MessageBatch, MessageKeys, consented_channels
from webapp.services.reminders import KEY_PREFIX, assignment_context, assignment_key_prefix
from webapp.services.replanning import ReplanReport

logger = logging.getLogger(__name__)

# How long before the start a changed route is worth a message of its own. Before that,
# the reminder the day before and the SMS shortly before the start carry the route link.
ROUTE_NOTICE_WINDOW = timedelta(hours=3)
TEMPLATE = "route_changed"


def notify_route_changes(session: Session, report: ReplanReport, *, now: datetime) -> list[Message]:
    """Queue, to go at once, a notice to each volunteer whose route changed.

    They are the members still coming of each changed team, and the volunteer joined to
    another team, if any. `now` is the time of the re-planning and names its notices.
    Returns the new rows, none outside the window. Needs an app context. The caller
    commits, and the send jobs are enqueued after the commit.
    """
    if not report.changed_routes and not report.joined:
        return []
    canvass = session.get(CanvassSession, report.session_id)
    if canvass is None:
        raise NotFoundError(f"session {report.session_id} not found")
    if not is_in_notice_window(canvass, now):
        return []
    campaign = session.get(Campaign, canvass.campaign_id)
    if campaign is None:
        raise NotFoundError(f"campaign {canvass.campaign_id} not found")

    to_visit = {change.team: change.to_visit_count for change in report.changed_routes}
    to_visit.update((joined.team, joined.to_visit_count) for joined in report.joined)
    routes = {
        route.team: route
        for route in session.scalars(select(Route).where(Route.session_id == canvass.id))
    }
    batch = MessageBatch(session, campaign.id, MessageKeys.load(session, campaign.id, KEY_PREFIX))
    stamp = replanning_stamp(now)
    for assignment in _recipients(session, canvass.id, report):
        channel = notice_channel(assignment.user)
        if channel is None:
            continue
        context = {
            **assignment_context(assignment, routes.get(assignment.team), campaign),
            "to_visit_count": to_visit[assignment.team],
        }
        purpose = MessagePurpose.ROUTE_CHANGED
        batch.add(
            user=assignment.user,
            channel=channel,
            purpose=purpose,
            base_key=f"{assignment_key_prefix(assignment.id)}{purpose}:{channel}:{stamp}",
            template=TEMPLATE,
            context=context,
        )
    messages = batch.dispatch_after_commit()
    logger.info(
        "Session %s re-planned on the day: %s route notices for teams %s",
        canvass.id,
        len(messages),
        sorted(to_visit),
        extra={"campaign_id": campaign.id, "session_id": canvass.id},
    )
    return messages


def is_in_notice_window(canvass: CanvassSession, now: datetime) -> bool:
    """Tell whether the session starts within `ROUTE_NOTICE_WINDOW` or is under way."""
    return canvass.starts_at - ROUTE_NOTICE_WINDOW <= now < canvass.ends_at


def notice_channel(user: User) -> Channel | None:
    """Return the one channel of a route notice: SMS if the volunteer agreed to it."""
    channels = consented_channels(user)
    if Channel.SMS in channels:
        return Channel.SMS
    return channels[0] if channels else None


def replanning_stamp(moment: datetime) -> str:
    """Return the UTC time of a re-planning to the microsecond, as used in notice keys.

    Each re-planning request takes its own `now`, so two re-plannings of one session
    share a stamp only if both requests start in the same microsecond.
    """
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def _recipients(session: Session, session_id: int, report: ReplanReport) -> list[Assignment]:
    """Return the members still coming of the changed teams, and the volunteers joined."""
    teams = [change.team for change in report.changed_routes]
    joined = [joined.assignment_id for joined in report.joined]
    return list(
        session.scalars(
            select(Assignment)
            .where(
                Assignment.session_id == session_id,
                or_(Assignment.team.in_(teams), Assignment.id.in_(joined)),
                Assignment.status != AssignmentStatus.DECLINED,
            )
            .options(
                selectinload(Assignment.user).selectinload(User.consents),
                selectinload(Assignment.session),
            )
            .order_by(Assignment.id)
        )
    )
