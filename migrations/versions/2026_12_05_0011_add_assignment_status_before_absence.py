"""add assignment status before absence

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Teams marked absent before this revision stay absent; they cannot be marked
    # present again, since their earlier statuses were not kept.
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status_before_absence",
                sa.Enum(
                    "proposed",
                    "confirmed",
                    "declined",
                    "attended",
                    name="assignmentstatus",
                    native_enum=False,
                    length=20,
                ),
                nullable=True,
            )
        )


def downgrade() -> None:
    # Absent teams stay absent (their assignments stay declined), without the way back.
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("status_before_absence")
