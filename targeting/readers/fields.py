"""Typed access to the fields of one CSV record or one GeoJSON feature's properties."""

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from targeting import codes
from targeting.errors import DataFileError, Problem

_DIGITS_RE = re.compile(r"[0-9]+")
# Plain decimal notation only: Python's float() also takes "1_000", "inf" and "nan".
_DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

# INSEE writes these instead of a figure that is not significant ("ns"), not available
# ("nd") or kept secret ("s").
_INSEE_MISSING_MARKERS = frozenset({"ns", "nd", "s"})


@dataclass(frozen=True)
class Fields:
    """The named values of one record, with its file and line for error reports.

    CSV values are strings. GeoJSON property values are the JSON values (string,
    number, boolean, null), and a property absent from the feature is a missing column.
    """

    file_name: str
    line: int
    values: Mapping[str, object]

    def error(self, problem: Problem, column: str, value: object = None) -> DataFileError:
        """Build the error for ``column`` of this record, quoting ``value`` or the cell."""
        if value is None and column in self.values:
            value = self.values[column]
        return DataFileError(
            self.file_name,
            problem,
            line=self.line,
            column=column,
            value=None if value is None else str(value),
        )

    def raw(self, column: str) -> object:
        """Return the value of ``column`` as stored, raising MISSING_COLUMN if absent."""
        if column not in self.values:
            raise DataFileError(
                self.file_name, Problem.MISSING_COLUMN, line=self.line, column=column
            )
        return self.values[column]

    def text(self, column: str) -> str:
        """Return ``column`` as text without surrounding spaces, null being empty."""
        value = self.raw(column)
        if value is None:
            return ""
        return str(value).strip()

    def optional_text(self, column: str) -> str | None:
        """Return ``column`` as text, or None when it is empty."""
        return self.text(column) or None

    def required_text(self, column: str) -> str:
        """Return ``column`` as text, raising MALFORMED_CODE when it is empty."""
        text = self.text(column)
        if not text:
            raise self.error(Problem.MALFORMED_CODE, column, "")
        return text

    def commune_code(self, column: str) -> str:
        """Return ``column`` as an INSEE commune code such as ``01053`` or ``2A004``."""
        return self._code(column, codes.is_commune_code)

    def iris_code(self, column: str) -> str:
        """Return ``column`` as a 9-character IRIS code."""
        return self._code(column, codes.is_iris_code)

    def postcode(self, column: str) -> str:
        """Return ``column`` as a 5-digit postcode."""
        return self._code(column, codes.is_postcode)

    def station_id(self, column: str) -> tuple[str, int]:
        """Return ``column``, a polling station id such as ``93010_1``, as (commune, number)."""
        value = self.raw(column)
        parsed = codes.parse_station_id(value.strip()) if isinstance(value, str) else None
        if parsed is None:
            raise self.error(Problem.MALFORMED_CODE, column)
        return parsed

    def count(self, column: str) -> int:
        """Return ``column`` as a non-negative whole number."""
        count = self.optional_count(column)
        if count is None:
            raise self.error(Problem.MALFORMED_NUMBER, column, "")
        return count

    def optional_count(self, column: str) -> int | None:
        """Return ``column`` as a non-negative whole number, or None when it is empty."""
        value = self.raw(column)
        if isinstance(value, bool):
            raise self.error(Problem.MALFORMED_NUMBER, column)
        if isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif value is None or (isinstance(value, str) and not value.strip()):
            return None
        elif isinstance(value, str) and _DIGITS_RE.fullmatch(value.strip()):
            number = int(value.strip())
        else:
            raise self.error(Problem.MALFORMED_NUMBER, column)
        if number < 0:
            raise self.error(Problem.MALFORMED_NUMBER, column)
        return number

    def amount(self, column: str) -> float:
        """Return ``column`` as a finite, non-negative decimal number."""
        amount = self.optional_amount(column)
        if amount is None:
            raise self.error(Problem.MALFORMED_NUMBER, column, "")
        return amount

    def optional_amount(self, column: str) -> float | None:
        """Return ``column`` as a finite, non-negative decimal number, or None when empty.

        INSEE's markers for a missing figure (``ns``, ``nd``, ``s``) also give None.
        """
        value = self.raw(column)
        if value is None:
            return None
        if isinstance(value, str) and (
            not value.strip() or value.strip() in _INSEE_MISSING_MARKERS
        ):
            return None
        number = self._finite_float(value)
        if number is None or number < 0:
            raise self.error(Problem.MALFORMED_NUMBER, column)
        return number

    def optional_percentage(self, column: str) -> float | None:
        """Return ``column`` as a percentage between 0 and 100, or None when it is empty."""
        number = self.optional_amount(column)
        if number is not None and number > 100:
            raise self.error(Problem.MALFORMED_NUMBER, column)
        return number

    def longitude(self, column: str) -> float:
        """Return ``column`` as a WGS84 longitude in degrees, between -180 and 180."""
        return self._coordinate(column, 180.0)

    def latitude(self, column: str) -> float:
        """Return ``column`` as a WGS84 latitude in degrees, between -90 and 90."""
        return self._coordinate(column, 90.0)

    def _code(self, column: str, is_valid: Callable[[str], bool]) -> str:
        # A code stored as a JSON number has already lost its leading zeros.
        value = self.raw(column)
        if not isinstance(value, str) or not is_valid(value.strip()):
            raise self.error(Problem.MALFORMED_CODE, column)
        return value.strip()

    def _coordinate(self, column: str, limit: float) -> float:
        number = self._finite_float(self.raw(column))
        if number is None or not -limit <= number <= limit:
            raise self.error(Problem.MALFORMED_COORDINATE, column)
        return number

    @staticmethod
    def _finite_float(value: object) -> float | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            number = float(value)
        elif isinstance(value, str) and _DECIMAL_RE.fullmatch(value.strip()):
            number = float(value.strip())
        else:
            return None
        return number if math.isfinite(number) else None


class KeyTracker:
    """The keys seen so far in one file, to reject a record that repeats one."""

    def __init__(self) -> None:
        self._seen: set[object] = set()

    def add(self, key: object, fields: Fields, column: str) -> None:
        """Record ``key``, raising DUPLICATE_KEY on ``column`` if it was already seen."""
        if key in self._seen:
            raise fields.error(Problem.DUPLICATE_KEY, column)
        self._seen.add(key)
