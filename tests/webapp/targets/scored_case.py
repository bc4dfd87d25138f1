"""A hand-checked scoring case: two polling stations spread over three IRIS.

Station 1: 1,000 registered, 300 abstentions, 680 expressed, 170 for MÉLENCHON
(our share 25 %, potential 75); 3 addresses in Centre, 1 in Saint-Blaise.
Station 2: 800 registered, 400 abstentions, 400 expressed, 200 for MÉLENCHON
(our share 50 %, potential 200); 3 addresses in Saint-Blaise, 1 in Petit Bois.

Centre (400 households): 750 registered, abstention 30 %, our share 25 %,
potential 56.25, score 33.3, rank 2.
Saint-Blaise (300 households): 850 registered, abstention 375/850, our share
192.5/470, potential 168.75, score 100, rank 1.
Petit Bois (5 households): suppressed, rank 3.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tests.factories import (
    make_address,
    make_campaign,
    make_commune,
    make_election_result,
    make_iris,
    make_polling_station,
)
from webapp.models import Campaign, Iris
from webapp.services.scoring import score_campaign

CENTRE = "930100301"
SAINT_BLAISE = "930100302"
PETIT_BOIS = "930100303"


@dataclass(frozen=True)
class ScoredCase:
    campaign: Campaign
    iris: dict[str, Iris]


def box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def seed_scored_case(session: Session, *, score: bool = True) -> ScoredCase:
    """Add the case and, when `score` is true, compute its scores. The caller commits."""
    make_commune(session)
    campaign = make_campaign(session)
    campaign.our_candidates = ["MÉLENCHON"]
    iris = {
        CENTRE: _iris(session, CENTRE, "Centre", 400, box(2.470, 48.895, 2.480, 48.905)),
        SAINT_BLAISE: _iris(
            session, SAINT_BLAISE, "Saint-Blaise", 300, box(2.480, 48.895, 2.490, 48.905)
        ),
        PETIT_BOIS: _iris(session, PETIT_BOIS, "Petit Bois", 5, box(2.490, 48.895, 2.500, 48.905)),
    }
    first = make_polling_station(session, number=1, name="École Jules Ferry")
    second = make_polling_station(session, number=2, name="Gymnase Roger Salengro")
    make_election_result(
        session,
        station=first,
        registered=1000,
        abstentions=300,
        blank=10,
        null=10,
        votes={"MÉLENCHON": 170, "MACRON": 510},
    )
    make_election_result(
        session,
        station=second,
        registered=800,
        abstentions=400,
        votes={"MÉLENCHON": 200, "MACRON": 200},
    )
    placements = (
        [(1, CENTRE)] * 3 + [(1, SAINT_BLAISE)] + [(2, SAINT_BLAISE)] * 3 + [(2, PETIT_BOIS)]
    )
    stations = {1: first, 2: second}
    for index, (number, iris_code) in enumerate(placements, 1):
        address = make_address(
            session,
            ban_id=f"93010_9999_{index:05d}",
            street="Rue d’Essai",
            number=index,
            lon=2.48,
            lat=48.9,
        )
        address.iris_code = iris_code
        address.polling_station_id = stations[number].id
    session.flush()
    if score:
        score_campaign(session, campaign.id)
    return ScoredCase(campaign=campaign, iris=iris)


def _iris(
    session: Session, code: str, name: str, households: float, geometry: dict[str, Any]
) -> Iris:
    iris = make_iris(session, code=code, name=name)
    iris.households = households
    iris.geometry = geometry
    session.flush()
    return iris
