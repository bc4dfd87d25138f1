"""add planning preferences and route links

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 22:07:34.411865
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Server defaults fill the new NOT NULL columns of rows that already exist.
    op.create_table(
        "availability_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=True),
        sa.Column("end_minute", sa.Integer(), nullable=True),
        sa.Column("is_available", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_availability_exceptions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_exceptions")),
    )
    with op.batch_alter_table("availability_exceptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_availability_exceptions_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "street_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("street_way_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["canvass_sessions.id"],
            name=op.f("fk_street_closures_session_id_canvass_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["street_way_id"],
            ["street_ways.id"],
            name=op.f("fk_street_closures_street_way_id_street_ways"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_street_closures")),
        sa.UniqueConstraint(
            "session_id", "street_way_id", name=op.f("uq_street_closures_session_id_street_way_id")
        ),
    )
    with op.batch_alter_table("street_closures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_street_closures_session_id"), ["session_id"], unique=False
        )

    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rest_minutes", sa.Integer(), nullable=False, server_default="60")
        )
        batch_op.add_column(
            sa.Column("max_sessions_per_week", sa.Integer(), nullable=False, server_default="3")
        )
        batch_op.add_column(
            sa.Column("planning_weights", sa.JSON(), nullable=False, server_default="{}")
        )

    with op.batch_alter_table("iris_scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("languages", sa.JSON(), nullable=False, server_default="[]"))

    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("short_code", sa.String(length=16), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_routes_short_code"), ["short_code"])

    with op.batch_alter_table("volunteer_profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("max_travel_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("travel_mode", sa.String(length=20), nullable=False, server_default="walk")
        )
        batch_op.add_column(sa.Column("max_sessions_per_week", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("languages", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("partner_user_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_volunteer_profiles_partner_user_id_users"),
            "users",
            ["partner_user_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("volunteer_profiles", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_volunteer_profiles_partner_user_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("partner_user_id")
        batch_op.drop_column("languages")
        batch_op.drop_column("max_sessions_per_week")
        batch_op.drop_column("travel_mode")
        batch_op.drop_column("max_travel_minutes")

    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_routes_short_code"), type_="unique")
        batch_op.drop_column("short_code")

    with op.batch_alter_table("iris_scores", schema=None) as batch_op:
        batch_op.drop_column("languages")

    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("planning_weights")
        batch_op.drop_column("max_sessions_per_week")
        batch_op.drop_column("rest_minutes")

    with op.batch_alter_table("street_closures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_street_closures_session_id"))

    op.drop_table("street_closures")
    with op.batch_alter_table("availability_exceptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_availability_exceptions_user_id"))

    op.drop_table("availability_exceptions")
