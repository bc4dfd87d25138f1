"""The migration that encrypts TOTP secrets, up and down, on SQLite with data."""

import pytest
from sqlalchemy import inspect, text

from webapp import migrate
from webapp.db import build_engine
from webapp.services.totp_secrets import UnreadableSecretError, is_clear_secret, open_secret

KEY = "migration-secret-key-that-is-long-enough-42"
CLEAR = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _add_user(connection: object, email: str, secret: str | None) -> None:
    connection.execute(  # type: ignore[attr-defined]
        text(
            "INSERT INTO users (email, password_hash, first_name, last_name, locale,"
            " is_enabled, session_version, totp_secret, created_at)"
            " VALUES (:email, 'x', 'Camille', 'Martin', 'fr', 1, 1, :secret,"
            " '2026-12-01 10:00:00')"
        ),
        {"email": email, "secret": secret},
    )


def test_secrets_encrypted_then_decrypted(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOURNEE_SECRET_KEY", KEY)
    engine = build_engine(f"sqlite:///{tmp_path / 'totp.sqlite3'}")
    migrate.upgrade(engine, "0005")
    with engine.begin() as connection:
        _add_user(connection, "a@example.org", CLEAR)
        _add_user(connection, "b@example.org", None)

    migrate.upgrade(engine, "0006")
    with engine.connect() as connection:
        upgraded = connection.execute(
            text("SELECT email, totp_secret, totp_last_step FROM users ORDER BY email")
        ).all()
    migrate.downgrade(engine, "0005")
    with engine.connect() as connection:
        downgraded = connection.execute(
            text("SELECT email, totp_secret FROM users ORDER BY email")
        ).all()
    columns = {column["name"] for column in inspect(engine).get_columns("users")}
    engine.dispose()

    (first_email, sealed, last_step), second = upgraded
    assert (first_email, last_step) == ("a@example.org", None)
    assert not is_clear_secret(sealed)
    assert open_secret(KEY, sealed) == CLEAR
    assert tuple(second) == ("b@example.org", None, None)
    assert [tuple(row) for row in downgraded] == [("a@example.org", CLEAR), ("b@example.org", None)]
    assert "totp_last_step" not in columns


def test_downgrade_with_other_key_fails(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOURNEE_SECRET_KEY", KEY)
    engine = build_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    migrate.upgrade(engine, "0005")
    with engine.begin() as connection:
        _add_user(connection, "a@example.org", CLEAR)
    migrate.upgrade(engine, "0006")
    monkeypatch.setenv("TOURNEE_SECRET_KEY", "another-key-that-is-long-enough-0123456789")

    with pytest.raises(UnreadableSecretError):
        migrate.downgrade(engine, "0005")
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        sealed = connection.execute(text("SELECT totp_secret FROM users")).scalar_one()
    engine.dispose()

    assert version == "0006"
    assert open_secret(KEY, sealed) == CLEAR
