"""Property tests of the coordinator forms and the route link URLs.

Each endpoint gets 1,000 generated inputs: control characters, very long strings,
Unicode look-alikes, HTML and SQL payloads and malformed codes. None may cause a server
error, and no HTML payload may come back unescaped. HTML payloads carry the marker
`xzq`, which no page contains on its own, so an unescaped payload is found by looking
for the marker right after the markup that carried it.
"""

import re
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given
from hypothesis import settings as examples_settings
from hypothesis import strategies as st
from redis import Redis
from sqlalchemy.orm import Session

from routing.assignment_weights import WeightName
from tests.redis_urls import PRIVACY_REDIS_URL
from tests.webapp.privacy.conftest import csrf_token, log_in, make_member
from tests.webapp.targets.scored_case import CENTRE, PETIT_BOIS, SAINT_BLAISE, seed_scored_case
from webapp.models.users import Role
from webapp.settings import Settings

EXAMPLES = examples_settings(
    max_examples=1000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
QUEUE_REDIS_URL = PRIVACY_REDIS_URL

CONTROL = "".join(chr(code) for code in range(32)) + "\x7f\x85\u2028\u2029\u200b\u200e\u202e\ufeff"
LOOKALIKES = (
    "９３０１００１０１",
    "93010O101",
    "93O1OO1O1",
    "Ѕаіnt-Вlаіѕе",
    "１５/０３/２０２７",
    "09：30",
    "𝟗𝟑𝟎𝟏𝟎",
    "١٢:٣٠",
    "1\u00a0200",
    "Rue\u2009Jules\u200bGuesde",
)
SQL = (
    "' OR '1'='1",
    "'; DROP TABLE users; --",
    "1 UNION SELECT password_hash FROM users",
    '" OR ""="',
    "%' AND 1=1 --",
    "\\'; SELECT pg_sleep(0); --",
)
MALFORMED_CODES = (
    "",
    " ",
    "0",
    "-1",
    "9301001011",
    "93010010",
    "2A0040101",
    "2b",
    "NaN",
    "1e309",
    "0x1F",
    "99999999999999999999999",
    "-0",
    "+2",
    "4.5",
)
# Each payload puts the marker right after markup that would run if not escaped.
HTML_PAYLOADS = (
    "<script>xzq()</script>",
    '"><img src=x onerror=xzq()>',
    "<svg/onload=xzq()>",
    "</textarea><b>xzq</b>",
    "' autofocus onfocus='xzq()",
    '" autofocus onfocus="xzq()',
    "javascript:xzq()",
)
UNESCAPED = re.compile(
    "|".join(
        re.escape(marker)
        for marker in (
            "<script>xzq",
            "<img src=x onerror=xzq",
            "<svg/onload=xzq",
            "<b>xzq",
            "' autofocus onfocus='xzq",
            '" autofocus onfocus="xzq',
            'href="javascript:xzq',
            'src="javascript:xzq',
        )
    )
)


_printable = st.characters(blacklist_categories=("Cs",))
_values = st.one_of(
    st.text(_printable, max_size=40),
    st.text(st.sampled_from(CONTROL + "ab1<>&\"' /\\"), max_size=40),
    st.text(_printable, min_size=300, max_size=1500),
    st.sampled_from(LOOKALIKES + SQL + MALFORMED_CODES + HTML_PAYLOADS),
)
values = _values


def _check(response_body: bytes, status: int, allowed: tuple[int, ...]) -> None:
    # Any input holding a NUL character is refused with 400 before the view runs.
    assert status in (*allowed, 400), status
    body = response_body.decode("utf-8", errors="replace")
    assert UNESCAPED.search(body) is None, UNESCAPED.search(body)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Planning is queued to a Redis database of these tests, never run by a request.
    return replace(settings, is_queue_synchronous=False, redis_url=QUEUE_REDIS_URL)


@pytest.fixture
def queue_redis() -> Iterator[Redis]:
    connection = Redis.from_url(QUEUE_REDIS_URL)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


@pytest.fixture
def coordinator(app: Flask, db_session: Session, queue_redis: Redis) -> FlaskClient:
    """A logged-in coordinator of the scored Bondy case."""
    case = seed_scored_case(db_session)
    make_member(db_session, case.campaign, Role.COORDINATOR, "coord@example.org")
    db_session.commit()
    client = app.test_client()
    log_in(client, "coord@example.org")
    return client


@pytest.fixture
def no_csrf(app: Flask, coordinator: FlaskClient) -> FlaskClient:
    """The coordinator, with forms accepted without their CSRF token so input reaches them."""
    app.config["WTF_CSRF_ENABLED"] = False
    return coordinator


def test_target_choice(no_csrf: FlaskClient) -> None:
    codes = st.one_of(values, st.sampled_from((CENTRE, SAINT_BLAISE, PETIT_BOIS)))

    @EXAMPLES
    @given(targets=st.lists(codes, max_size=6))
    def post(targets: list[str]) -> None:
        response = no_csrf.post("/ciblage/cibles", data={"targets": targets})
        _check(response.get_data(), response.status_code, (302,))

    post()


SESSION_FIELDS = {
    "day": st.one_of(st.just("15/03/2027"), st.just("2027-03-15"), values),
    "start": st.one_of(st.just("09:30"), st.just("9h"), values),
    "end": st.one_of(st.just("12:00"), st.just("12h30"), values),
    "iris_code": st.one_of(st.sampled_from((CENTRE, PETIT_BOIS)), values),
    "meeting_address": st.one_of(st.just("1 rue d’Essai"), st.just(""), values),
    "meeting_lat": st.one_of(st.just("48,9022"), st.just(""), values),
    "meeting_lon": st.one_of(st.just("2.4826"), st.just(""), values),
    "meeting_label": st.one_of(st.just("Devant la mairie"), values),
    "min_volunteers": st.one_of(st.just("2"), values),
    "max_volunteers": st.one_of(st.just("8"), values),
}


def test_session_creation(no_csrf: FlaskClient) -> None:
    @EXAMPLES
    @given(form=st.fixed_dictionaries({}, optional=SESSION_FIELDS))
    def post(form: dict[str, str]) -> None:
        response = no_csrf.post("/planification/sessions/nouvelle", data=form)
        _check(response.get_data(), response.status_code, (302, 422))

    post()


def test_planning_launch(coordinator: FlaskClient) -> None:
    token = csrf_token(coordinator.get("/planification/sessions").get_data(as_text=True))
    extra_fields = st.dictionaries(st.sampled_from(("run", "campaign_id", "force", "x")), values)

    @EXAMPLES
    @given(given_token=st.one_of(st.just(token), values), extra=extra_fields)
    def post(given_token: str, extra: dict[str, str]) -> None:
        response = coordinator.post(
            "/planification/lancer", data={**extra, "csrf_token": given_token}
        )
        expected = (302,) if given_token == token else (400,)
        _check(response.get_data(), response.status_code, expected)

    post()


@pytest.mark.parametrize("template", ["/parcours/{}", "/parcours/{}.pdf", "/parcours/{}.gpx"])
def test_route_token_paths(client: FlaskClient, template: str) -> None:
    _route_paths(client, template)


@pytest.mark.parametrize("template", ["/parcours/{}.geojson", "/p/{}"])
def test_route_data_and_short_code_paths(client: FlaskClient, template: str) -> None:
    _route_paths(client, template)


ROUTE_TEMPLATES = ("/parcours/{}", "/parcours/{}.pdf", "/parcours/{}.gpx", "/parcours/{}.geojson")


@pytest.mark.parametrize("template", ROUTE_TEMPLATES)
def test_nul_byte_in_route_token_refused(client: FlaskClient, template: str) -> None:
    response = client.get(template.format("%00"))

    assert response.status_code == 400


def _route_paths(client: FlaskClient, template: str) -> None:
    @EXAMPLES
    @given(token=values)
    def get(token: str) -> None:
        response = client.get(template.format(quote(token, safe="")))
        _check(response.get_data(), response.status_code, (302, 308, 404, 410))

    get()


BROADCAST_FIELDS = {
    "channel": st.one_of(st.sampled_from(("sms", "email")), values),
    "segment": st.one_of(st.sampled_from(("all", "session", "iris", "period")), values),
    "session_id": values,
    "iris_code": st.one_of(st.just(CENTRE), values),
    "date_from": st.one_of(st.just("01/03/2027"), values),
    "date_to": st.one_of(st.just("31/03/2027"), values),
    "subject": values,
    "body": st.one_of(st.just("Rendez-vous samedi. Répondez STOP pour arrêter."), values),
    "send_day": st.one_of(st.just(""), values),
    "send_time": st.one_of(st.just(""), values),
    "submission_key": values,
}


@pytest.mark.parametrize("path", ["/diffusions/nouvelle", "/diffusions/estimation"])
def test_broadcast_forms(no_csrf: FlaskClient, path: str) -> None:
    @EXAMPLES
    @given(form=st.fixed_dictionaries({}, optional=BROADCAST_FIELDS))
    def post(form: dict[str, str]) -> None:
        response = no_csrf.post(path, data=form)
        _check(response.get_data(), response.status_code, (200, 302, 400, 422))

    post()


VALID_SESSION = {
    "day": "15/03/2027",
    "start": "09:30",
    "end": "12:00",
    "iris_code": CENTRE,
    "meeting_lat": "48.9",
    "meeting_lon": "2.48",
    "min_volunteers": "2",
    "max_volunteers": "8",
}


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/planification/sessions/nouvelle", {**VALID_SESSION, "max_volunteers": "²"}),
        ("/planification/sessions/nouvelle", {**VALID_SESSION, "iris_code": "\x00"}),
        ("/planification/sessions/nouvelle", {**VALID_SESSION, "meeting_label": "a\x00b"}),
        ("/diffusions/estimation", {"channel": "sms", "segment": "iris", "iris_code": "\x00"}),
    ],
)
def test_known_bad_input_is_refused(no_csrf: FlaskClient, path: str, form: dict[str, str]) -> None:
    assert no_csrf.post(path, data=form).status_code in (400, 422)


