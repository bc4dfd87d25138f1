from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

import webapp.models  # noqa: F401
from webapp import migrate
from webapp.db import Base, build_engine


def test_head_matches_models(database_engine: Engine) -> None:
    with database_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def insert_campaign(connection: Connection) -> None:
    """Add one campaign with the columns of the first schema."""
    connection.execute(
        text(
            "INSERT INTO campaigns (name, election_kind, commune_codes, our_candidates,"
            " reference_election, sms_sender_name, created_at)"
            " VALUES ('Test', 'municipales', '[\"93010\"]', '[]', 'pres2022_t1', 'Tournee',"
            " '2026-12-01 10:00:00')"
        )
    )


def test_sqlite_upgrade_and_downgrade(tmp_path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'schema.sqlite3'}")
    migrate.upgrade(engine)
    assert "addresses" in inspect(engine).get_table_names()
    migrate.downgrade(engine, "base")
    assert inspect(engine).get_table_names() == ["alembic_version"]
    engine.dispose()


def test_planning_preferences_migrate_existing_rows(tmp_path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'data.sqlite3'}")
    migrate.upgrade(engine, "0001")
    with engine.begin() as connection:
        insert_campaign(connection)

    migrate.upgrade(engine)
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT rest_minutes, max_sessions_per_week, planning_weights FROM campaigns")
        ).one()
    migrate.downgrade(engine, "0001")

    assert tuple(row) == (60, 3, "{}")
    assert "availability_exceptions" not in inspect(engine).get_table_names()
    engine.dispose()


def test_job_run_parameters_migrate_existing_rows(tmp_path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'runs.sqlite3'}")
    migrate.upgrade(engine, "0004")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO job_runs (kind, campaign_id, status, progress_pct, counts, created_at)"
                " VALUES ('planning', 1, 'succeeded', 100, '{\"placed\": 4}',"
                " '2026-12-01 10:00:00')"
            )
        )

    migrate.upgrade(engine)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT parameters, counts FROM job_runs")).one()
    migrate.downgrade(engine, "0004")

    assert tuple(row) == ("{}", '{"placed": 4}')
    columns = {column["name"] for column in inspect(engine).get_columns("job_runs")}
    assert "parameters" not in columns
    assert "counts" in columns
    engine.dispose()


def test_feedbacks_and_message_indexes_up_and_down(tmp_path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'indexes.sqlite3'}")
    migrate.upgrade(engine, "0006")
    with engine.begin() as connection:
        insert_campaign(connection)
        connection.execute(
            text(
                "INSERT INTO messages (campaign_id, idempotency_key, channel, purpose, recipient,"
                " subject, body, status, provider_id, attempts, created_at, updated_at)"
                " VALUES (1, 'k1', 'sms', 'broadcast', '+33612345678', '', 'Bonjour', 'sent',"
                " 'SM0001', 1, '2026-12-01 10:00:00', '2026-12-01 10:00:00')"
            )
        )

    migrate.upgrade(engine)
    upgraded = inspect(engine)
    indexes = {index["name"]: index["column_names"] for index in upgraded.get_indexes("messages")}
    tables = set(upgraded.get_table_names())
    migrate.downgrade(engine, "0006")
    downgraded = inspect(engine)
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT provider_id FROM messages")).scalars().all()

    assert indexes["ix_messages_provider_id"] == ["provider_id"]
    assert indexes["ix_messages_channel_recipient"] == ["channel", "recipient"]
    assert "session_feedbacks" in tables
    names = {index["name"] for index in downgraded.get_indexes("messages")}
    assert {"ix_messages_provider_id", "ix_messages_channel_recipient"} & names == set()
    assert "session_feedbacks" not in downgraded.get_table_names()
    assert kept == ["SM0001"]
    engine.dispose()


def test_status_before_absence_up_and_down(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'absence.sqlite3'}")
    migrate.upgrade(engine, "0010")
    with engine.begin() as connection:
        insert_campaign(connection)
        connection.execute(
            text("INSERT INTO communes (code, name, geometry) VALUES ('93010', 'Bondy', '{}')")
        )
        connection.execute(
            text(
                "INSERT INTO iris (code, name, commune_code, kind, geometry, households,"
                " individuals) VALUES ('930100108', 'Parc', '93010', 'H', '{}', 10, 20)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO users (email, password_hash, first_name, last_name, locale,"
                " is_enabled, created_at) VALUES ('a@example.org', 'x', 'Alix', 'Bernard',"
                " 'fr', 1, '2026-12-01 10:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO canvass_sessions (campaign_id, starts_at, ends_at,"
                " meeting_point_label, meeting_lon, meeting_lat, iris_code, min_volunteers,"
                " max_volunteers, status, created_at) VALUES (1, '2027-03-06 08:00:00',"
                " '2027-03-06 11:00:00', 'Place', 2.48, 48.9, '930100108', 2, 8, 'planned',"
                " '2026-12-01 10:00:00')"
            )
        )
        # A team marked absent before the column existed.
        connection.execute(
            text(
                "INSERT INTO assignments (session_id, user_id, team, status, is_locked,"
                " created_at) VALUES (1, 1, 1, 'declined', 0, '2026-12-01 10:00:00')"
            )
        )

    migrate.upgrade(engine)
    with engine.begin() as connection:
        upgraded = connection.execute(
            text("SELECT status, status_before_absence FROM assignments")
        ).one()
        connection.execute(text("UPDATE assignments SET status_before_absence = 'confirmed'"))
    migrate.downgrade(engine, "0010")
    with engine.connect() as connection:
        downgraded = connection.execute(text("SELECT status, team FROM assignments")).one()

    assert tuple(upgraded) == ("declined", None)
    assert tuple(downgraded) == ("declined", 1)
    columns = {column["name"] for column in inspect(engine).get_columns("assignments")}
    assert "status_before_absence" not in columns
    engine.dispose()
