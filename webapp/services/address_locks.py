"""PostgreSQL advisory locks that order sends to an address against its opt-out.

A sender holds the address's lock in shared mode from its send-time checks until the
provider has responded and the outcome is committed. Recording a STOP takes the lock
exclusively, so it waits for sends already past their checks, and every later sender
sees the suppression. Reconciliation takes it exclusively without waiting, which proves
that no live worker is between its claim and its provider call for that address.

SQLite (the laptop demo) has no such locks and a single writer; there they do nothing.
"""

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from webapp.models.users import Channel


def address_lock_key(channel: Channel, address: str) -> int:
    """Return the signed 64-bit advisory lock key of an address."""
    digest = hashlib.blake2b(f"{channel}:{address}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


_LOCK_SHARED = text(
    "SELECT pg_advisory_xact_lock_shared(k) FROM unnest(CAST(:keys AS bigint[])) AS t(k)"
)


class SendingLocks:
    """Takes the shared locks of one chunk of addresses after another, on one connection.

    The locks live on a connection of their own, so the session may commit inside a
    chunk (the claim, then the outcome) without releasing them. They are taken in one
    statement, in ascending key order, the same order for every sender. Without a
    connection (SQLite) it takes nothing.
    """

    def __init__(self, connection: Connection | None, *, is_own: bool) -> None:
        self._connection = connection
        self._is_own = is_own

    @contextmanager
    def hold(self, addresses: Iterable[tuple[Channel, str]]) -> Iterator[None]:
        """Hold these (channel, address) locks in shared mode while the block runs."""
        keys = sorted({address_lock_key(channel, address) for channel, address in addresses})
        if self._connection is None or not keys:
            yield
            return
        self._connection.execute(_LOCK_SHARED, {"keys": keys})
        try:
            yield
        finally:
            # A connection shared with the session (tests) keeps its locks until its
            # own transaction ends.
            if self._is_own:
                self._connection.rollback()


@contextmanager
def sending_locks(session: Session) -> Iterator[SendingLocks]:
    """Yield the sending locks of the session's database, on a connection of their own.

    When the session is bound to a single connection (tests), the locks are taken
    there and held by its transaction.
    """
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        yield SendingLocks(None, is_own=False)
        return
    if isinstance(bind, Connection):
        yield SendingLocks(bind, is_own=False)
        return
    assert isinstance(bind, Engine)
    with bind.connect() as connection:
        yield SendingLocks(connection, is_own=True)


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
