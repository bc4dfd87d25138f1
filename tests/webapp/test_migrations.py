from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

import webapp.models  # noqa: F401
from webapp import migrate
from webapp.db import Base, build_engine


def test_head_matches_models(database_engine: Engine) -> None:
    with database_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_sqlite_upgrade_and_downgrade(tmp_path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'schema.sqlite3'}")
    migrate.upgrade(engine)
    assert "addresses" in inspect(engine).get_table_names()
    migrate.downgrade(engine, "base")
    assert inspect(engine).get_table_names() == ["alembic_version"]
    engine.dispose()
