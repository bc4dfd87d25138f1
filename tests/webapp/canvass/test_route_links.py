from collections.abc import Iterator
from datetime import timedelta

import pytest
import segno
from sqlalchemy import update
from sqlalchemy.orm import Session

from tests.factories import make_route
from tests.webapp.canvass.conftest import TOKEN, Walk
from tests.webapp.canvass.qr_reading import qr_modules
from webapp.db import utcnow
from webapp.models import Route
from webapp.services.route_links import (
    SHORT_CODE_ALPHABET,
    ShortCodeExhaustedError,
    ensure_short_code,
    find_route_by_short_code,
    load_shared_route_sheet,
    new_short_code,
    qr_svg,
)
from webapp.services.route_view import RouteLinkExpiredError, RouteLinkNotFoundError


def draws(monkeypatch: pytest.MonkeyPatch, *codes: str) -> None:
    """Make the short code generator return `codes` in turn, then the last one forever."""

    def sequence() -> Iterator[str]:
        yield from codes
        while True:
            yield codes[-1]

    drawn = sequence()
    monkeypatch.setattr("webapp.services.route_links.new_short_code", lambda: next(drawn))


def second_route(session: Session, walk: Walk, short_code: str | None = None) -> Route:
    route = make_route(
        session,
        canvass_session=walk.canvass_session,
        team=2,
        access_token="second-route-token",
        token_expires_at=utcnow() + timedelta(hours=1),
    )
    route.short_code = short_code
    session.flush()
    return route


def test_new_codes_avoid_look_alikes() -> None:
    codes = {new_short_code() for _ in range(200)}

    assert len(codes) == 200
    assert all(len(code) == 8 and set(code) <= set(SHORT_CODE_ALPHABET) for code in codes)
    assert not set("01ilo") & set(SHORT_CODE_ALPHABET)


def test_short_code_is_created_once(db_session: Session, walk: Walk) -> None:
    code = ensure_short_code(db_session, walk.route)

    assert ensure_short_code(db_session, walk.route) == code
    db_session.expire_all()
    assert db_session.get(Route, walk.route.id).short_code == code  # type: ignore[union-attr]


def test_each_route_has_its_own_code(db_session: Session, walk: Walk) -> None:
    other = second_route(db_session, walk)

    assert ensure_short_code(db_session, walk.route) != ensure_short_code(db_session, other)


def test_taken_code_is_drawn_again(
    db_session: Session, walk: Walk, monkeypatch: pytest.MonkeyPatch
) -> None:
    second_route(db_session, walk, short_code="aaaaaaaa")
    draws(monkeypatch, "aaaaaaaa", "bbbbbbbb")

    assert ensure_short_code(db_session, walk.route) == "bbbbbbbb"


def test_code_taken_between_check_and_write_is_drawn_again(
    db_session: Session, walk: Walk, monkeypatch: pytest.MonkeyPatch
) -> None:
    second_route(db_session, walk, short_code="aaaaaaaa")
    draws(monkeypatch, "aaaaaaaa", "bbbbbbbb")
    # The check sees no other route, as when another request writes the same code after it.
    monkeypatch.setattr(db_session, "scalar", lambda _statement: False)

    assert ensure_short_code(db_session, walk.route) == "bbbbbbbb"
    assert db_session.get(Route, walk.route.id).short_code == "bbbbbbbb"  # type: ignore[union-attr]


def test_code_written_meanwhile_is_kept(
    db_session: Session, walk: Walk, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_session.execute(
        update(Route)
        .where(Route.id == walk.route.id)
        .values(short_code="cccccccc")
        .execution_options(synchronize_session=False)
    )
    assert walk.route.short_code is None
    draws(monkeypatch, "dddddddd")

    assert ensure_short_code(db_session, walk.route) == "cccccccc"


def test_drawing_gives_up_when_every_code_is_taken(
    db_session: Session, walk: Walk, monkeypatch: pytest.MonkeyPatch
) -> None:
    second_route(db_session, walk, short_code="aaaaaaaa")
    draws(monkeypatch, "aaaaaaaa")

    with pytest.raises(ShortCodeExhaustedError):
        ensure_short_code(db_session, walk.route)
    assert walk.route.short_code is None


def test_shared_sheet_carries_the_code(db_session: Session, walk: Walk) -> None:
    sheet = load_shared_route_sheet(db_session, TOKEN, now=utcnow())

    assert sheet.short_code is not None
    assert sheet.short_code == walk.route.short_code


@pytest.mark.parametrize("typed", ["k7mq3xzp", "K7MQ3XZP", " k7mq3xzp "])
def test_code_opens_its_route_whatever_the_case(
    db_session: Session, walk: Walk, typed: str
) -> None:
    walk.route.short_code = "k7mq3xzp"
    db_session.flush()

    assert find_route_by_short_code(db_session, typed, now=utcnow()) == walk.route


@pytest.mark.parametrize(
    "code", ["", "k7mq3xz", "k7mq3xzpp", "k7mq3xz0", "k7mq3xzl", "é7mq3xzp", "k7mq%xzp", "x" * 500]
)
def test_unknown_codes_are_not_found(db_session: Session, walk: Walk, code: str) -> None:
    walk.route.short_code = "k7mq3xzp"
    db_session.flush()

    with pytest.raises(RouteLinkNotFoundError):
        find_route_by_short_code(db_session, code, now=utcnow())


def test_code_expires_with_the_token(db_session: Session, walk: Walk) -> None:
    walk.route.short_code = "k7mq3xzp"
    db_session.flush()
    expiry = walk.route.token_expires_at

    assert find_route_by_short_code(db_session, "k7mq3xzp", now=expiry - timedelta(seconds=1))
    with pytest.raises(RouteLinkExpiredError):
        find_route_by_short_code(db_session, "k7mq3xzp", now=expiry)


def test_qr_svg_encodes_the_exact_url() -> None:
    url = "http://127.0.0.1:5000/p/k7mq3xzp"

    svg = qr_svg(url)

    assert svg.startswith('<svg viewBox="0 0 ')
    assert "style=" not in svg
    expected = segno.make(url, error="m", micro=False).matrix
    assert qr_modules(svg) == [bytes(row) for row in expected]
    assert qr_modules(svg) != qr_modules(qr_svg(url.replace("k7mq", "k7mr")))
