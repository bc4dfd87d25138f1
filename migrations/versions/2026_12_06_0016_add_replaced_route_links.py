"""add replaced route links

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 14:00:00.000000

A planning run that changes the members of a team gives its route a new token and short
code. The links given up are kept as SHA-256 digests, so that opening one shows a page
saying the link was replaced instead of an unknown link. Downgrading forgets them, and
those links then show as unknown.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "replaced_route_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("team", sa.Integer(), nullable=False),
        sa.Column("link_digest", sa.String(length=64), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["canvass_sessions.id"],
            name=op.f("fk_replaced_route_links_session_id_canvass_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replaced_route_links")),
    )
    with op.batch_alter_table("replaced_route_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_replaced_route_links_link_digest"), ["link_digest"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_replaced_route_links_session_id"), ["session_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("replaced_route_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replaced_route_links_session_id"))
        batch_op.drop_index(batch_op.f("ix_replaced_route_links_link_digest"))
    op.drop_table("replaced_route_links")
