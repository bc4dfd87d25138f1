"""encrypt totp secrets and refuse replayed codes

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 10:00:00.000000

The TOTP secrets stored in clear are encrypted here, under the key derived from the
application's SECRET_KEY: run the migration with the same TOURNEE_SECRET_KEY as the
site (`flask db upgrade` builds the app from the same environment). The downgrade
decrypts them back.
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op
from flask import has_app_context

from webapp.services.totp_secrets import is_clear_secret, open_secret, seal_secret
from webapp.settings import Settings
from webapp.settings_access import get_settings

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_users = sa.table("users", sa.column("id", sa.Integer), sa.column("totp_secret", sa.String))


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column(
            "totp_secret",
            existing_type=sa.String(length=64),
            type_=sa.String(length=255),
            existing_nullable=True,
        )
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    key = _secret_key()
    _rewrite_secrets(is_clear_secret, lambda clear: seal_secret(key, clear))


def downgrade() -> None:
    key = _secret_key()
    _rewrite_secrets(
        lambda stored: not is_clear_secret(stored), lambda sealed: open_secret(key, sealed)
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.alter_column(
            "totp_secret",
            existing_type=sa.String(length=255),
            type_=sa.String(length=64),
            existing_nullable=True,
        )


def _secret_key() -> str:
    """Return the key of the running app, or of the environment outside an app."""
    if has_app_context():
        return get_settings().secret_key
    return Settings.from_env().secret_key


def _rewrite_secrets(is_due: Callable[[str], bool], rewrite: Callable[[str], str]) -> None:
    """Rewrite each stored secret that `is_due` selects; the others are left as they are."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_users.c.id, _users.c.totp_secret).where(_users.c.totp_secret.is_not(None))
    ).all()
    for user_id, stored in rows:
        if is_due(stored):
            connection.execute(
                _users.update().where(_users.c.id == user_id).values(totp_secret=rewrite(stored))
            )
