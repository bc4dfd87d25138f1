"""Shared fixtures: real PostgreSQL with one outer transaction per test, real Redis."""

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.fakes.provider_server import FakeProviderServer
from tests.redis_urls import JOBS_REDIS_URL
from webapp import create_app, migrate
from webapp.db import SESSION_FACTORY_KEY, build_engine
from webapp.settings import Settings

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "samples" / "bondy-93010"
DEFAULT_TEST_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/tournee_test"
LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}
# The `settings` fixture's key; tests that seal or sign a value outside a request use it.
TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"  # noqa: S105 - tests only


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection that leaves this machine."""
    real_connect = socket.socket.connect

    def guarded_connect(sock: socket.socket, address: object) -> object:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0] if isinstance(address, tuple) else address
            if host not in LOOPBACK_HOSTS:
                raise RuntimeError(f"test tried to connect to {host!r}; only loopback is allowed")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


def _test_database_url() -> str:
    return os.environ.get("TOURNEE_TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)


def _create_database(url: str) -> None:
    engine = create_engine(url)
    name = engine.url.database
    admin = create_engine(engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
        if exists is None:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine.dispose()


def scratch_database_url(suffix: str) -> str:
    """Return the URL of a PostgreSQL database named after the test database and `suffix`."""
    url = make_url(_test_database_url())
    return url.set(database=f"{url.database}_{suffix}").render_as_string(hide_password=False)


def empty_database(url: str) -> Engine:
    """Create the PostgreSQL database at `url` if needed and empty it."""
    _create_database(url)
    engine = build_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    return engine


def migrated_empty_database(url: str) -> Engine:
    """Create the PostgreSQL database at `url` if needed, empty it and migrate it to head."""
    engine = empty_database(url)
    migrate.upgrade(engine)
    return engine


@pytest.fixture(scope="session")
def database_engine() -> Iterator[Engine]:
    """A migrated, empty PostgreSQL database for the whole test run."""
    engine = migrated_empty_database(_test_database_url())
    yield engine
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        secret_key=TEST_SECRET_KEY,
        database_url=_test_database_url(),
        redis_url=JOBS_REDIS_URL,
        is_queue_synchronous=True,
        outbox_path=tmp_path / "outbox.jsonl",
        public_base_url="http://127.0.0.1:5000",
        # Tests of the limits turn them on; elsewhere repeated logins must not hit them.
        is_rate_limit_enabled=False,
    )


@pytest.fixture
def db_connection(database_engine: Engine) -> Iterator[Connection]:
    """A connection inside an outer transaction that is rolled back after the test."""
    connection = database_engine.connect()
    transaction = connection.begin()
    yield connection
    transaction.rollback()
    connection.close()


@pytest.fixture
def app(settings: Settings, db_connection: Connection) -> Iterator[Flask]:
    app = create_app(settings)
    # Commits inside the app release savepoints of the outer transaction.
    app.extensions[SESSION_FACTORY_KEY] = sessionmaker(
        bind=db_connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    # No app context stays pushed here: requests from the client must each get their own
    # `g`, or Flask-Login and Flask-Babel would reuse one request's user and locale.
    yield app


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """A session on the test transaction, separate from the sessions requests use."""
    session: Session = app.extensions[SESSION_FACTORY_KEY]()
    yield session
    session.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def provider_server() -> Iterator[FakeProviderServer]:
    """A fake Twilio and SendGrid API on 127.0.0.1 that records every request."""
    with FakeProviderServer() as server:
        yield server
