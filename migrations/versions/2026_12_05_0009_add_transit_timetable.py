"""add transit timetable

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "transit_stops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stop_code", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transit_stops")),
        sa.UniqueConstraint("stop_code", name=op.f("uq_transit_stops_stop_code")),
    )
    op.create_table(
        "transit_trips",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trip_code", sa.String(length=100), nullable=False),
        sa.Column("route_code", sa.String(length=100), nullable=False),
        sa.Column("service_code", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transit_trips")),
        sa.UniqueConstraint("trip_code", name=op.f("uq_transit_trips_trip_code")),
    )
    op.create_index(
        op.f("ix_transit_trips_service_code"), "transit_trips", ["service_code"], unique=False
    )
    op.create_table(
        "transit_service_days",
        sa.Column("service_code", sa.String(length=100), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("service_code", "on_date", name=op.f("pk_transit_service_days")),
    )
    op.create_index(
        op.f("ix_transit_service_days_on_date"), "transit_service_days", ["on_date"], unique=False
    )
    op.create_table(
        "transit_connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trip_id", sa.Integer(), nullable=False),
        sa.Column("departure_stop_id", sa.Integer(), nullable=False),
        sa.Column("arrival_stop_id", sa.Integer(), nullable=False),
        sa.Column("departure_s", sa.Integer(), nullable=False),
        sa.Column("arrival_s", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["trip_id"],
            ["transit_trips.id"],
            name=op.f("fk_transit_connections_trip_id_transit_trips"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["departure_stop_id"],
            ["transit_stops.id"],
            name=op.f("fk_transit_connections_departure_stop_id_transit_stops"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["arrival_stop_id"],
            ["transit_stops.id"],
            name=op.f("fk_transit_connections_arrival_stop_id_transit_stops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transit_connections")),
    )
    op.create_index(
        op.f("ix_transit_connections_trip_id"), "transit_connections", ["trip_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_transit_connections_trip_id"), table_name="transit_connections")
    op.drop_table("transit_connections")
    op.drop_index(op.f("ix_transit_service_days_on_date"), table_name="transit_service_days")
    op.drop_table("transit_service_days")
    op.drop_index(op.f("ix_transit_trips_service_code"), table_name="transit_trips")
    op.drop_table("transit_trips")
    op.drop_table("transit_stops")
