import pickle

from targeting.errors import DataFileError, Problem


def test_message_names_place_and_problem() -> None:
    error = DataFileError(
        "iris.csv", Problem.MALFORMED_CODE, line=3, column="CODE_IRIS", value="9301A0101"
    )

    assert str(error) == "iris.csv, line 3, column 'CODE_IRIS': malformed code (value '9301A0101')"


def test_message_without_place() -> None:
    error = DataFileError("ban.csv", Problem.EMPTY_FILE)

    assert str(error) == "ban.csv: empty file"
    assert error.line is None
    assert error.column is None
    assert error.value is None


def test_value_cut_to_80_characters() -> None:
    error = DataFileError("ban.csv", Problem.MALFORMED_ROW, line=2, value="x" * 200)

    assert error.value == "x" * 80


def test_error_survives_pickling() -> None:
    error = DataFileError(
        "ban.csv", Problem.MALFORMED_COORDINATE, line=4, column="lon", value="200"
    )

    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - the bytes come from this test

    assert (copy.file_name, copy.problem, copy.line, copy.column, copy.value) == (
        "ban.csv",
        Problem.MALFORMED_COORDINATE,
        4,
        "lon",
        "200",
    )
    assert str(copy) == str(error)
