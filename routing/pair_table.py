"""Checks shared by the tables of one value per (volunteer, session) pair."""

import numpy as np
from numpy.typing import NDArray


def check_pair_values(values: NDArray[np.float32], table: str, unit: str) -> None:
    """Raise ValueError unless `values` has two dimensions and no negative value.

    `table` and `unit` name the table and its unit in the message, as in "a walking
    table cannot hold negative metres".
    """
    if values.ndim != 2:
        raise ValueError(f"a {table} table needs 2 dimensions, got {values.ndim}")
    if np.any(values < 0):
        raise ValueError(f"a {table} table cannot hold negative {unit}")


def pair_shape(values: NDArray[np.float32]) -> tuple[int, int]:
    """Return (volunteers, sessions) of a pair table's values."""
    rows, columns = values.shape
    return int(rows), int(columns)
