"""add session end points

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing sessions keep ending at their meeting point: no end point, empty label.
    with op.batch_alter_table("canvass_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("end_point_label", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("end_lon", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("end_lat", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("canvass_sessions", schema=None) as batch_op:
        batch_op.drop_column("end_lat")
        batch_op.drop_column("end_lon")
        batch_op.drop_column("end_point_label")
