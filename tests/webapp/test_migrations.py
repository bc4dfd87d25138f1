import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

import webapp.models  # noqa: F401
from tests.conftest import empty_database, scratch_database_url
from webapp import migrate
from webapp.db import Base, build_engine


def test_head_matches_models(database_engine: Engine) -> None:
    with database_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


# Columns of `routes` that a row needs at revision 0010.
ROUTES_0010 = sa.table(
    "routes",
    sa.column("session_id", sa.Integer),
    sa.column("team", sa.Integer),
    sa.column("address_ids", sa.JSON),
    sa.column("path", sa.JSON),
    sa.column("length_m", sa.Integer),
    sa.column("walking_minutes", sa.Float),
    sa.column("total_minutes", sa.Float),
    sa.column("door_count", sa.Integer),
    sa.column("access_token", sa.String),
    sa.column("token_expires_at", sa.DateTime(timezone=True)),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


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


def test_sqlite_upgrade_and_downgrade(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'schema.sqlite3'}")
    migrate.upgrade(engine)
    assert "addresses" in inspect(engine).get_table_names()
    migrate.downgrade(engine, "base")
    assert inspect(engine).get_table_names() == ["alembic_version"]
    engine.dispose()


def test_planning_preferences_migrate_existing_rows(tmp_path: Path) -> None:
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


def test_job_run_parameters_migrate_existing_rows(tmp_path: Path) -> None:
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


def test_feedbacks_and_message_indexes_up_and_down(tmp_path: Path) -> None:
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


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of each kind the migrations support."""
    if request.param == "sqlite":
        engine = build_engine(f"sqlite:///{tmp_path / 'blank.sqlite3'}")
    else:
        engine = empty_database(scratch_database_url("migrations"))
    yield engine
    engine.dispose()


def insert_routes_over_addresses(connection: Connection) -> None:
    """Add addresses of 1, 12 and 0 dwellings and three routes over them, as of 0010."""
    insert_campaign(connection)
    statements = (
        "INSERT INTO communes (code, name, geometry) VALUES ('93010', 'Bondy', '{}')",
        "INSERT INTO iris (code, name, commune_code, kind, geometry, households, individuals)"
        " VALUES ('930100108', 'Le Parc du Château', '93010', 'H', '{}', 500.0, 1100.0)",
        "INSERT INTO canvass_sessions (campaign_id, starts_at, ends_at, meeting_point_label,"
        " meeting_lon, meeting_lat, iris_code, min_volunteers, max_volunteers, status,"
        " created_at) VALUES (1, '2027-03-06 09:00:00', '2027-03-06 12:00:00', 'Mairie',"
        " 2.48, 48.9, '930100108', 2, 8, 'planned', '2026-12-01 10:00:00')",
    )
    for statement in statements:
        connection.execute(text(statement))
    for address_id, dwellings in ((101, 1), (102, 12), (103, 0)):
        connection.execute(
            text(
                "INSERT INTO addresses (id, ban_id, suffix, street, postcode, commune_code,"
                " lon, lat, dwellings) VALUES (:id, :ban_id, '', 'Chemin Latéral', '93140',"
                " '93010', 2.48, 48.9, :dwellings)"
            ),
            {"id": address_id, "ban_id": f"93010_0001_{address_id:05d}", "dwellings": dwellings},
        )
    # Address 999 is no longer stored: it counts as one dwelling, as it counts as one door.
    for team, address_ids in ((1, [101, 102, 103]), (2, [102, 999]), (3, [])):
        connection.execute(
            ROUTES_0010.insert().values(
                session_id=1,
                team=team,
                address_ids=address_ids,
                path=[],
                length_m=0,
                walking_minutes=0.0,
                total_minutes=0.0,
                door_count=len(address_ids),
                access_token=f"route-token-{team}",
                token_expires_at=datetime(2027, 3, 20, 12, tzinfo=UTC),
                created_at=datetime(2026, 12, 1, 10, tzinfo=UTC),
            )
        )


def route_figures(engine: Engine, *, with_dwellings: bool) -> list[tuple[object, ...]]:
    """Return (team, door_count[, dwelling_count]) of every route, by team."""
    query = (
        "SELECT team, door_count, dwelling_count FROM routes ORDER BY team"
        if with_dwellings
        else "SELECT team, door_count FROM routes ORDER BY team"
    )
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(query))]


def test_route_dwellings_backfilled_up_and_down(blank_engine: Engine) -> None:
    migrate.upgrade(blank_engine, "0011")
    with blank_engine.begin() as connection:
        insert_routes_over_addresses(connection)

    migrate.upgrade(blank_engine, "0012")
    upgraded = route_figures(blank_engine, with_dwellings=True)
    column = next(
        c for c in inspect(blank_engine).get_columns("routes") if c["name"] == "dwelling_count"
    )
    migrate.downgrade(blank_engine, "0011")
    downgraded = route_figures(blank_engine, with_dwellings=False)
    columns = {c["name"] for c in inspect(blank_engine).get_columns("routes")}
    migrate.upgrade(blank_engine, "0012")
    again = route_figures(blank_engine, with_dwellings=True)

    assert upgraded == [(1, 3, 14), (2, 2, 13), (3, 0, 0)]
    assert column["nullable"] is False
    assert downgraded == [(1, 3), (2, 2), (3, 0)]
    assert "dwelling_count" not in columns
    assert again == upgraded


def test_street_closures_by_name_up_and_down(blank_engine: Engine) -> None:
    migrate.upgrade(blank_engine, "0011")
    with blank_engine.begin() as connection:
        insert_routes_over_addresses(connection)
    migrate.upgrade(blank_engine, "0012")
    with blank_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO street_ways (id, osm_id, name, highway, coordinates)"
                " VALUES (7, 'way/7', 'Chemin Latéral', 'residential', '[]')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO street_closures (session_id, street_way_id, created_at)"
                " VALUES (1, 7, '2026-12-01 10:00:00')"
            )
        )

    migrate.upgrade(blank_engine, "0013")
    with blank_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO street_closures (session_id, street_key, created_at)"
                " VALUES (1, 'avenue gallieni', '2026-12-01 10:00:00')"
            )
        )
    upgraded = closures(blank_engine)
    migrate.downgrade(blank_engine, "0012")
    downgraded = closures(blank_engine)

    assert upgraded == [(7, None), (None, "avenue gallieni")]
    # A closure by name alone cannot be kept: that street opens again.
    assert downgraded == [(7,)]


def closures(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        columns = {c["name"] for c in inspect(engine).get_columns("street_closures")}
        read = "street_way_id, street_key" if "street_key" in columns else "street_way_id"
        rows = connection.execute(text(f"SELECT {read} FROM street_closures ORDER BY id"))  # noqa: S608
        return [tuple(row) for row in rows]


def insert_members(connection: Connection) -> None:
    """Add three volunteers: two in team 1, the second declined, and one in team 2."""
    for index, (team, status) in enumerate(((1, "confirmed"), (1, "declined"), (2, "proposed"))):
        connection.execute(
            text(
                "INSERT INTO users (id, email, password_hash, first_name, last_name, locale,"
                " is_enabled, created_at) VALUES (:id, :email, 'x', 'Alix', 'Bernard', 'fr', :on,"
                " '2026-12-01 10:00:00')"
            ),
            {"id": index + 1, "email": f"v{index}@example.org", "on": True},
        )
        connection.execute(
            text(
                "INSERT INTO assignments (id, session_id, user_id, team, status, is_locked,"
                " created_at) VALUES (:id, 1, :user_id, :team, :status, :locked,"
                " '2026-12-01 10:00:00')"
            ),
            {
                "id": 10 + index,
                "user_id": index + 1,
                "team": team,
                "status": status,
                "locked": False,
            },
        )


def notified_routes(engine: Engine) -> list[tuple[object, ...]]:
    """Return (team, notified doors, notified members, held doors, held until) of each route."""
    query = (
        "SELECT team, notified_address_ids, notified_assignment_ids, held_address_ids,"
        " notice_held_until FROM routes ORDER BY team"
    )
    with engine.connect() as connection:
        return [
            (team, json_value(doors), json_value(members), held, until)
            for team, doors, members, held, until in connection.execute(text(query))
        ]


def json_value(value: object) -> object:
    """Return a JSON column's value as a list: PostgreSQL decodes it, SQLite gives text."""
    return json.loads(value) if isinstance(value, str) else value


def test_route_notice_state_backfilled_up_and_down(blank_engine: Engine) -> None:
    migrate.upgrade(blank_engine, "0011")
    with blank_engine.begin() as connection:
        insert_routes_over_addresses(connection)
        insert_members(connection)
    migrate.upgrade(blank_engine, "0013")

    migrate.upgrade(blank_engine, "0014")
    upgraded = notified_routes(blank_engine)
    migrate.downgrade(blank_engine, "0013")
    columns = {c["name"] for c in inspect(blank_engine).get_columns("routes")}

    # Each route counts as notified as it is, to the members who have not declined.
    assert upgraded == [
        (1, [101, 102, 103], [10], None, None),
        (2, [102, 999], [12], None, None),
        (3, [], [], None, None),
    ]
    assert {"notified_address_ids", "held_address_ids", "notice_held_until"} & columns == set()


def test_replaced_route_links_up_and_down(blank_engine: Engine) -> None:
    migrate.upgrade(blank_engine, "0011")
    with blank_engine.begin() as connection:
        insert_routes_over_addresses(connection)
    migrate.upgrade(blank_engine, "0015")

    migrate.upgrade(blank_engine, "0016")
    with blank_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO replaced_route_links (session_id, team, link_digest, replaced_at)"
                " VALUES (1, 2, :digest, '2026-12-06 14:00:00')"
            ),
            {"digest": "a" * 64},
        )
        stored_row = connection.execute(
            text("SELECT team, link_digest FROM replaced_route_links")
        ).one()
    indexes = {i["name"] for i in inspect(blank_engine).get_indexes("replaced_route_links")}
    migrate.downgrade(blank_engine, "0015")
    tables = set(inspect(blank_engine).get_table_names())
    routes_after = route_figures(blank_engine, with_dwellings=True)

    assert tuple(stored_row) == (2, "a" * 64)
    assert indexes == {
        "ix_replaced_route_links_link_digest",
        "ix_replaced_route_links_session_id",
    }
    assert "replaced_route_links" not in tables
    # The routes themselves are left as they were.
    assert len(routes_after) == 3


