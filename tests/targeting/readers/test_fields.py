from collections.abc import Callable

import pytest

from targeting.errors import DataFileError, Problem
from targeting.readers.fields import Fields, KeyTracker


def _fields(**values: object) -> Fields:
    return Fields("f.csv", 7, values)


def _problem(call: Callable[[], object]) -> Problem:
    with pytest.raises(DataFileError) as caught:
        call()
    return caught.value.problem


@pytest.mark.parametrize(("value", "expected"), [("12", 12), (" 0 ", 0), (12, 12), (12.0, 12)])
def test_count_accepted(value: object, expected: int) -> None:
    assert _fields(n=value).count("n") == expected


@pytest.mark.parametrize("value", ["-1", "1.5", "abc", "1e3", "", None, True, -3, 2.5, "١٢"])
def test_count_rejected(value: object) -> None:
    assert _problem(lambda: _fields(n=value).count("n")) == Problem.MALFORMED_NUMBER


def test_optional_count_empty() -> None:
    assert _fields(n="").optional_count("n") is None
    assert _fields(n=None).optional_count("n") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("36.7", 36.7), ("1e2", 100.0), (".5", 0.5), (3, 3.0), ("", None), ("ns", None), ("nd", None)],
)
def test_optional_amount(value: object, expected: float | None) -> None:
    assert _fields(x=value).optional_amount("x") == expected


@pytest.mark.parametrize("value", ["nan", "inf", "1e400", "1_000", "36,7", "-0.5", float("nan")])
def test_amount_rejected(value: object) -> None:
    assert _problem(lambda: _fields(x=value).amount("x")) == Problem.MALFORMED_NUMBER


def test_percentage_above_100() -> None:
    fields = _fields(p="11190")

    assert _problem(lambda: fields.optional_percentage("p")) == Problem.MALFORMED_NUMBER


@pytest.mark.parametrize("value", ["abc", "200", "-180.5", "", "nan", None, float("inf")])
def test_longitude_rejected(value: object) -> None:
    assert _problem(lambda: _fields(lon=value).longitude("lon")) == Problem.MALFORMED_COORDINATE


def test_coordinates_at_limits() -> None:
    fields = _fields(lon="-180", lat="90")

    assert fields.longitude("lon") == -180.0
    assert fields.latitude("lat") == 90.0


def test_latitude_rejected() -> None:
    assert _problem(lambda: _fields(lat="90.1").latitude("lat")) == Problem.MALFORMED_COORDINATE


def test_code_as_json_number_rejected() -> None:
    error_problem = _problem(lambda: _fields(code=93010).commune_code("code"))

    assert error_problem == Problem.MALFORMED_CODE


def test_missing_property() -> None:
    with pytest.raises(DataFileError) as caught:
        _fields().text("name")

    assert (caught.value.line, caught.value.column) == (7, "name")
    assert caught.value.problem == Problem.MISSING_COLUMN


def test_error_quotes_cell() -> None:
    error = _fields(lon="abc").error(Problem.MALFORMED_COORDINATE, "lon")

    assert (error.file_name, error.line, error.column, error.value) == ("f.csv", 7, "lon", "abc")


def test_key_tracker_rejects_repeat() -> None:
    tracker = KeyTracker()
    tracker.add("a", _fields(id="a"), "id")

    with pytest.raises(DataFileError) as caught:
        tracker.add("a", _fields(id="a"), "id")

    assert (caught.value.problem, caught.value.column) == (Problem.DUPLICATE_KEY, "id")
