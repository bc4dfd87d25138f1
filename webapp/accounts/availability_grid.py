"""Rows and columns of the weekly availability grid, in the visitor's language."""

from dataclasses import dataclass
from datetime import time

from babel.dates import get_day_names
from flask_babel import format_time, get_locale, lazy_gettext

from webapp.accounts.forms import WEEKDAYS, slot_value
from webapp.services.signup import PERIOD_MINUTES, Period

PERIOD_LABELS = {
    Period.MORNING: lazy_gettext("Morning"),
    Period.AFTERNOON: lazy_gettext("Afternoon"),
    Period.EVENING: lazy_gettext("Evening"),
}


@dataclass(frozen=True)
class GridColumn:
    label: str
    hours: str


@dataclass(frozen=True)
class GridCell:
    value: str
    label: str


@dataclass(frozen=True)
class GridRow:
    day_name: str
    cells: tuple[GridCell, ...]


@dataclass(frozen=True)
class AvailabilityGrid:
    columns: tuple[GridColumn, ...]
    rows: tuple[GridRow, ...]


def build_availability_grid() -> AvailabilityGrid:
    """Return the 7 x 3 grid with localised day names, period names and hours."""
    day_names = get_day_names("wide", locale=get_locale())
    columns = tuple(
        GridColumn(label=str(PERIOD_LABELS[p]), hours=hours_label(*PERIOD_MINUTES[p]))
        for p in PERIOD_MINUTES
    )
    rows = []
    for day in WEEKDAYS:
        name = day_names[day]
        name = name[:1].upper() + name[1:]
        cells = tuple(
            # Read by screen readers for each checkbox, e.g. "Monday, morning".
            GridCell(value=slot_value(day, p), label=f"{name}, {str(PERIOD_LABELS[p]).lower()}")
            for p in PERIOD_MINUTES
        )
        rows.append(GridRow(day_name=name, cells=cells))
    return AvailabilityGrid(columns=columns, rows=tuple(rows))


def hours_label(start_minute: int, end_minute: int) -> str:
    """Return "09:00–12:30" in the visitor's time format."""
    start = format_time(time(*divmod(start_minute, 60)), "short")
    end = format_time(time(*divmod(end_minute, 60)), "short")
    return f"{start}–{end}"
