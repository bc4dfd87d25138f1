"""A live server on 127.0.0.1 with its own PostgreSQL database, and headless Chromium.

A live server commits, so it cannot share the rolled-back test transaction: it gets a
database of its own whose tables are emptied after each test.
"""

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    Locator,
    Page,
    Playwright,
    Route,
    ViewportSize,
    expect,
    sync_playwright,
)
from psycopg.errors import DeadlockDetected
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.serving import BaseWSGIServer, make_server

from tests.conftest import migrated_empty_database
from webapp import create_app
from webapp.db import SESSION_FACTORY_KEY, Base
from webapp.settings import Settings

BROWSER_DATABASE_URL = os.environ.get(
    "TOURNEE_BROWSER_TEST_DATABASE_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/tournee_browser_test",
)
CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE_VIEWPORT: ViewportSize = {"width": 390, "height": 844}
LIVE_HOST = "127.0.0.1"
# Tests that sign links for the live server (feedback links, say) need its key.
LIVE_SECRET_KEY = "browser-test-secret-key-long-enough-0123456789"


@pytest.fixture(scope="session")
def live_engine() -> Iterator[Engine]:
    """The live server's database, migrated from scratch once per run."""
    engine = migrated_empty_database(BROWSER_DATABASE_URL)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def live_outbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The file the live server writes its e-mails and SMS to, one per test run."""
    return tmp_path_factory.mktemp("live-server") / "outbox.jsonl"


@pytest.fixture(scope="session")
def live_server(live_engine: Engine, live_outbox: Path) -> Iterator[str]:
    """Serve the app from a thread on a free port of 127.0.0.1; return its base URL."""
    settings = Settings(
        environment="test",
        secret_key=LIVE_SECRET_KEY,
        database_url=BROWSER_DATABASE_URL,
        outbox_path=live_outbox,
        is_queue_synchronous=True,
        public_base_url="http://127.0.0.1",
        is_rate_limit_enabled=False,
    )
    app = create_app(settings)
    server: BaseWSGIServer = make_server(LIVE_HOST, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://{LIVE_HOST}:{server.port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    # The app's own engine keeps pooled connections open until disposed.
    app.extensions[SESSION_FACTORY_KEY].kw["bind"].dispose()


@pytest.fixture
def live_db(live_engine: Engine) -> Iterator[Session]:
    """A session on the live server's database; every table is emptied afterwards."""
    session = Session(live_engine, expire_on_commit=False)
    yield session
    session.close()
    empty_tables(live_engine)


# Attempts at emptying the tables when a request of the live server deadlocks with it.
EMPTY_ATTEMPTS = 5


def empty_tables(engine: Engine) -> None:
    """Empty every table, trying again when a request still under way deadlocks with it.

    A page may still poll the live server when its test ends. Its request can keep a
    share lock on one table while it waits for another that the TRUNCATE has locked, so
    PostgreSQL cancels one of the two. The request ends soon after.
    """
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    for attempt in range(1, EMPTY_ATTEMPTS + 1):
        try:
            with engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        except OperationalError as error:
            if not isinstance(error.orig, DeadlockDetected) or attempt == EMPTY_ATTEMPTS:
                raise
            time.sleep(0.2 * attempt)
        else:
            return


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM_PATH):
        pytest.fail(f"{CHROMIUM_PATH} is missing: install Debian's chromium package")
    chromium = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def blocked_urls() -> list[str]:
    """URLs the page tried to load from anywhere but the live server."""
    return []


@pytest.fixture
def phone_page(browser: Browser, live_server: str, blocked_urls: list[str]) -> Iterator[Page]:
    """A French phone-sized page that may only load from 127.0.0.1."""
    context = browser.new_context(
        viewport=PHONE_VIEWPORT, locale="fr-FR", timezone_id="Europe/Paris", has_touch=True
    )
    context.set_default_timeout(10_000)

    def loopback_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname == LIVE_HOST:
            route.continue_()
        else:
            blocked_urls.append(route.request.url)
            route.abort()

    page = context.new_page()
    page.route("**/*", loopback_only)
    yield page
    context.close()


def clusters_west_to_east(page: Page) -> list[Locator]:
    """Return the map's clusters of doors in view, from the leftmost to the rightmost."""
    clusters = page.locator(".marker-cluster")
    expect(clusters.first).to_be_visible()
    by_x: list[tuple[float, Locator]] = []
    for cluster in clusters.all():
        box = cluster.bounding_box()
        assert box is not None
        by_x.append((box["x"], cluster))
    return [cluster for _, cluster in sorted(by_x, key=lambda pair: pair[0])]
