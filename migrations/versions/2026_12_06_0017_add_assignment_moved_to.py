"""add assignment moved to

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 19:00:00.000000

A place a coordinator moved a volunteer away from records the session they went to, so
that pages and notices tell a move from a decline. Existing declines have none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("moved_to_session_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_assignments_moved_to_session_id_canvass_sessions",
            "canvass_sessions",
            ["moved_to_session_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_constraint(
            "fk_assignments_moved_to_session_id_canvass_sessions", type_="foreignkey"
        )
        batch_op.drop_column("moved_to_session_id")
