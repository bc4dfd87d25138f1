"""Errors raised while reading a territory's open-data files."""

from enum import StrEnum

MAX_VALUE_CHARS = 80


class Problem(StrEnum):
    """What is wrong with a data file: the web app translates these values for coordinators."""

    MISSING_FILE = "missing_file"
    EMPTY_FILE = "empty_file"
    ENCODING = "encoding"
    SEPARATOR = "separator"
    MISSING_COLUMN = "missing_column"
    MALFORMED_ROW = "malformed_row"
    MALFORMED_CODE = "malformed_code"
    MALFORMED_COORDINATE = "malformed_coordinate"
    MALFORMED_NUMBER = "malformed_number"
    MALFORMED_GEOMETRY = "malformed_geometry"
    DUPLICATE_KEY = "duplicate_key"


class DataFileError(Exception):
    """A data file that cannot be used, with the place and the kind of the problem.

    ``line`` locates the problem in the file, counting from 1:

    - in a CSV file, it is the physical line where the record starts, the header being
      line 1, so a quoted field that spans several lines does not shift later records;
    - in a GeoJSON file, it is the 1-based index of the feature in ``features``, except
      for ENCODING and for JSON syntax errors, where it is the physical line of the text;
    - it is None when the problem concerns the whole file (a missing or empty file).

    ``column`` is the CSV column or the GeoJSON property at fault (``"geometry"`` for a
    feature's geometry), and ``value`` the offending text, cut to 80 characters.
    """

    def __init__(
        self,
        file_name: str,
        problem: Problem,
        *,
        line: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        self.file_name = file_name
        self.problem = problem
        self.line = line
        self.column = column
        self.value = None if value is None else value[:MAX_VALUE_CHARS]
        super().__init__(self._describe())

    def _describe(self) -> str:
        place = [self.file_name]
        if self.line is not None:
            place.append(f"line {self.line}")
        if self.column is not None:
            place.append(f"column {self.column!r}")
        message = f"{', '.join(place)}: {self.problem.value.replace('_', ' ')}"
        if self.value is not None:
            message += f" (value {self.value!r})"
        return message

    def __reduce__(self) -> tuple[object, ...]:
        # Exceptions with keyword-only arguments do not pickle by default, and RQ pickles
        # the exception of a failed job.
        return (_rebuild_error, (self.file_name, self.problem, self.line, self.column, self.value))


def _rebuild_error(
    file_name: str, problem: Problem, line: int | None, column: str | None, value: str | None
) -> DataFileError:
    return DataFileError(file_name, problem, line=line, column=column, value=value)
