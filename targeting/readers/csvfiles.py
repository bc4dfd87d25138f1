"""Strict reading of comma-separated open-data files."""

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from targeting.errors import DataFileError, Problem
from targeting.readers.fields import Fields
from targeting.readers.textfiles import decode_utf8


@dataclass(frozen=True)
class CsvTable:
    """The header and the non-blank records of a CSV file."""

    file_name: str
    header: tuple[str, ...]
    rows: tuple[Fields, ...]


def read_csv(
    path: Path, required_columns: Sequence[str], required_prefixes: Sequence[str] = ()
) -> CsvTable:
    """Read a UTF-8, comma-separated file whose header has ``required_columns``.

    For each of ``required_prefixes``, at least one column must start with it.

    Cells are stripped of surrounding spaces and blank lines are skipped. Raises
    DataFileError on a missing, empty or non-UTF-8 file, on another separator, on a
    missing or repeated required column, and on a record that does not split into as
    many fields as the header.
    """
    text = decode_utf8(path)
    if not text.strip():
        raise DataFileError(path.name, Problem.EMPTY_FILE)

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=",", strict=True)
    header = _read_header(path.name, reader, required_columns, required_prefixes)
    rows: list[Fields] = []
    last_line = reader.line_num
    while True:
        # A record starts on the line after the previous one ended, and line_num counts
        # the physical lines consumed so far, quoted line breaks included.
        start_line = last_line + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise DataFileError(
                path.name, Problem.MALFORMED_ROW, line=start_line, value=str(error)
            ) from error
        last_line = reader.line_num
        if not record:
            continue
        if len(record) != len(header):
            raise DataFileError(
                path.name, Problem.MALFORMED_ROW, line=start_line, value=",".join(record)
            )
        cells = {name: cell.strip() for name, cell in zip(header, record, strict=True)}
        rows.append(Fields(path.name, start_line, cells))

    if not rows:
        raise DataFileError(path.name, Problem.EMPTY_FILE)
    return CsvTable(path.name, header, tuple(rows))


def _read_header(
    file_name: str,
    reader: Iterator[list[str]],
    required_columns: Sequence[str],
    required_prefixes: Sequence[str],
) -> tuple[str, ...]:
    try:
        header = tuple(name.strip() for name in next(reader))
    except csv.Error as error:
        raise DataFileError(file_name, Problem.MALFORMED_ROW, line=1, value=str(error)) from error

    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        raise DataFileError(file_name, Problem.SEPARATOR, line=1, value=header[0])
    for column in required_columns:
        if column not in header:
            raise DataFileError(file_name, Problem.MISSING_COLUMN, line=1, column=column)
        if header.count(column) > 1:
            raise DataFileError(file_name, Problem.DUPLICATE_KEY, line=1, column=column)
    for prefix in required_prefixes:
        if not any(name.startswith(prefix) for name in header):
            raise DataFileError(file_name, Problem.MISSING_COLUMN, line=1, column=f"{prefix}*")
    return header
