"""add door visit dwelling counts

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-09 09:00:00.000000

A door visit may carry how many dwellings of the address had each outcome, when a team
counted a building flat by flat, and the key of the form that recorded it, unique so
that a form posted twice records one visit. Existing visits get neither: each stays one
outcome for its address.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("door_visits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dwelling_counts", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("submission_key", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_door_visits_submission_key"), ["submission_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("door_visits", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_door_visits_submission_key"), type_="unique")
        batch_op.drop_column("submission_key")
        batch_op.drop_column("dwelling_counts")
