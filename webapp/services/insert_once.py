"""Insert a row unless a row with the same unique key exists, without an exception."""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from webapp.db import Base


def insert_once(
    session: Session,
    model: type[Base],
    values: Mapping[str, Any],
    conflict_columns: Sequence[str],
) -> int | None:
    """Insert `values` and return the new id, or None when `conflict_columns` match a row.

    Two requests racing on the same key both succeed: one inserts, the other gets None.
    Pending rows of the session are flushed first, so they count as existing.
    """
    session.flush()
    statement: Insert
    if session.get_bind().dialect.name == "postgresql":
        statement = postgresql.insert(model).on_conflict_do_nothing(index_elements=conflict_columns)
    else:
        statement = sqlite.insert(model).on_conflict_do_nothing(index_elements=conflict_columns)
    new_id = session.execute(statement.values(**values).returning(model.__table__.c.id)).scalar()
    return None if new_id is None else int(new_id)
