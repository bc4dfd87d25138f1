"""The streets of a session's IRIS that a closure can apply to, and how they are named.

Addresses (BAN) and the street network (OpenStreetMap) spell a street each their own
way. The BAN extract often drops accents ("Allee Anne Frank", "Avenue Leon Jouhaux"),
OpenStreetMap mostly keeps them but not always ("Avenue des Mesarmes"). Names are
matched folded (`fold_name`), and each street is shown with the best of its spellings
(see `street_spellings`).
"""

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from targeting.names import fold_name
from webapp.models import Address, CanvassSession, Iris, StreetClosure, StreetWay
from webapp.services.routes import load_closed_streets

# Ways are matched to an IRIS through its bounding box widened by this much (about
# 150 m east-west and 220 m north-south near Paris), so a street that borders the IRIS
# counts as one of its streets.
STREET_MARGIN_DEG = 0.002


@dataclass(frozen=True)
class NearWay:
    """A named way of the street network around an IRIS."""

    id: int
    name: str
    key: str


def list_closable_streets(session: Session, session_id: int) -> list[str]:
    """Return the streets of the session's IRIS that a closure can apply to, by folded name.

    Every street the IRIS has addresses in is offered, with or without a way of that
    name in the street network around the IRIS; streets already closed are left out.
    """
    canvass = session.get(CanvassSession, session_id)
    if canvass is None:
        return []
    address_names = _address_streets(session, canvass.iris_code)
    spellings = street_spellings(
        (way.name for way in ways_near_iris(session, canvass.iris_code)), address_names
    )
    _, closed_keys = load_closed_streets(session, session_id)
    offered = {fold_name(name) for name in address_names} & spellings.keys()
    return [spellings[key] for key in sorted(offered - closed_keys)]


def list_closed_street_names(session: Session, session_id: int) -> list[str]:
    """Return the names of the session's closed streets, one per street, by folded name."""
    canvass = session.get(CanvassSession, session_id)
    if canvass is None:
        return []
    rows = session.execute(
        select(StreetWay.name, StreetClosure.street_key)
        .select_from(StreetClosure)
        .outerjoin(StreetWay, StreetWay.id == StreetClosure.street_way_id)
        .where(StreetClosure.session_id == session_id)
    ).all()
    keys = {fold_name(name) for name, _ in rows if name} | {key for _, key in rows if key}
    address_names = _address_streets(session, canvass.iris_code)
    spellings = street_spellings((name for name, _ in rows), address_names)
    return [spellings[key] for key in sorted(keys) if key in spellings]


def address_street_keys(session: Session, iris_code: str) -> set[str]:
    """Return the folded names of the streets the IRIS has addresses in."""
    return {fold_name(name) for name in _address_streets(session, iris_code)} - {""}


def street_spellings(
    way_names: Iterable[str | None], address_names: Iterable[str] = ()
) -> dict[str, str]:
    """Map the folded name of each street of `way_names` or `address_names` to the
    spelling to show.

    The candidates are the street's spellings on the ways and on the addresses. The one
    with the most accents wins, since either source may drop them. A tie goes to the
    ways' spelling, then to the one most ways carry, then to the last in alphabetical
    order, so the choice never depends on the order of the rows.
    """
    way_counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for name in way_names:
        if name and fold_name(name):
            way_counts[fold_name(name)][name] += 1
    address_spellings: defaultdict[str, set[str]] = defaultdict(set)
    for name in address_names:
        address_spellings[fold_name(name)].add(name)
    spellings = {}
    for key in (way_counts.keys() | address_spellings.keys()) - {""}:
        counts = way_counts[key]
        candidates = [(accent_count(name), 1, count, name) for name, count in counts.items()]
        candidates += [(accent_count(name), 0, 0, name) for name in address_spellings[key]]
        spellings[key] = max(candidates)[-1]
    return spellings


def _address_streets(session: Session, iris_code: str) -> list[str]:
    return list(
        session.scalars(select(Address.street).where(Address.iris_code == iris_code).distinct())
    )


def ways_near_iris(session: Session, iris_code: str) -> list[NearWay]:
    """Return the named ways with a point in the IRIS's widened bounding box."""
    # NOTE: this reads every named way of the territory, which is quick for a commune.
    # A campaign over many communes would want the bounding box filter done in SQL.
    iris = session.get(Iris, iris_code)
    if iris is None:
        return []
    west, south, east, north = shape(iris.geometry).bounds
    west, south = west - STREET_MARGIN_DEG, south - STREET_MARGIN_DEG
    east, north = east + STREET_MARGIN_DEG, north + STREET_MARGIN_DEG
    ways = []
    for way_id, name, coordinates in session.execute(
        select(StreetWay.id, StreetWay.name, StreetWay.coordinates).where(
            StreetWay.name.is_not(None)
        )
    ):
        if name and any(west <= lon <= east and south <= lat <= north for lon, lat in coordinates):
            ways.append(NearWay(id=way_id, name=name, key=fold_name(name)))
    return ways


def accent_count(name: str) -> int:
    """Count the accents of a name, as combining marks once decomposed."""
    return sum(1 for char in unicodedata.normalize("NFD", name) if unicodedata.combining(char))