WEIGHT_FIELDS = {
    name.value: st.one_of(st.just("500"), st.just("1 000"), st.just("0"), values)
    for name in WeightName
}


def test_planning_weights(no_csrf: FlaskClient) -> None:
    @EXAMPLES
    @given(form=st.fixed_dictionaries({}, optional=WEIGHT_FIELDS))
    def post(form: dict[str, str]) -> None:
        response = no_csrf.post("/planification/ponderations", data=form)
        _check(response.get_data(), response.status_code, (302, 422))

    post()


CHOICE_FIELDS = {
    "volunteer_id": st.one_of(st.just("1"), values),
    "target_session_id": st.one_of(st.just("1"), values),
}


@pytest.mark.parametrize(
    "path",
    [
        "/planification/placements",
        "/planification/sessions/1/verrous",
        "/planification/sessions/1/verrous/retrait",
        "/planification/sessions/1/deplacement",
    ],
)
def test_manual_choice_forms(no_csrf: FlaskClient, path: str) -> None:
    @EXAMPLES
    @given(form=st.fixed_dictionaries({}, optional=CHOICE_FIELDS))
    def post(form: dict[str, str]) -> None:
        response = no_csrf.post(path, data=form)
        _check(response.get_data(), response.status_code, (302, 400, 404))

    post()
