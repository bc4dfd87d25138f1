"""Time breakdown of the sign-up requests, measured in-process one request at a time.

The Flask test client sends the requests to an app built with the benchmark's settings,
on the same database, with no other load from this program. Each request's wall time
is split into the argon2id hash, SQL statements (from the driver's point of view, so
waits for PostgreSQL included), template rendering, and the rest (routing, forms,
validation, the outbox write). CPU time per request is the process's, so the threads
of argon2 are counted in it.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from flask import Flask, before_render_template, template_rendered
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from benchmarks.volunteers import volunteer_form
from tests.webapp.accounts.html_page import csrf_token
from webapp.db import SESSION_FACTORY_KEY
from webapp.services import passwords, signup


@dataclass
class Clock:
    """Time spent in each part during the current request."""

    argon2_s: float = 0.0
    sql_s: float = 0.0
    statements: int = 0
    templates_s: float = 0.0
    _template_starts: list[float] = field(default_factory=list)

    def reset(self) -> None:
        self.argon2_s = self.sql_s = self.templates_s = 0.0
        self.statements = 0


@dataclass(frozen=True)
class Breakdown:
    """Mean milliseconds per request of each part, over `count` requests."""

    label: str
    count: int
    total_ms: float
    cpu_ms: float
    argon2_ms: float
    sql_ms: float
    statements: float
    templates_ms: float

    @property
    def rest_ms(self) -> float:
        return self.total_ms - self.argon2_ms - self.sql_ms - self.templates_ms


def _watch_sql(engine: Engine, clock: Clock) -> None:
    def before(connection: Any, *_args: Any) -> None:
        connection.info.setdefault("query_starts", []).append(time.perf_counter())

    def after(connection: Any, *_args: Any) -> None:
        clock.sql_s += time.perf_counter() - connection.info["query_starts"].pop()
        clock.statements += 1

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)


def _watch_templates(app: Flask, clock: Clock) -> None:
    def before(_sender: Flask, **_extra: Any) -> None:
        clock._template_starts.append(time.perf_counter())

    def after(_sender: Flask, **_extra: Any) -> None:
        clock.templates_s += time.perf_counter() - clock._template_starts.pop()

    # Weak references by default: keep the receivers alive with the app.
    before_render_template.connect(before, app, weak=False)
    template_rendered.connect(after, app, weak=False)


@contextmanager
def _watch_argon2(clock: Clock) -> Iterator[None]:
    def timed_hash(password: str) -> str:
        started = time.perf_counter()
        try:
            return passwords.hash_password(password)
        finally:
            clock.argon2_s += time.perf_counter() - started

    # The sign-up service imported the function by name, so it is replaced there.
    with mock.patch.object(signup, "hash_password", timed_hash):
        yield


def _measure(
    label: str, clock: Clock, count: int, request: Callable[[int, FlaskClient], None], app: Flask
) -> Breakdown:
    samples = []
    for index in range(count):
        client = app.test_client()
        clock.reset()
        wall, cpu = time.perf_counter(), time.process_time()
        request(index, client)
        samples.append(
            (
                1000 * (time.perf_counter() - wall),
                1000 * (time.process_time() - cpu),
                1000 * clock.argon2_s,
                1000 * clock.sql_s,
                clock.statements,
                1000 * clock.templates_s,
            )
        )
    means = [sum(column) / count for column in zip(*samples, strict=True)]
    return Breakdown(label, count, *means)


def profile_signup(app: Flask, homes: list[str], first_index: int, count: int) -> list[Breakdown]:
    """Time `count` form pages and `count` sign-ups of new volunteers from `first_index` on.

    Volunteer `first_index + count` signs up once before, untimed.
    """
    clock = Clock()
    _watch_sql(app.extensions[SESSION_FACTORY_KEY].kw["bind"], clock)
    _watch_templates(app, clock)
    forms: dict[int, tuple[FlaskClient, str]] = {}

    def open_form(index: int, client: FlaskClient) -> None:
        response = client.get("/inscription")
        if response.status_code != 200:
            raise RuntimeError(f"GET /inscription returned HTTP {response.status_code}")
        forms[index] = (client, csrf_token(response.get_data(as_text=True)))

    def post_form(index: int, _client: FlaskClient) -> None:
        # The client that opened the form carries its session cookie.
        client, token = forms[index]
        data = {**volunteer_form(first_index + index, homes), "csrf_token": token}
        response = client.post("/inscription", data=data)
        if response.status_code != 302:
            raise RuntimeError(f"POST /inscription returned HTTP {response.status_code}")

    # One untimed pass first, so that template compilation and first connections are not counted.
    open_form(count, app.test_client())
    post_form(count, app.test_client())
    forms.clear()
    with _watch_argon2(clock):
        return [
            _measure("GET /inscription", clock, count, open_form, app),
            _measure("POST /inscription", clock, count, post_form, app),
        ]


def time_argon2(count: int = 10) -> tuple[float, float]:
    """Return the mean wall and CPU milliseconds of one hash at the project's parameters."""
    wall, cpu = time.perf_counter(), time.process_time()
    for index in range(count):
        passwords.hash_password(f"une phrase de passe numéro {index}")
    return (
        1000 * (time.perf_counter() - wall) / count,
        1000 * (time.process_time() - cpu) / count,
    )
