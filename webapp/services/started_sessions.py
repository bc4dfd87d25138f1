"""Planned sessions whose canvassing has begun: a door visit is recorded on a route.

A planning run leaves such a session as it is (its assignments and routes, and with them
the visits and the links sent to volunteers), because replacing its routes would delete
the visits. Re-planning it after a team drops out or a street closes is done from its
own page (`webapp.services.replanning`), which keeps both.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import CanvassSession, DoorVisit, Route
from webapp.models.planning import SessionStatus


def sessions_with_visits(session: Session, campaign_id: int) -> set[int]:
    """Return the ids of the campaign's planned sessions with a door visit recorded."""
    query = (
        select(Route.session_id)
        .join(DoorVisit, DoorVisit.route_id == Route.id)
        .join(CanvassSession, CanvassSession.id == Route.session_id)
        .where(
            CanvassSession.campaign_id == campaign_id,
            CanvassSession.status == SessionStatus.PLANNED,
        )
        .distinct()
    )
    return set(session.scalars(query))
