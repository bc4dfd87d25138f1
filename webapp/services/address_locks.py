"""PostgreSQL advisory locks that order sends to an address against its opt-out.

A sender holds the address's lock in shared mode from its send-time checks until the
provider has responded and the outcome is committed. Recording a STOP takes the lock
exclusively, so it waits for sends already past their checks, and every later sender
sees the suppression. Reconciliation takes it exclusively without waiting, which proves
that no live worker is between its claim and its provider call for that address.

SQLite (the laptop demo) has no such locks and a single writer; there they do nothing.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from webapp.models.users import Channel


def address_lock_key(channel: Channel, address: str) -> int:
    """Return the signed 64-bit advisory lock key of an address."""
    digest = hashlib.blake2b(f"{channel}:{address}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def sending_lock(session: Session, channel: Channel, address: str) -> Iterator[None]:
    """Hold the address's lock in shared mode while the block runs.

    The lock lives on a connection of its own, so the session may commit inside the
    block (the claim, then the outcome) without releasing it. When the session is bound
    to a single connection (tests), the lock is taken there and held by its transaction.
    """
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        yield
        return
    key = address_lock_key(channel, address)
    if isinstance(bind, Connection):
        bind.execute(select(func.pg_advisory_xact_lock_shared(key)))
        yield
        return
    assert isinstance(bind, Engine)
    with bind.connect() as connection:
        connection.execute(select(func.pg_advisory_xact_lock_shared(key)))
        try:
            yield
        finally:
            connection.rollback()


def lock_address(session: Session, channel: Channel, address: str) -> None:
    """Take the address's lock exclusively until the session's transaction ends.

    Waits for every send already past its checks to finish.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(address_lock_key(channel, address))))


def try_lock_address(session: Session, channel: Channel, address: str) -> bool:
    """Take the address's lock exclusively if no one holds it; held until the transaction ends."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    key = address_lock_key(channel, address)
    return bool(session.scalar(select(func.pg_try_advisory_xact_lock(key))))
