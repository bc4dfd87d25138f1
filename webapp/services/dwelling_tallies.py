"""Counts of outcomes per dwelling at an address of several dwellings, such as a building.

At such an address a team may record, in one visit, how many dwellings had each outcome
(`DoorVisit.dwelling_counts`). The visit's own `outcome` is derived from those counts
(`DwellingTally.outcome`), so door progress, doors to come back to and re-planning,
which read the latest outcome per address, still count the address as one door.

The latest visit of an address in a session contains the counts of the whole address. A
team coming back updates them rather than adding the dwellings seen on its return, so
the route page fills the form in with them.
"""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import DoorVisit, Route
from webapp.models.canvass import DoorOutcome
from webapp.services.door_progress import OUTCOME_LABELS
from webapp.services.errors import ServiceError

# The outcomes a dwelling can have, in the order of the door's buttons. COME_BACK is an
# outcome of the address only: its dwellings where nobody was home count as ABSENT.
TALLY_OUTCOMES = (
    DoorOutcome.ABSENT,
    DoorOutcome.OPENED,
    DoorOutcome.CONVERSATION,
    DoorOutcome.REFUSED,
    DoorOutcome.INACCESSIBLE,
)
# The address's outcome is the first of these that a dwelling had: the furthest a
# dwelling of the address got.
OUTCOME_PRECEDENCE = (
    DoorOutcome.CONVERSATION,
    DoorOutcome.OPENED,
    DoorOutcome.REFUSED,
    DoorOutcome.ABSENT,
    DoorOutcome.INACCESSIBLE,
)
# An address estimated at fewer dwellings is recorded with one outcome only.
MIN_TALLY_DWELLINGS = 2
# The dwellings estimate comes from open data and can be low, so an address may count
# twice its estimate, and never fewer than MIN_TALLY_LIMIT nor more than MAX_TALLY_TOTAL.
MIN_TALLY_LIMIT = 20
MAX_TALLY_TOTAL = 500


class InvalidTallyError(ServiceError):
    """The counts break a rule that the form checks first: negative, all zero, or COME_BACK
    with no dwelling where nobody was home."""


class TallyTooLargeError(ServiceError):
    """The counts add up to more dwellings than the address may count."""

    def __init__(self, total: int, limit: int) -> None:
        super().__init__(f"{total} dwellings counted, at most {limit} allowed")
        self.total = total
        self.limit = limit


@dataclass(frozen=True)
class DwellingTally:
    """The dwellings of one address that had each outcome, in fields named after the
    `DoorOutcome` values of `TALLY_OUTCOMES`."""

    absent: int = 0
    opened: int = 0
    conversation: int = 0
    refused: int = 0
    inaccessible: int = 0
    # The team comes back later for the dwellings where nobody was home.
    is_coming_back: bool = False

    @classmethod
    def from_counts(
        cls, counts: Mapping[DoorOutcome, int], *, is_coming_back: bool = False
    ) -> "DwellingTally":
        return cls(
            **{outcome.value: counts.get(outcome, 0) for outcome in TALLY_OUTCOMES},
            is_coming_back=is_coming_back,
        )

    @classmethod
    def from_visit(cls, counts: Mapping[str, Any], outcome: DoorOutcome) -> "DwellingTally":
        """Rebuild the tally of a stored visit from its `dwelling_counts` and its outcome."""
        stored = {each: int(counts.get(each.value) or 0) for each in TALLY_OUTCOMES}
        return cls.from_counts(stored, is_coming_back=outcome == DoorOutcome.COME_BACK)

    def count(self, outcome: DoorOutcome) -> int:
        """Return the dwellings with `outcome`, 0 for an outcome no dwelling can have."""
        return int(getattr(self, outcome.value)) if outcome in TALLY_OUTCOMES else 0

    @property
    def total(self) -> int:
        return sum(self.count(outcome) for outcome in TALLY_OUTCOMES)

    @property
    def counted(self) -> tuple[tuple[DoorOutcome, int], ...]:
        """Return the outcomes some dwelling had, with their counts, in the buttons' order."""
        return tuple(
            (outcome, self.count(outcome)) for outcome in TALLY_OUTCOMES if self.count(outcome)
        )

    @property
    def outcome(self) -> DoorOutcome:
        """Derive the address's outcome: COME_BACK when the team comes back for dwellings
        where nobody was home, else the first outcome of `OUTCOME_PRECEDENCE` counted.

        Raises InvalidTallyError when no dwelling is counted.
        """
        if self.is_coming_back and self.absent > 0:
            return DoorOutcome.COME_BACK
        for outcome in OUTCOME_PRECEDENCE:
            if self.count(outcome) > 0:
                return outcome
        raise InvalidTallyError("no dwelling counted")

    def as_json(self) -> dict[str, int]:
        """Return the counts as `DoorVisit.dwelling_counts` stores them, zeros included."""
        return {outcome.value: self.count(outcome) for outcome in TALLY_OUTCOMES}