def door_visit_rows(engine: Engine) -> list[tuple[object, ...]]:
    """Return (address_id, outcome[, dwelling_counts, submission_key]) of each visit, by id."""
    columns = {c["name"] for c in inspect(engine).get_columns("door_visits")}
    read = "address_id, outcome"
    if "dwelling_counts" in columns:
        read += ", dwelling_counts, submission_key"
    with engine.connect() as connection:
        rows = connection.execute(text(f"SELECT {read} FROM door_visits ORDER BY id"))  # noqa: S608
        return [
            (row[0], row[1], json_value(row[2]), row[3]) if len(row) == 4 else tuple(row)
            for row in rows
        ]


def test_door_visit_dwelling_counts_up_and_down(blank_engine: Engine) -> None:
    migrate.upgrade(blank_engine, "0011")
    with blank_engine.begin() as connection:
        insert_routes_over_addresses(connection)
    migrate.upgrade(blank_engine, "0019")
    with blank_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO door_visits (route_id, address_id, outcome, visited_at)"
                " VALUES (1, 101, 'absent', '2027-03-06 09:10:00')"
            )
        )

    migrate.upgrade(blank_engine, "0020")
    tally = {"absent": 5, "opened": 0, "conversation": 3, "refused": 0, "inaccessible": 0}
    insert_tally = sa.text(
        "INSERT INTO door_visits (route_id, address_id, outcome, visited_at, dwelling_counts,"
        " submission_key) VALUES (1, 102, 'conversation', '2027-03-06 09:20:00', :counts,"
        " 'form-key-0123456789')"
    ).bindparams(sa.bindparam("counts", type_=sa.JSON))
    with blank_engine.begin() as connection:
        connection.execute(insert_tally, {"counts": tally})
    upgraded = door_visit_rows(blank_engine)
    with pytest.raises(sa.exc.IntegrityError), blank_engine.begin() as connection:
        connection.execute(insert_tally, {"counts": tally})
    migrate.downgrade(blank_engine, "0019")
    downgraded = door_visit_rows(blank_engine)

    assert upgraded == [
        (101, "absent", None, None),
        (102, "conversation", tally, "form-key-0123456789"),
    ]
    # The visits stay, each with its outcome for the address.
    assert downgraded == [(101, "absent"), (102, "conversation")]
