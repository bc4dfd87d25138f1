"""Database engine, declarative base and the session bound to each app context."""

from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import DateTime, Enum, MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SESSION_FACTORY_KEY = "tournee.session_factory"
AFTER_COMMIT_KEY = "after_commit"
# Seconds a SQLite connection waits for the single write lock before it fails. The
# laptop demo's planning holds the lock only while it stores its plan, after the
# solve (`webapp.services.planning_steps`). A request that writes meanwhile waits for
# that commit rather than failing.
SQLITE_BUSY_TIMEOUT_S = 60


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite drops the offset, so values are normalised to UTC on the way in and tagged
    as UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(enum_class: type[StrEnum], length: int = 40) -> Enum:
    """Store a StrEnum by value in a VARCHAR, so adding a member needs no type migration."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


def build_engine(database_url: str) -> Engine:
    """Create the engine; SQLite connections get foreign keys, WAL and a long busy wait."""
    if make_url(database_url).get_backend_name() != "sqlite":
        return create_engine(database_url, pool_pre_ping=True)
    engine = create_engine(
        database_url, pool_pre_ping=True, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}
    )
    event.listen(engine, "connect", _configure_sqlite)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # In write-ahead log mode, readers do not wait for the writer, so pages stay
    # readable while a planning writes. The mode is stored in the database file, and
    # an in-memory database stays in its own mode.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def init_app(app: Flask, engine: Engine) -> None:
    """Attach a session factory to the app and close the session at teardown."""
    app.extensions[SESSION_FACTORY_KEY] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def db_session() -> Session:
    """Return the session of the current app context, creating it on first use."""
    if "db_session" not in g:
        factory: sessionmaker[Session] = current_app.extensions[SESSION_FACTORY_KEY]
        g.db_session = factory()
    session: Session = g.db_session
    return session


def _close_session(exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is None:
        return
    if exc is not None:
        session.rollback()
    session.close()


def call_after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback` once the session's current transaction commits, never on rollback.

    Jobs are enqueued and providers called through this hook, so a rolled-back unit of
    work has no side effect outside the database.
    """
    session.info.setdefault(AFTER_COMMIT_KEY, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    callbacks = session.info.pop(AFTER_COMMIT_KEY, [])
    for callback in callbacks:
        callback()


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_commit(session: Session, _previous_transaction: Any) -> None:
    session.info.pop(AFTER_COMMIT_KEY, None)
