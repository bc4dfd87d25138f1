"""Notify volunteers on the day of a session that a re-planning changed their team's route.

A re-planning keeps each team's route row and link, so a link already sent opens the
new walk. Earlier than `ROUTE_NOTICE_WINDOW` before the start nothing is sent, because
the reminders still to come carry that link, and each route counts as notified as it
is. From then on, and while the session runs, each member still coming of a team with a
walk gets one message when the team's doors differ from those it was last notified of,
or when someone joined the team since (`webapp.services.route_notice_state`):

- a member notified before gets the new route, and the first names of who joined;
- a member new to the team, such as a volunteer left alone who joined it, gets the
  route and the first names of their team mates.

The message goes by SMS where the volunteer agreed to SMS, as the reminder shortly
before the start does, and by e-mail otherwise. It waits `ROUTE_NOTICE_HOLD` before it
goes out: a re-planning before then withdraws it, and writes one notice with where
things stand, or none for a team back to the doors it was notified of.

Keys are `assignment:<id>:route_changed:<channel>:<time of the re-planning>`, so each
re-planning writes rows of its own and writing the notices of one re-planning again
adds none. The rows go through the delivery of every reminder: consent, opt-outs,
erasures and rate limits apply there, and quiet hours hold broadcasts only.

A planning run that forms the teams again writes the same notices through
`webapp.services.reformed_teams`.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from webapp.models import Assignment, Campaign, CanvassSession, Message, Route, User
from webapp.models.messaging import MessagePurpose
from webapp.models.planning import AssignmentStatus
from webapp.models.users import Channel
from webapp.name_lists import distinct_first_names
from webapp.services.errors import NotFoundError
from webapp.services.message_batch import MessageBatch, MessageKeys, consented_channels
from webapp.services.reminders import KEY_PREFIX, assignment_context, assignment_key_prefix
from webapp.services.replanning import ReplanReport
from webapp.services.route_notice_state import (
    ROUTE_NOTICE_HOLD,
    NotifiedRoute,
    hold_notice,
    notified_route,
    record_notified,
    settle_held_notices,
)

logger = logging.getLogger(__name__)

# How long before the start a changed route is worth a message of its own. Before that,
# the reminder the day before and the SMS shortly before the start carry the route link.
ROUTE_NOTICE_WINDOW = timedelta(hours=3)
ROUTE_TEMPLATE = "route_changed"
TEAM_TEMPLATE = "team_changed"


@dataclass(frozen=True)
class MemberNotice:
    """The notice one member of a team gets, and what its template adds to the usual."""

    assignment: Assignment
    template: str
    context: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class RouteNotices:
    """The notices a re-planning queued, and those of an earlier one it withdrew."""

    queued: list[Message]
    withdrawn: list[Message]


def notify_route_changes(session: Session, report: ReplanReport, *, now: datetime) -> RouteNotices:
    """Queue, held for `ROUTE_NOTICE_HOLD`, a notice to each member of a changed team.

    `now` is the time of the re-planning and names its notices. Outside the window,
    nothing is queued and each route with a walk counts as notified. Needs an app context.
    The caller commits, and the send jobs are enqueued after the commit.
    """
    canvass = session.get(CanvassSession, report.session_id)
    if canvass is None:
        raise NotFoundError(f"session {report.session_id} not found")
    routes = {
        route.team: route
        for route in session.scalars(select(Route).where(Route.session_id == canvass.id))
    }
    members = list_members_coming(session, canvass.id)
    walks = {walk.team: walk.to_visit_count for walk in report.walks if walk.team in routes}
    if not is_in_notice_window(canvass, now):
        for team in walks:
            record_notified(routes[team], [member.id for member in members.get(team, [])])
        session.flush()
        return RouteNotices(queued=[], withdrawn=[])

    release_at = now + ROUTE_NOTICE_HOLD
    withdrawn = settle_held_notices(
        session, canvass.id, routes.values(), now=now, release_at=release_at
    )
    campaign = session.get(Campaign, canvass.campaign_id)
    if campaign is None:
        raise NotFoundError(f"campaign {canvass.campaign_id} not found")
    batch = MessageBatch(session, campaign.id, MessageKeys.load(session, campaign.id, KEY_PREFIX))
    notified_teams = []
    for team, to_visit_count in sorted(walks.items()):
        route, team_members = routes[team], members.get(team, [])
        notices = team_notices(notified_route(route), route.address_ids, team_members)
        if notices:
            notified_teams.append(team)
            add_member_notices(
                batch,
                notices,
                route,
                campaign,
                to_visit_count=to_visit_count,
                now=now,
                release_at=release_at,
            )
            hold_notice(route, [member.id for member in team_members], release_at)
    messages = batch.dispatch_after_commit()
    logger.info(
        "Session %s re-planned on the day: %s notices for teams %s, %s held notices withdrawn",
        canvass.id,
        len(messages),
        notified_teams,
        len(withdrawn),
        extra={"campaign_id": campaign.id, "session_id": canvass.id},
    )
    return RouteNotices(queued=messages, withdrawn=withdrawn)


def team_notices(
    notified: NotifiedRoute, address_ids: Sequence[int], members: Sequence[Assignment]
) -> list[MemberNotice]:
    """Return the notice each member of a team gets, none when nothing changed for them.

    `address_ids` are the route's doors now, done and to visit, and `members` those
    still coming. A member not notified of the route is new to the team.
    """
    is_route_changed = notified.address_ids is None or set(address_ids) != notified.address_ids
    newcomers = [member for member in members if member.id not in notified.assignment_ids]
    shown = distinct_first_names([(m.user.first_name, m.user.last_name) for m in members])
    name_of = {member.id: name for member, name in zip(members, shown, strict=True)}
    newcomer_names = [name_of[member.id] for member in newcomers]
    notices = []
    for member in members:
        mate_names = [name_of[other.id] for other in members if other is not member]
        if member in newcomers and mate_names:
            context = {"is_new_member": True, "names": mate_names}
            notices.append(MemberNotice(member, TEAM_TEMPLATE, context))
        elif member in newcomers:
            # Alone in a team new to them: the new route is all there is to tell.
            notices.append(MemberNotice(member, ROUTE_TEMPLATE))
        elif newcomers:
            context = {
                "is_new_member": False,
                "names": newcomer_names,
                "is_route_changed": is_route_changed,
            }
            notices.append(MemberNotice(member, TEAM_TEMPLATE, context))
        elif is_route_changed:
            notices.append(MemberNotice(member, ROUTE_TEMPLATE))
    return notices


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


def add_member_notices(
    batch: MessageBatch,
    notices: Sequence[MemberNotice],
    route: Route,
    campaign: Campaign,
    *,
    to_visit_count: int,
    now: datetime,
    release_at: datetime,
) -> None:
    """Add each member's notice, on their one channel, to go at `release_at`."""
    purpose = MessagePurpose.ROUTE_CHANGED
    stamp = replanning_stamp(now)
    for notice in notices:
        assignment = notice.assignment
        channel = notice_channel(assignment.user)
        if channel is None:
            continue
        batch.add(
            user=assignment.user,
            channel=channel,
            purpose=purpose,
            base_key=f"{assignment_key_prefix(assignment.id)}{purpose}:{channel}:{stamp}",
            template=notice.template,
            context={
                **assignment_context(assignment, route, campaign),
                **notice.context,
                "to_visit_count": to_visit_count,
            },
            send_after=release_at,
        )


def list_members_coming(session: Session, session_id: int) -> dict[int, list[Assignment]]:
    """Return the session's members who did not decline, by team, in assignment order."""
    assignments = session.scalars(
        select(Assignment)
        .where(Assignment.session_id == session_id, Assignment.status != AssignmentStatus.DECLINED)
        .options(
            selectinload(Assignment.user).selectinload(User.consents),
            selectinload(Assignment.session).selectinload(CanvassSession.iris),
        )
        .order_by(Assignment.id)
    )
    members: dict[int, list[Assignment]] = {}
    for assignment in assignments:
        members.setdefault(assignment.team, []).append(assignment)
    return members
