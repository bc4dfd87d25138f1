"""add route dwellings

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 18:00:00.000000

Each route gets the estimated dwellings behind its addresses, filled in here from the
addresses as they are now: at least one per address, as the planner counts them, and
one for an address no longer stored.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Addresses read per query, well under the bound-parameter limits of SQLite and PostgreSQL.
_CHUNK = 500

_routes = sa.table(
    "routes",
    sa.column("id", sa.Integer),
    sa.column("address_ids", sa.JSON),
    sa.column("dwelling_count", sa.Integer),
)
_addresses = sa.table("addresses", sa.column("id", sa.Integer), sa.column("dwellings", sa.Integer))


def upgrade() -> None:
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dwelling_count", sa.Integer(), nullable=True))
    _fill_dwelling_counts()
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.alter_column("dwelling_count", existing_type=sa.Integer(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.drop_column("dwelling_count")


def _fill_dwelling_counts() -> None:
    connection = op.get_bind()
    routes = connection.execute(sa.select(_routes.c.id, _routes.c.address_ids)).all()
    wanted = sorted({address_id for _, ids in routes for address_id in ids or ()})
    dwellings: dict[int, int] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        rows = connection.execute(
            sa.select(_addresses.c.id, _addresses.c.dwellings).where(_addresses.c.id.in_(chunk))
        )
        dwellings.update((address_id, max(1, count)) for address_id, count in rows)
    for route_id, ids in routes:
        total = sum(dwellings.get(address_id, 1) for address_id in ids or ())
        connection.execute(
            _routes.update().where(_routes.c.id == route_id).values(dwelling_count=total)
        )
