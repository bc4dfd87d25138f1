"""The objective weights a coordinator sets for the campaign, and those a run used."""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from routing.assignment_weights import MAX_WEIGHT_POINTS, PlanningWeights, WeightName, weights_with
from webapp.models import Campaign, JobRun
from webapp.services.assignment import campaign_weights
from webapp.services.errors import NotFoundError, ValidationError

logger = logging.getLogger(__name__)

# Key of the weights in `JobRun.parameters`.
WEIGHTS_KEY = "weights"


@dataclass(frozen=True)
class WeightRow:
    """One weight as a page shows it: its value, the default and, after a run, its points."""

    name: WeightName
    value: int
    default: int
    points: int | None = None

    @property
    def is_default(self) -> bool:
        return self.value == self.default


def weight_rows(
    weights: PlanningWeights, points: Mapping[str, object] | None = None
) -> tuple[WeightRow, ...]:
    """Return a row per weight, in `WeightName` order, with its points in a plan if given."""
    defaults = PlanningWeights()
    rows = []
    for name in WeightName:
        term = (points or {}).get(name.value)
        rows.append(
            WeightRow(
                name=name,
                value=weights.of(name),
                default=defaults.of(name),
                points=term if isinstance(term, int) and not isinstance(term, bool) else None,
            )
        )
    return tuple(rows)


def weights_as_dict(weights: PlanningWeights) -> dict[str, int]:
    """Return every weight by name, in `WeightName` order, JSON-safe."""
    return {name.value: weights.of(name) for name in WeightName}


def load_planning_weights(session: Session, campaign_id: int) -> PlanningWeights:
    """Return the weights the campaign's next planning run will use."""
    return campaign_weights(_campaign(session, campaign_id))


def save_planning_weights(
    session: Session, campaign_id: int, values: Mapping[str, int]
) -> PlanningWeights:
    """Store the given weights over the campaign's current ones and return the full set.

    Every weight is stored, defaults included, so that a later change of a default in
    the code leaves a campaign's explicit choice alone. Raises ValidationError naming
    the first weight that is unknown or not an integer within 0..MAX_WEIGHT_POINTS.
    """
    campaign = _campaign(session, campaign_id)
    for name, value in values.items():
        _check_weight(name, value)
    weights = weights_with(campaign_weights(campaign), values)
    stored: dict[str, float] = {name: value for name, value in weights_as_dict(weights).items()}
    campaign.planning_weights = stored
    session.flush()
    logger.info(
        "Planning weights of campaign %s set: %s",
        campaign_id,
        campaign.planning_weights,
        extra={"campaign_id": campaign_id},
    )
    return weights


def restore_default_weights(session: Session, campaign_id: int) -> PlanningWeights:
    """Forget the campaign's weights, so that the next run uses the defaults."""
    campaign = _campaign(session, campaign_id)
    campaign.planning_weights = {}
    session.flush()
    logger.info(
        "Planning weights of campaign %s restored to the defaults",
        campaign_id,
        extra={"campaign_id": campaign_id},
    )
    return PlanningWeights()


def run_parameters(campaign: Campaign) -> dict[str, Any]:
    """Return the parameters a new planning run of the campaign records and uses."""
    return {WEIGHTS_KEY: weights_as_dict(campaign_weights(campaign))}


def run_weights(run: JobRun) -> PlanningWeights | None:
    """Return the weights recorded on a run, or None for a run recorded without them."""
    stored = (run.parameters or {}).get(WEIGHTS_KEY)
    if not isinstance(stored, dict):
        return None
    try:
        return weights_with(PlanningWeights(), stored)
    except ValueError as error:
        logger.warning(
            "Planning run %s: recorded weights ignored (%s)",
            run.id,
            error,
            extra={"job_id": run.id, "campaign_id": run.campaign_id},
        )
        return None


def _check_weight(name: str, value: object) -> None:
    if name not in {weight.value for weight in WeightName}:
        raise ValidationError(name, "unknown_weight")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(name, "not_an_integer")
    if not 0 <= value <= MAX_WEIGHT_POINTS:
        raise ValidationError(name, "out_of_range")


def _campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFoundError(f"campaign {campaign_id}")
    return campaign
