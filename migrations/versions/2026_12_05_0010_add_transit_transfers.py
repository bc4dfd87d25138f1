"""add transit transfers

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "transit_transfers",
        sa.Column("from_stop_id", sa.Integer(), nullable=False),
        sa.Column("to_stop_id", sa.Integer(), nullable=False),
        sa.Column("transfer_type", sa.SmallInteger(), nullable=False),
        sa.Column("min_transfer_s", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["from_stop_id"],
            ["transit_stops.id"],
            name=op.f("fk_transit_transfers_from_stop_id_transit_stops"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_stop_id"],
            ["transit_stops.id"],
            name=op.f("fk_transit_transfers_to_stop_id_transit_stops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("from_stop_id", "to_stop_id", name=op.f("pk_transit_transfers")),
    )


def downgrade() -> None:
    op.drop_table("transit_transfers")
