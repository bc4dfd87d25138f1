"""add session feedbacks and message indexes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 01:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "session_feedbacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "rating BETWEEN 1 AND 5", name=op.f("ck_session_feedbacks_rating_range")
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_session_feedbacks_assignment_id_assignments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_feedbacks")),
        sa.UniqueConstraint("assignment_id", name=op.f("uq_session_feedbacks_assignment_id")),
    )
    # NOTE: on PostgreSQL these builds lock writes to messages until they finish; a large
    # table would rather get them with CREATE INDEX CONCURRENTLY, outside a transaction.
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_messages_provider_id"), ["provider_id"], unique=False)
        batch_op.create_index(
            "ix_messages_channel_recipient", ["channel", "recipient"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_channel_recipient")
        batch_op.drop_index(batch_op.f("ix_messages_provider_id"))
    op.drop_table("session_feedbacks")
