"""Route links given up, kept so that opening one shows a page explaining it was replaced.

A route's token and short code open it without a login. When a planning run changes the
members of a team, the route gets a new token (`webapp.services.reformed_teams`), and a
route whose team is gone is deleted. The links given up are kept here as SHA-256 digests,
so that a volunteer opening one learns that the teams changed, instead of reading an
unknown link or the route of the team that has the number now.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import CanvassSession, Iris, ReplacedRouteLink, Route


@dataclass(frozen=True)
class ReplacedLink:
    """The session and team of a link given up, enough to say which session it was for."""

    session_id: int
    team: int
    starts_at: datetime
    iris_name: str


def link_digest(link: str) -> str:
    """Return the hex SHA-256 digest under which a given-up token or short code is kept."""
    return hashlib.sha256(link.encode()).hexdigest()


def give_up_links(session: Session, route: Route) -> None:
    """Keep the route's token and short code, if it has one, as replaced links.

    The caller then gives the route new ones or deletes it.
    """
    for link in (route.access_token, route.short_code):
        if link:
            session.add(
                ReplacedRouteLink(
                    session_id=route.session_id, team=route.team, link_digest=link_digest(link)
                )
            )


def find_replaced_link(session: Session, link: str) -> ReplacedLink | None:
    """Return the session and team of a given-up token or short code, None if unknown.

    A short code must already be in the lower case it was drawn in.
    """
    row = session.execute(
        select(
            ReplacedRouteLink.session_id,
            ReplacedRouteLink.team,
            CanvassSession.starts_at,
            Iris.name,
        )
        .join(CanvassSession, CanvassSession.id == ReplacedRouteLink.session_id)
        .join(Iris, Iris.code == CanvassSession.iris_code)
        .where(ReplacedRouteLink.link_digest == link_digest(link))
        .order_by(ReplacedRouteLink.replaced_at.desc(), ReplacedRouteLink.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    session_id, team, starts_at, iris_name = row
    return ReplacedLink(session_id=session_id, team=team, starts_at=starts_at, iris_name=iris_name)
