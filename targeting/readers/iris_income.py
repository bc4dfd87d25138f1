"""IRIS income and poverty (INSEE Filosofi, disposable income table) as CSV."""

import logging
from dataclasses import dataclass
from pathlib import Path

from targeting.readers.csvfiles import read_csv
from targeting.readers.fields import KeyTracker

logger = logging.getLogger(__name__)

CODE_IRIS = "CODE_IRIS"
DISP_MED = "DISP_MED19"
DISP_TP60 = "DISP_TP6019"


@dataclass(frozen=True)
class IrisIncome:
    """Income figures of one IRIS, None where INSEE publishes no figure.

    ``median_income_eur`` is rounded to the euro.
    """

    iris_code: str
    median_income_eur: int | None
    poverty_rate_pct: float | None


def read_iris_income(path: Path) -> list[IrisIncome]:
    """Read median disposable income per consumption unit and poverty rate per IRIS.

    The columns are those of the 2019 vintage (``DISP_MED19``, ``DISP_TP6019``).
    """
    # TODO: take the vintage from the header so that the 2020 and later tables
    # (DISP_MED20, ...) load without renaming their columns.
    table = read_csv(path, [CODE_IRIS, DISP_MED, DISP_TP60])
    records: list[IrisIncome] = []
    codes = KeyTracker()
    for fields in table.rows:
        code = fields.iris_code(CODE_IRIS)
        codes.add(code, fields, CODE_IRIS)
        records.append(
            IrisIncome(
                iris_code=code,
                median_income_eur=_optional_round(fields.optional_amount(DISP_MED)),
                poverty_rate_pct=fields.optional_percentage(DISP_TP60),
            )
        )
    logger.info("Read income figures of %s IRIS from %s", len(records), path.name)
    return records


def _optional_round(amount: float | None) -> int | None:
    return None if amount is None else round(amount)
