"""Presidential election results per polling station, in the Ministry's wide layout (CSV).

One row per station, the totals first, then one ``voix_<NAME>`` column per candidate.
"""

import logging
from dataclasses import dataclass
from pathlib import Path

from targeting.errors import DataFileError, Problem
from targeting.readers.csvfiles import CsvTable, read_csv
from targeting.readers.fields import Fields, KeyTracker

logger = logging.getLogger(__name__)

CODE_COMMUNE = "code_commune"
ID_BV = "id_bv"
INSCRITS = "inscrits"
ABSTENTIONS = "abstentions"
VOTANTS = "votants"
BLANCS = "blancs"
NULS = "nuls"
EXPRIMES = "exprimes"
VOTES_PREFIX = "voix_"


@dataclass(frozen=True)
class StationResult:
    """The result of one round at one polling station, in numbers of people."""

    commune_code: str
    number: int
    registered: int
    abstentions: int
    voters: int
    blank: int
    null: int
    expressed: int
    votes: tuple[tuple[str, int], ...]
    """(candidate name as in the ``voix_<NAME>`` header, votes), in header order."""


def read_presidential_results(path: Path) -> list[StationResult]:
    """Read the results per station and check that each row's totals add up.

    Raises DataFileError(MALFORMED_NUMBER) naming ``inscrits`` when registered is not
    abstentions + voters, ``votants`` when voters is not blank + null + expressed, and
    ``exprimes`` when the candidates' votes do not add up to expressed.
    """
    table = read_csv(
        path,
        [CODE_COMMUNE, ID_BV, INSCRITS, ABSTENTIONS, VOTANTS, BLANCS, NULS, EXPRIMES],
        [VOTES_PREFIX],
    )
    candidate_columns = _candidate_columns(table)
    records: list[StationResult] = []
    stations = KeyTracker()
    for fields in table.rows:
        result = _read_row(fields, candidate_columns)
        stations.add((result.commune_code, result.number), fields, ID_BV)
        records.append(result)
    logger.info("Read results of %s polling stations from %s", len(records), path.name)
    return records


def _candidate_columns(table: CsvTable) -> list[str]:
    columns = [name for name in table.header if name.startswith(VOTES_PREFIX)]
    for name in columns:
        if name == VOTES_PREFIX or columns.count(name) > 1:
            raise DataFileError(table.file_name, Problem.DUPLICATE_KEY, line=1, column=name)
    return columns


def _read_row(fields: Fields, candidate_columns: list[str]) -> StationResult:
    commune_code, number = fields.station_id(ID_BV)
    if commune_code != fields.commune_code(CODE_COMMUNE):
        raise fields.error(Problem.MALFORMED_CODE, ID_BV)

    result = StationResult(
        commune_code=commune_code,
        number=number,
        registered=fields.count(INSCRITS),
        abstentions=fields.count(ABSTENTIONS),
        voters=fields.count(VOTANTS),
        blank=fields.count(BLANCS),
        null=fields.count(NULS),
        expressed=fields.count(EXPRIMES),
        votes=tuple(
            (column.removeprefix(VOTES_PREFIX), fields.count(column))
            for column in candidate_columns
        ),
    )
    if result.registered != result.abstentions + result.voters:
        raise fields.error(Problem.MALFORMED_NUMBER, INSCRITS)
    if result.voters != result.blank + result.null + result.expressed:
        raise fields.error(Problem.MALFORMED_NUMBER, VOTANTS)
    if result.expressed != sum(votes for _, votes in result.votes):
        raise fields.error(Problem.MALFORMED_NUMBER, EXPRIMES)
    return result
