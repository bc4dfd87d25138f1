"""Read-only queries behind the targeting page: ranked IRIS scores and their map layer.

No figure of a suppressed IRIS (fewer than 11 households) leaves this module: rows and
map features of such an IRIS carry its code and name only. The household count is
checked here again, so a score row whose flag is stale (stored by an older scoring run,
or written by hand) shows nothing either.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from targeting.scoring import MIN_HOUSEHOLDS_SHOWN
from webapp.models import Campaign, Iris, IrisScore, PollingStation


@dataclass(frozen=True)
class ScoreClass:
    """One band of the map's colour scale: scores from `lower` (included) to `upper`."""

    index: int
    lower: int
    upper: int
    colour: str


# Equal bands of the 0-100 score, from light to dark. Each colour stays distinct from
# its neighbours and from the grey of suppressed IRIS.
SCORE_CLASSES: tuple[ScoreClass, ...] = (
    ScoreClass(1, 0, 20, "#fff3c4"),
    ScoreClass(2, 20, 40, "#fcc46b"),
    ScoreClass(3, 40, 60, "#f08a3c"),
    ScoreClass(4, 60, 80, "#c9471f"),
    ScoreClass(5, 80, 100, "#7a1a10"),
)
SUPPRESSED_COLOUR = "#9a9a9a"


@dataclass(frozen=True)
class StationShare:
    """Part of one polling station's figures that an IRIS receives."""

    number: int
    name: str
    weight: float
    """Share of the station's addresses lying in the IRIS, between 0 and 1."""


@dataclass(frozen=True)
class IrisFigures:
    households: float
    registered: float
    abstention_rate: float
    our_share: float
    potential: float
    score: float
    rank: int
    stations: tuple[StationShare, ...]


@dataclass(frozen=True)
class IrisRow:
    """One IRIS of the ranked table; `figures` is None when the IRIS is suppressed."""

    code: str
    name: str
    is_target: bool
    is_suppressed: bool
    figures: IrisFigures | None


@dataclass(frozen=True)
class TargetingTable:
    rows: tuple[IrisRow, ...]
    computed_at: datetime | None

    @property
    def has_scores(self) -> bool:
        return bool(self.rows)

    @property
    def target_count(self) -> int:
        return sum(row.is_target for row in self.rows)


def score_class(score: float) -> ScoreClass:
    """Return the colour band of a score; the top bound belongs to the last band."""
    for band in SCORE_CLASSES:
        if score < band.upper:
            return band
    return SCORE_CLASSES[-1]


def is_hidden(score: IrisScore) -> bool:
    """Tell whether no figure of the IRIS may be shown: fewer than 11 households there."""
    return score.is_suppressed or score.households < MIN_HOUSEHOLDS_SHOWN


def load_targeting_table(session: Session, campaign_id: int) -> TargetingTable:
    """Return the campaign's scored IRIS by rank, suppressed ones last and without figures."""
    rows = session.execute(
        select(IrisScore, Iris)
        .join(Iris, Iris.code == IrisScore.iris_code)
        .where(IrisScore.campaign_id == campaign_id)
        .order_by(IrisScore.is_suppressed, IrisScore.rank, IrisScore.iris_code)
    ).all()
    station_names = _station_names(session, {iris.commune_code for _, iris in rows})
    table_rows = tuple(
        IrisRow(
            code=iris.code,
            name=iris.name,
            is_target=score.is_target,
            is_suppressed=is_hidden(score),
            figures=None
            if is_hidden(score)
            else _figures(score, station_names.get(iris.commune_code, {})),
        )
        for score, iris in sorted(rows, key=lambda row: is_hidden(row[0]))
    )
    computed_at = max((score.computed_at for score, _ in rows), default=None)
    return TargetingTable(rows=table_rows, computed_at=computed_at)


def _figures(score: IrisScore, station_names: dict[int, str]) -> IrisFigures:
    stations = sorted(
        (
            StationShare(number=int(number), name=station_names.get(int(number), ""), weight=weight)
            for number, weight in score.contributions.items()
        ),
        key=lambda share: (-share.weight, share.number),
    )
    return IrisFigures(
        households=score.households,
        registered=score.registered,
        abstention_rate=score.abstention_rate,
        our_share=score.our_share,
        potential=score.potential,
        score=score.score,
        rank=score.rank,
        stations=tuple(stations),
    )


def _station_names(session: Session, commune_codes: set[str]) -> dict[str, dict[int, str]]:
    names: dict[str, dict[int, str]] = {}
    query = select(PollingStation.commune_code, PollingStation.number, PollingStation.name).where(
        PollingStation.commune_code.in_(commune_codes)
    )
    for commune_code, number, name in session.execute(query):
        names.setdefault(commune_code, {})[number] = name
    return names


def build_iris_geojson(session: Session, campaign: Campaign) -> dict[str, Any]:
    """Return the IRIS of the campaign's communes as a GeoJSON FeatureCollection.

    Every feature has `code`, `name`, `is_target`, `is_suppressed` and `has_score`;
    `rank`, `score`, `score_class` and `figures` are null unless the IRIS is scored and
    not suppressed.
    """
    rows = session.execute(
        select(Iris, IrisScore)
        .outerjoin(
            IrisScore,
            (IrisScore.iris_code == Iris.code) & (IrisScore.campaign_id == campaign.id),
        )
        .where(Iris.commune_code.in_(campaign.commune_codes))
        .order_by(Iris.code)
    ).all()
    return {
        "type": "FeatureCollection",
        "features": [_feature(iris, score) for iris, score in rows],
    }


def _feature(iris: Iris, score: IrisScore | None) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "code": iris.code,
        "name": iris.name,
        "has_score": score is not None,
        "is_suppressed": bool(score and is_hidden(score)),
        "is_target": bool(score and score.is_target),
        "rank": None,
        "score": None,
        "score_class": None,
        "figures": None,
    }
    if score is not None and not is_hidden(score):
        properties.update(
            rank=score.rank,
            score=round(score.score, 1),
            score_class=score_class(score.score).index,
            figures={
                "households": round(score.households),
                "registered": round(score.registered),
                "abstention_rate": round(score.abstention_rate, 4),
                "our_share": round(score.our_share, 4),
                "potential": round(score.potential, 1),
            },
        )
    return {"type": "Feature", "properties": properties, "geometry": iris.geometry}
