"""add street closure names

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 19:00:00.000000

A closure may name a street that only the addresses know, with no way of the street
network: `street_key` holds its folded name and `street_way_id` may be empty.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("street_closures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("street_key", sa.String(length=200), nullable=True))
        batch_op.alter_column("street_way_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_unique_constraint(
            batch_op.f("uq_street_closures_session_id_street_key"), ["session_id", "street_key"]
        )


def downgrade() -> None:
    # Closures of streets without a way cannot be kept: those streets open again.
    op.execute(sa.text("DELETE FROM street_closures WHERE street_way_id IS NULL"))
    with op.batch_alter_table("street_closures", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_street_closures_session_id_street_key"), type_="unique"
        )
        batch_op.alter_column("street_way_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("street_key")
