"""Short links to a route, for a printed sheet or a QR code, and the QR codes themselves.

A short code opens the same route as its token, with the same expiry, so a sheet printed
before the session stops working when the token does.
"""

import logging
import secrets
from datetime import datetime

import segno
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.models import Route
from webapp.services.route_view import (
    RouteLinkExpiredError,
    RouteLinkNotFoundError,
    RouteSheet,
    find_route_by_token,
    raise_link_not_found,
    sheet_of_route,
)

logger = logging.getLogger(__name__)

# Lower-case letters and digits without those read alike on paper (0/o, 1/l/i).
SHORT_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
# 8 characters of 31 give about 40 bits. Unknown codes are rate-limited per client address
# (`rate_limits.LINK_GUESSES_PER_ADDRESS`): with a thousand links live, one address would
# need about 400 years of guesses on average to open one.
SHORT_CODE_LENGTH = 8
MAX_SHORT_CODE_ATTEMPTS = 5


class ShortCodeExhaustedError(RuntimeError):
    """Every attempt drew a code that another route already holds."""


def new_short_code() -> str:
    """Draw a random short code."""
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


def ensure_short_code(session: Session, route: Route) -> str:
    """Return the route's short code, giving it one first when it has none.

    The code is written only where the row still has none, so two first visits at once
    keep the code of whichever committed first instead of replacing a printed one.
    """
    if route.short_code:
        return route.short_code
    for _attempt in range(MAX_SHORT_CODE_ATTEMPTS):
        code = new_short_code()
        if session.scalar(select(exists().where(Route.short_code == code))):
            continue
        try:
            with session.begin_nested():
                session.execute(
                    update(Route)
                    .where(Route.id == route.id, Route.short_code.is_(None))
                    .values(short_code=code)
                )
        except IntegrityError:
            # Another route took the code between the check and the write.
            continue
        session.refresh(route, attribute_names=["short_code"])
        if route.short_code:
            logger.info("Short link created for route %s", route.id)
            return route.short_code
    raise ShortCodeExhaustedError(f"route {route.id}: no free short code")


def load_shared_route_sheet(session: Session, token: str, *, now: datetime) -> RouteSheet:
    """Return the sheet of the route that `token` opens, with its short code."""
    route = find_route_by_token(session, token, now=now)
    ensure_short_code(session, route)
    return sheet_of_route(session, route)


def find_route_by_short_code(session: Session, code: str, *, now: datetime) -> Route:
    """Return the route that a short code opens, or raise if it is unknown or expired."""
    # Codes are read aloud and typed from paper, so letter case does not count.
    code = code.strip().lower()
    if len(code) != SHORT_CODE_LENGTH or not set(code) <= set(SHORT_CODE_ALPHABET):
        raise RouteLinkNotFoundError
    route = session.scalars(select(Route).where(Route.short_code == code)).first()
    if route is None:
        raise_link_not_found(session, code)
    if route.token_expires_at <= now:
        raise RouteLinkExpiredError(route.id)
    return route


def qr_svg(url: str) -> str:
    """Return an inline SVG QR code of `url`, sized by its container."""
    return str(
        segno.make(url, error="m", micro=False).svg_inline(
            omitsize=True, border=4, svgclass="qr-code", lineclass=None
        )
    )