def tally_limit(dwellings: int) -> int:
    """Return the most dwellings a tally may count at an address of `dwellings` estimated."""
    return min(MAX_TALLY_TOTAL, max(MIN_TALLY_LIMIT, 2 * dwellings))


def accepts_tally(dwellings: int) -> bool:
    """Tell whether an address of `dwellings` estimated may be recorded with a tally."""
    return dwellings >= MIN_TALLY_DWELLINGS


def check_tally(tally: DwellingTally, *, limit: int) -> None:
    """Raise InvalidTallyError or TallyTooLargeError when `tally` cannot be recorded."""
    if any(tally.count(outcome) < 0 for outcome in TALLY_OUTCOMES):
        raise InvalidTallyError("negative count")
    if tally.total == 0:
        raise InvalidTallyError("no dwelling counted")
    if tally.is_coming_back and tally.absent == 0:
        raise InvalidTallyError("coming back with no dwelling where nobody was home")
    if tally.total > limit:
        raise TallyTooLargeError(tally.total, limit)


@dataclass(frozen=True)
class LatestVisit:
    """The latest visit of an address in a session: its outcome, and its tally if any."""

    outcome: DoorOutcome
    tally: DwellingTally | None = None


def latest_visits_in_session(
    session: Session, session_id: int, address_ids: Collection[int] | None = None
) -> dict[int, LatestVisit]:
    """Return the latest visit of each visited address of the session, by address id.

    Visits on every route of the session count, so an address moved to another team's
    route keeps its counts. Visits are ordered as `latest_outcomes_by_route` orders them.
    `address_ids`, when given, limits the addresses read.
    """
    query = (
        select(DoorVisit.address_id, DoorVisit.outcome, DoorVisit.dwelling_counts)
        .join(Route, Route.id == DoorVisit.route_id)
        .where(Route.session_id == session_id)
        .order_by(DoorVisit.visited_at, DoorVisit.id)
    )
    if address_ids is not None:
        query = query.where(DoorVisit.address_id.in_(list(address_ids)))
    latest: dict[int, LatestVisit] = {}
    for address_id, outcome, counts in session.execute(query):
        tally = None if counts is None else DwellingTally.from_visit(counts, outcome)
        latest[address_id] = LatestVisit(outcome, tally)
    return latest


@dataclass(frozen=True)
class DwellingResults:
    """The dwellings of a session's visited addresses, by outcome.

    An address recorded with one outcome counts as one dwelling with that outcome, an
    address recorded with a tally as the dwellings of its tally.
    """

    # Every outcome, in the order of `OUTCOME_LABELS`, with its dwellings.
    counts: tuple[tuple[DoorOutcome, int], ...]
    address_count: int = 0
    # The visited addresses whose latest visit has a tally.
    tallied_address_count: int = 0

    @property
    def dwelling_count(self) -> int:
        return sum(count for _outcome, count in self.counts)


def count_dwelling_results(visits: Iterable[LatestVisit]) -> DwellingResults:
    """Count the dwellings of the latest visits of a session's addresses by outcome."""
    counts = dict.fromkeys(OUTCOME_LABELS, 0)
    address_count = tallied_count = 0
    for visit in visits:
        address_count += 1
        if visit.tally is None:
            counts[visit.outcome] += 1
            continue
        tallied_count += 1
        for outcome, count in visit.tally.counted:
            counts[outcome] += count
    return DwellingResults(tuple(counts.items()), address_count, tallied_count)
