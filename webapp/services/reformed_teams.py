"""Replace the links of teams a planning run formed differently, and notify their members.

A planning run deals each session's volunteers into teams again
(`routing.assignment_teams`). One volunteer more or less may change every team of the
session, while each team number keeps its route row and link. So after storing a
session's routes, the run:

- gives a route a new token and no short code when a member who may hold its link is no
  longer in its team, and keeps the old ones as replaced (`webapp.services.replaced_links`).
  Nobody then opens, from a link sent earlier, the route of a team they are no longer in.
  The members' queued reminders are withdrawn, and the run writes them again with the
  new link;
- notifies, like a change on the day (`webapp.services.route_notices`), each member whose
  team changed since they were sent its route: the names of their team mates and the
  link, or the link alone for a member left alone. The members of a replaced link all
  count as new to the team. Within `ROUTE_NOTICE_WINDOW` of the start, a route whose doors alone
  changed is sent too. Before then, the reminders still to come carry the new doors.

A volunteer the session has no confirmation for yet gets no notice: the confirmation the
run writes next names their team mates and carries the link. Notices wait
`ROUTE_NOTICE_HOLD`, so a second run within that time withdraws them and sends one
notice with where things stand.
"""

import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from webapp.models import Assignment, Campaign, CanvassSession, Message, Route
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.services.errors import NotFoundError
from webapp.services.message_batch import WITHDRAWN_REASON, MessageBatch, MessageKeys
from webapp.services.reminders import (
    KEY_PREFIX,
    assignment_key_prefix,
    withdraw_assignment_reminders,
)
from webapp.services.replaced_links import give_up_links
from webapp.services.route_notice_state import (
    ROUTE_NOTICE_HOLD,
    hold_notice,
    notified_route,
    record_notified,
    settle_held_notices,
)
from webapp.services.route_notices import (
    RouteNotices,
    add_member_notices,
    is_in_notice_window,
    list_members_coming,
    team_notices,
)
from webapp.services.routes import new_access_token

logger = logging.getLogger(__name__)


def notify_reformed_teams(
    session: Session, canvass: CanvassSession, routes: Sequence[Route], *, now: datetime
) -> RouteNotices:
    """Replace the links of the session's re-formed teams and queue their members' notices.

    `routes` are the session's routes just stored by a planning run at `now`. Needs an app
    context. The caller commits, and the send jobs are enqueued after the commit.
    """
    members = list_members_coming(session, canvass.id)
    # Read before the held notices settle, which forgets the members of a notice it
    # withdraws: they may have the link from another message, such as a confirmation.
    holders = {route.id: _link_holders(route) for route in routes}
    release_at = now + ROUTE_NOTICE_HOLD
    withdrawn = settle_held_notices(session, canvass.id, routes, now=now, release_at=release_at)
    replaced = _replace_stale_links(session, routes, members, holders)
    if now >= canvass.ends_at:
        # Too late to tell anyone: the session is over.
        for route in routes:
            record_notified(route, _ids(members.get(route.team, [])))
        session.flush()
        return RouteNotices(queued=[], withdrawn=withdrawn)

    queued = _queue_notices(session, canvass, routes, members, now=now, release_at=release_at)
    logger.info(
        "Session %s planned again: links of teams %s replaced, %s notices, %s held withdrawn",
        canvass.id,
        [route.team for route in replaced],
        len(queued),
        len(withdrawn),
        extra={"campaign_id": canvass.campaign_id, "session_id": canvass.id},
    )
    return RouteNotices(queued=queued, withdrawn=withdrawn)


def _replace_stale_links(
    session: Session,
    routes: Sequence[Route],
    members: Mapping[int, Sequence[Assignment]],
    holders: Mapping[int, frozenset[int]],
) -> list[Route]:
    """Replace the link of each route sent to someone no longer in its team; return those."""
    replaced = []
    for route in routes:
        team_members = members.get(route.team, [])
        if holders[route.id] - set(_ids(team_members)):
            _replace_link(session, route, team_members)
            replaced.append(route)
    session.flush()
    return replaced


def _queue_notices(
    session: Session,
    canvass: CanvassSession,
    routes: Sequence[Route],
    members: Mapping[int, Sequence[Assignment]],
    *,
    now: datetime,
    release_at: datetime,
) -> list[Message]:
    """Queue the notice of each member whose team, or within the window route, changed."""
    campaign = session.get(Campaign, canvass.campaign_id)
    if campaign is None:
        raise NotFoundError(f"campaign {canvass.campaign_id} not found")
    confirming = _awaiting_confirmation(session, [m.id for team in members.values() for m in team])
    batch = MessageBatch(session, campaign.id, MessageKeys.load(session, campaign.id, KEY_PREFIX))
    is_door_change_sent = is_in_notice_window(canvass, now)
    for route in routes:
        team_members = members.get(route.team, [])
        notified = notified_route(route)
        if not is_door_change_sent:
            # Doors count as notified: the reminders still to come carry them.
            notified = replace(notified, address_ids=frozenset(route.address_ids))
        notices = [
            notice
            for notice in team_notices(notified, route.address_ids, team_members)
            if notice.assignment.id not in confirming
        ]
        if not notices:
            record_notified(route, _ids(team_members))
            continue
        add_member_notices(
            batch,
            notices,
            route,
            campaign,
            to_visit_count=route.door_count,
            now=now,
            release_at=release_at,
        )
        hold_notice(route, _ids(team_members), release_at)
    return batch.dispatch_after_commit()


def _link_holders(route: Route) -> frozenset[int]:
    """Return the members the route's link was sent to, or is held to go to."""
    return frozenset((*(route.notified_assignment_ids or ()), *(route.held_assignment_ids or ())))


def _replace_link(session: Session, route: Route, members: Sequence[Assignment]) -> None:
    """Give the route a new token and no short code, the old ones kept as replaced.

    Nobody holds the new link yet, so every member counts as new to the team. The
    members' queued reminders carry the old link: they are withdrawn for the run to write
    them again.
    """
    give_up_links(session, route)
    route.access_token = new_access_token()
    route.short_code = None
    route.notified_assignment_ids = []
    withdraw_assignment_reminders(session, _ids(members))


def _awaiting_confirmation(session: Session, assignment_ids: Collection[int]) -> set[int]:
    """Return the assignments with no confirmation written, or only withdrawn ones."""
    if not assignment_ids:
        return set()
    prefixes = {
        f"{assignment_key_prefix(assignment_id)}{MessagePurpose.ASSIGNMENT_CONFIRMATION}:": (
            assignment_id
        )
        for assignment_id in assignment_ids
    }
    keys = session.execute(
        select(Message.idempotency_key, Message.status, Message.failure_reason).where(
            Message.purpose == MessagePurpose.ASSIGNMENT_CONFIRMATION,
            or_(*(Message.idempotency_key.startswith(p, autoescape=True) for p in prefixes)),
        )
    )
    confirmed = {
        assignment_id
        for key, status, reason in keys
        if not (status == MessageStatus.SUPPRESSED and reason == WITHDRAWN_REASON)
        for prefix, assignment_id in prefixes.items()
        if key.startswith(prefix)
    }
    return set(assignment_ids) - confirmed


def _ids(members: Iterable[Assignment]) -> list[int]:
    return [member.id for member in members]
