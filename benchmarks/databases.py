"""Throw-away PostgreSQL databases for the benchmarks: create and migrate, then drop."""

from sqlalchemy import create_engine, make_url, text

from webapp import migrate
from webapp.db import build_engine


def reset_database(url: str) -> None:
    """Create the database at `url` if needed, empty it and migrate it to head."""
    engine = create_engine(url)
    admin = create_engine(engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": engine.url.database}
        ).first()
        if exists is None:
            connection.execute(text(f'CREATE DATABASE "{engine.url.database}"'))
    admin.dispose()
    engine.dispose()
    engine = build_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    engine.dispose()


def drop_database(url: str) -> None:
    """Drop the database at `url`, ending any connection still open to it."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        # WITH (FORCE) needs PostgreSQL 13 or later.
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()
