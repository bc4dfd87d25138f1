"""Score every IRIS of a campaign's territory and keep the coordinator's target choices."""

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from targeting.readers import StationResult
from targeting.scoring import IrisScore as IrisFigures
from targeting.scoring import compute_station_figures, spread_over_iris
from webapp.models import Address, Campaign, ElectionResult, Iris, IrisScore, PollingStation
from webapp.services.errors import NotFoundError

logger = logging.getLogger(__name__)


def score_campaign(session: Session, campaign_id: int) -> list[IrisScore]:
    """Compute and store the score of each IRIS of the campaign's communes, by rank."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFoundError(f"campaign {campaign_id}")
    existing = {
        row.iris_code: row
        for row in session.scalars(select(IrisScore).where(IrisScore.campaign_id == campaign_id))
    }
    stored = []
    for commune_code in campaign.commune_codes:
        for score in _score_commune(session, campaign, commune_code):
            values = {
                "rank": score.rank,
                "score": score.score,
                "registered": score.registered,
                "abstentions": score.abstentions,
                "expressed": score.expressed,
                "our_votes": score.our_votes,
                "potential": score.potential,
                "households": score.households,
                "is_suppressed": score.is_suppressed,
                "contributions": {
                    str(c.station_number): round(c.weight, 6) for c in score.contributions
                },
            }
            row = existing.get(score.iris_code)
            if row is None:
                row = IrisScore(campaign_id=campaign_id, iris_code=score.iris_code, **values)
                session.add(row)
            else:
                for name, value in values.items():
                    setattr(row, name, value)
            stored.append(row)
    session.flush()
    logger.info(
        "Scored %s IRIS for campaign %s",
        len(stored),
        campaign_id,
        extra={"campaign_id": campaign_id},
    )
    return sorted(stored, key=lambda row: row.rank)


def _score_commune(session: Session, campaign: Campaign, commune_code: str) -> list[IrisFigures]:
    rows = session.execute(
        select(PollingStation.number, ElectionResult)
        .join(ElectionResult, ElectionResult.polling_station_id == PollingStation.id)
        .where(
            PollingStation.commune_code == commune_code,
            ElectionResult.election == campaign.reference_election,
        )
    ).all()
    our_candidates = frozenset(campaign.our_candidates)
    figures = [
        compute_station_figures(_as_station_result(commune_code, number, result), our_candidates)
        for number, result in rows
    ]

    counts = session.execute(
        select(PollingStation.number, Address.iris_code, func.count(Address.id))
        .join(PollingStation, Address.polling_station_id == PollingStation.id)
        .where(Address.commune_code == commune_code, Address.iris_code.is_not(None))
        .group_by(PollingStation.number, Address.iris_code)
    ).all()
    address_counts = {
        (number, iris_code): count for number, iris_code, count in counts if iris_code is not None
    }
    households = dict(
        session.execute(
            select(Iris.code, Iris.households).where(Iris.commune_code == commune_code)
        ).all()
    )
    return spread_over_iris(figures, address_counts, households)


def _as_station_result(commune_code: str, number: int, result: ElectionResult) -> StationResult:
    return StationResult(
        commune_code=commune_code,
        number=number,
        registered=result.registered,
        abstentions=result.abstentions,
        voters=result.voters,
        blank=result.blank,
        null=result.null,
        expressed=result.expressed,
        votes=tuple(sorted(result.votes.items())),
    )


def set_targets(session: Session, campaign_id: int, iris_codes: set[str]) -> int:
    """Mark exactly `iris_codes` as the campaign's targets; suppressed IRIS cannot be."""
    count = 0
    for row in session.scalars(select(IrisScore).where(IrisScore.campaign_id == campaign_id)):
        row.is_target = row.iris_code in iris_codes and not row.is_suppressed
        count += int(row.is_target)
    session.flush()
    return count
