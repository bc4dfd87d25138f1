"""Numbers handed to the routing solver: walking seconds and matrices as nested lists."""

import numpy as np

from routing import turf_model
from routing.streets import UNREACHABLE_M
from routing.turf_model import walking_seconds


def test_walking_seconds_round_up() -> None:
    metres = np.array([[0, 70, 71], [35, 1, 140]], dtype=np.int32)
    assert walking_seconds(metres, 70.0).tolist() == [[0, 60, 61], [30, 1, 120]]


def test_large_matrix_lists_share_their_ints() -> None:
    size = 400
    assert size * size >= turf_model.SHARED_INTS_MIN_ENTRIES
    matrix = (np.add.outer(np.arange(size), np.arange(size)) % 7 + 1000).astype(np.int64)
    rows = turf_model._as_lists(matrix)
    assert rows == matrix.tolist()
    assert rows[0][1] == 1001
    assert rows[0][1] is rows[1][0]


def test_lists_of_values_spread_wide_are_plain() -> None:
    size = 400
    matrix = np.full((size, size), 1000, dtype=np.int64)
    matrix[3, 4] = UNREACHABLE_M
    rows = turf_model._as_lists(matrix)
    assert rows == matrix.tolist()
    assert rows[5][6] is not rows[6][5]


def test_small_matrix_lists_are_plain() -> None:
    matrix = np.array([[0, 1000], [1000, 0]], dtype=np.int32)
    rows = turf_model._as_lists(matrix)
    assert rows == [[0, 1000], [1000, 0]]
    assert all(type(value) is int for row in rows for value in row)
