"""How far a route's doors are, counted the same way on the route page and the session page.

A door is done once its latest outcome is anything but COME_BACK. A door to come back to
is still to do: it is counted apart, so that both pages show it as « à repasser ».
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import DoorVisit
from webapp.models.canvass import DoorOutcome

# In the order the buttons show, the most frequent first.
# Translators: short button labels for what happened at a door. They describe the door,
# never a person. Each must fit a third of a phone's width.
OUTCOME_LABELS = {
    DoorOutcome.ABSENT: lazy_gettext("Nobody home"),
    DoorOutcome.OPENED: lazy_gettext("Opened"),
    DoorOutcome.CONVERSATION: lazy_gettext("Conversation"),
    DoorOutcome.REFUSED: lazy_gettext("Refused"),
    DoorOutcome.COME_BACK: lazy_gettext("Come back"),
    DoorOutcome.INACCESSIBLE: lazy_gettext("No access"),
}


@dataclass(frozen=True)
class DoorProgress:
    """The doors of one or more routes: in all, done, and to come back to."""

    door_count: int = 0
    done_count: int = 0
    come_back_count: int = 0

    @property
    def visited_count(self) -> int:
        """Count the doors with a visit recorded, done or to come back to."""
        return self.done_count + self.come_back_count

    @property
    def to_do_count(self) -> int:
        """Count the doors still to do, those to come back to included."""
        return self.door_count - self.done_count

    @property
    def is_finished(self) -> bool:
        """Tell whether there are doors and every one is done."""
        return self.door_count > 0 and self.done_count == self.door_count

    def __add__(self, other: "DoorProgress") -> "DoorProgress":
        return DoorProgress(
            self.door_count + other.door_count,
            self.done_count + other.done_count,
            self.come_back_count + other.come_back_count,
        )


def is_door_done(outcome: DoorOutcome | None) -> bool:
    """Tell whether a door with this latest outcome needs no more visit."""
    return outcome is not None and outcome != DoorOutcome.COME_BACK


def count_door_progress(outcomes: Iterable[DoorOutcome | None]) -> DoorProgress:
    """Count a route's doors from the latest outcome of each, None for a door not visited."""
    door_count = done_count = come_back_count = 0
    for outcome in outcomes:
        door_count += 1
        if outcome == DoorOutcome.COME_BACK:
            come_back_count += 1
        elif is_door_done(outcome):
            done_count += 1
    return DoorProgress(door_count, done_count, come_back_count)


def latest_outcomes_by_route(
    session: Session, route_ids: Collection[int]
) -> dict[int, dict[int, DoorOutcome]]:
    """Return the latest outcome of each visited door, by route id then address id.

    A door recorded again keeps its earlier visits. Its outcome is the latest visit on
    that route by time, then by row order for visits recorded at the same instant.
    """
    if not route_ids:
        return {}
    query = (
        select(DoorVisit.route_id, DoorVisit.address_id, DoorVisit.outcome)
        .where(DoorVisit.route_id.in_(list(route_ids)))
        .order_by(DoorVisit.visited_at, DoorVisit.id)
    )
    latest: dict[int, dict[int, DoorOutcome]] = {}
    for route_id, address_id, outcome in session.execute(query):
        latest.setdefault(route_id, {})[address_id] = outcome
    return latest
