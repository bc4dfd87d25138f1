"""The blueprint of the planning area and what its views share."""

from typing import Any

from flask import Blueprint

from webapp.authz import open_to_coordinators
from webapp.db import utcnow
from webapp.planning.labels import (
    SESSION_STATUSES,
    WEIGHT_EFFECTS,
    left_out_reason_label,
    planning_weight_label,
    reform_reason_label,
    session_status_label,
    shortfall_reason_label,
)
from webapp.planning.progress_labels import (
    RUN_STATUSES,
    planning_error_label,
    solve_status_label,
)

blueprint = Blueprint("planning", __name__, url_prefix="/planification")

# Status of a submitted form that has errors: the page is shown again with them.
INVALID_FORM_STATUS = 422

site_campaign = open_to_coordinators(blueprint)


@blueprint.context_processor
def _labels() -> dict[str, object]:
    return {
        "session_statuses": SESSION_STATUSES,
        "session_status": _session_status,
        "left_out_reason_label": left_out_reason_label,
        "run_statuses": RUN_STATUSES,
        "planning_error_label": planning_error_label,
        "solve_status_label": solve_status_label,
        "weight_effects": WEIGHT_EFFECTS,
        "planning_weight_label": planning_weight_label,
        "reform_reason_label": reform_reason_label,
        "shortfall_reason_label": shortfall_reason_label,
    }


def _session_status(row: Any) -> str:
    """Name the status of a session row (with `status`, `starts_at`, `ends_at`) right now."""
    return session_status_label(row.status, row.starts_at, row.ends_at, utcnow())
