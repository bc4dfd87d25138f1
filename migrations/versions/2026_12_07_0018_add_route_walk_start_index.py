"""add route walk start index

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 09:00:00.000000

Each route records where, among its doors, the walk its path, length and minutes
describe starts: after the doors visited when a re-planning walked the team on from its
last visited door. Existing routes get none, so their pages describe their figures as
those of the whole route. NOTE: a route re-planned that way before the upgrade keeps
figures of its walk left under that wording until its session is re-planned again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("walk_start_index", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.drop_column("walk_start_index")
