"""add route closed address ids

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08 09:00:00.000000

Each route records the doors to visit that a street closure took from it, so that they
come back to its team when the street reopens. Existing routes get none: a street
closed before the upgrade gives its doors, once reopened, to whichever team fits them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_address_ids", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.drop_column("closed_address_ids")
