"""add route notice state

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 10:00:00.000000

Each route records what its team was last told: its doors and the members told, and
the same for a route notice still held. Existing routes count as told as they are now,
to the members who have not declined.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_routes = sa.table(
    "routes",
    sa.column("id", sa.Integer),
    sa.column("session_id", sa.Integer),
    sa.column("team", sa.Integer),
    sa.column("address_ids", sa.JSON),
    sa.column("notified_address_ids", sa.JSON),
    sa.column("notified_assignment_ids", sa.JSON),
)
_assignments = sa.table(
    "assignments",
    sa.column("id", sa.Integer),
    sa.column("session_id", sa.Integer),
    sa.column("team", sa.Integer),
    sa.column("status", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notified_address_ids", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("notified_assignment_ids", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("held_address_ids", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("held_assignment_ids", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("notice_held_until", sa.DateTime(timezone=True), nullable=True)
        )
    _mark_routes_told()


def downgrade() -> None:
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.drop_column("notice_held_until")
        batch_op.drop_column("held_assignment_ids")
        batch_op.drop_column("held_address_ids")
        batch_op.drop_column("notified_assignment_ids")
        batch_op.drop_column("notified_address_ids")


def _mark_routes_told() -> None:
    connection = op.get_bind()
    members: dict[tuple[int, int], list[int]] = {}
    coming = sa.select(_assignments.c.id, _assignments.c.session_id, _assignments.c.team).where(
        _assignments.c.status != "declined"
    )
    for assignment_id, session_id, team in connection.execute(coming.order_by(_assignments.c.id)):
        members.setdefault((session_id, team), []).append(assignment_id)
    routes = sa.select(_routes.c.id, _routes.c.session_id, _routes.c.team, _routes.c.address_ids)
    for route_id, session_id, team, address_ids in connection.execute(routes).all():
        connection.execute(
            _routes.update()
            .where(_routes.c.id == route_id)
            .values(
                notified_address_ids=list(address_ids or ()),
                notified_assignment_ids=members.get((session_id, team), []),
            )
        )
