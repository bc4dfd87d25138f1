from pathlib import Path

import pytest

from targeting.errors import DataFileError, Problem
from targeting.readers.csvfiles import read_csv
from tests.targeting.conftest import WriteFile


def _error(path: Path, columns: list[str]) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        read_csv(path, columns)
    return caught.value


def test_rows_with_lines_and_stripped_cells(write_file: WriteFile) -> None:
    path = write_file("t.csv", "a,b\n 1 ,x\n2,y\n")

    table = read_csv(path, ["a", "b"])

    assert table.header == ("a", "b")
    assert [row.line for row in table.rows] == [2, 3]
    assert [dict(row.values) for row in table.rows] == [{"a": "1", "b": "x"}, {"a": "2", "b": "y"}]


def test_byte_order_mark_tolerated(write_file: WriteFile) -> None:
    path = write_file("t.csv", b"\xef\xbb\xbfa,b\n1,2\n")

    table = read_csv(path, ["a", "b"])

    assert table.header == ("a", "b")


def test_crlf_line_endings(write_file: WriteFile) -> None:
    path = write_file("t.csv", "a,b\r\n1,2\r\n3,4\r\n")

    table = read_csv(path, ["a", "b"])

    assert [row.line for row in table.rows] == [2, 3]


def test_quoted_line_breaks_keep_numbering(write_file: WriteFile) -> None:
    path = write_file("t.csv", 'a,b\n1,"two\nlines"\n\n3,"x"\n4,"three\nmore\nlines"\n5\n')

    error = _error(path, ["a", "b"])

    assert error.problem == Problem.MALFORMED_ROW
    assert error.line == 9


def test_lines_of_records_after_quoted_breaks(write_file: WriteFile) -> None:
    path = write_file("t.csv", 'a,b\n1,"two\nlines"\n\n3,x\n')

    table = read_csv(path, ["a", "b"])

    assert [row.line for row in table.rows] == [2, 5]
    assert table.rows[0].values["b"] == "two\nlines"


def test_unterminated_quote(write_file: WriteFile) -> None:
    path = write_file("t.csv", 'a,b\n1,2\n3,"open\n')

    error = _error(path, ["a", "b"])

    assert (error.file_name, error.line, error.problem) == ("t.csv", 3, Problem.MALFORMED_ROW)


def test_wrong_field_count(write_file: WriteFile) -> None:
    path = write_file("t.csv", "a,b\n1,2\n3,4,5\n")

    error = _error(path, ["a", "b"])

    assert (error.file_name, error.line, error.column) == ("t.csv", 3, None)
    assert error.problem == Problem.MALFORMED_ROW
    assert error.value == "3,4,5"


def test_missing_column(write_file: WriteFile) -> None:
    path = write_file("t.csv", "a,b\n1,2\n")

    error = _error(path, ["a", "c"])

    assert (error.line, error.column, error.problem) == (1, "c", Problem.MISSING_COLUMN)


def test_repeated_column(write_file: WriteFile) -> None:
    path = write_file("t.csv", "a,b,a\n1,2,3\n")

    error = _error(path, ["a", "b"])

    assert (error.line, error.column, error.problem) == (1, "a", Problem.DUPLICATE_KEY)


@pytest.mark.parametrize("separator", [";", "\t"])
def test_other_separator(write_file: WriteFile, separator: str) -> None:
    path = write_file("t.csv", f"a{separator}b\n1{separator}2\n")

    error = _error(path, ["a", "b"])

    assert (error.file_name, error.line, error.column) == ("t.csv", 1, None)
    assert error.problem == Problem.SEPARATOR


def test_latin1_line_of_first_bad_byte(write_file: WriteFile) -> None:
    path = write_file("t.csv", "a,b\n1,Bondy\n2,Champs-Élysées\n3,à\n", encoding="latin-1")

    error = _error(path, ["a", "b"])

    assert (error.file_name, error.line, error.column) == ("t.csv", 3, None)
    assert error.problem == Problem.ENCODING
    assert error.value == "\\xc9"


@pytest.mark.parametrize("content", ["", "\n\n", "a,b\n", "a,b\n\n"])
def test_empty_file(write_file: WriteFile, content: str) -> None:
    path = write_file("t.csv", content)

    error = _error(path, ["a", "b"])

    assert (error.file_name, error.line, error.problem) == ("t.csv", None, Problem.EMPTY_FILE)


def test_missing_file(tmp_path: Path) -> None:
    error = _error(tmp_path / "none.csv", ["a"])

    assert (error.file_name, error.problem) == ("none.csv", Problem.MISSING_FILE)
