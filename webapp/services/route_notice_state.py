"""The route each team was last notified of, so that a notice goes only on a real change.

A route records the doors its team was last notified of, done and to visit, and the
members notified, as assignment ids. A route notice waits `ROUTE_NOTICE_HOLD` before it
goes out, and the route records the doors and members of that notice as held. A change
of the session before then withdraws the held notice, so the next notice compares with
what the team was notified of before it. So a team marked absent by mistake, then
present again a minute later, sends nothing when the doors end up as before. A change after
then finds the notice gone out, and its doors and members become the notified ones.

Doors a team visits stay on its route, so a route that only lost the doors its team
visited still has the doors it was notified of.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from webapp.models import Assignment, Message, Route
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.services.message_batch import withdraw_message_ids
from webapp.services.reminders import assignment_key_prefix

# How long a route notice waits before it goes out, so that a change undone within that
# time (a team marked absent by mistake) sends nothing, and two changes in a row send one
# notice with where things stand.
ROUTE_NOTICE_HOLD = timedelta(minutes=2)


@dataclass(frozen=True)
class NotifiedRoute:
    """The doors and members a team was last notified of; no doors for a route never sent."""

    address_ids: frozenset[int] | None
    assignment_ids: frozenset[int]


def notified_route(route: Route) -> NotifiedRoute:
    """Return what the route's team was notified of, not counting a notice still held."""
    doors = route.notified_address_ids
    return NotifiedRoute(
        address_ids=None if doors is None else frozenset(doors),
        assignment_ids=frozenset(route.notified_assignment_ids or ()),
    )


def record_notified(route: Route, assignment_ids: Iterable[int]) -> None:
    """Record the route's doors as they are now as notified to these members, none held."""
    route.notified_address_ids = list(route.address_ids)
    route.notified_assignment_ids = sorted(set(assignment_ids))
    _clear_held(route)


def add_notified_member(route: Route, assignment_id: int) -> None:
    """Count one more member as notified of the route, such as a volunteer sent its link."""
    if route.notified_assignment_ids is not None:
        route.notified_assignment_ids = sorted({*route.notified_assignment_ids, assignment_id})
    if route.held_assignment_ids is not None:
        route.held_assignment_ids = sorted({*route.held_assignment_ids, assignment_id})


def hold_notice(route: Route, assignment_ids: Iterable[int], release_at: datetime) -> None:
    """Record the route's doors and members as they are now as held until `release_at`."""
    route.held_address_ids = list(route.address_ids)
    route.held_assignment_ids = sorted(set(assignment_ids))
    route.notice_held_until = release_at


def settle_held_notices(
    session: Session,
    session_id: int,
    routes: Iterable[Route],
    *,
    now: datetime,
    release_at: datetime,
) -> list[Message]:
    """Settle the held notices of a session's routes before a change at `now`.

    A notice whose hold is over went out, so its doors and members become the notified
    ones, even while its message waits for a send slot. The messages of a notice still
    held are withdrawn, and returned. The notice of this very change, held until
    `release_at`, stays as it is, so that writing the notices of one change again
    changes nothing.
    """
    still_held: set[datetime] = set()
    for route in routes:
        held_until = route.notice_held_until
        if held_until is None or held_until == release_at:
            continue
        if held_until <= now:
            route.notified_address_ids = route.held_address_ids
            route.notified_assignment_ids = route.held_assignment_ids
        else:
            still_held.add(held_until)
        _clear_held(route)
    return _withdraw_notices(session, session_id, still_held)


def _withdraw_notices(
    session: Session, session_id: int, release_times: set[datetime]
) -> list[Message]:
    """Withdraw the session's route notices still queued to go at one of `release_times`."""
    if not release_times:
        return []
    assignment_ids = session.scalars(
        select(Assignment.id).where(Assignment.session_id == session_id)
    ).all()
    prefixes = [assignment_key_prefix(assignment_id) for assignment_id in assignment_ids]
    if not prefixes:
        return []
    held = list(
        session.scalars(
            select(Message)
            .where(
                Message.purpose == MessagePurpose.ROUTE_CHANGED,
                Message.status == MessageStatus.QUEUED,
                Message.send_after.in_(release_times),
                or_(*(Message.idempotency_key.startswith(p, autoescape=True) for p in prefixes)),
            )
            # In the order they were queued, so that callers and logs list them stably.
            .order_by(Message.id)
        )
    )
    withdraw_message_ids(session, [message.id for message in held])
    return held


def _clear_held(route: Route) -> None:
    route.held_address_ids = None
    route.held_assignment_ids = None
    route.notice_held_until = None
