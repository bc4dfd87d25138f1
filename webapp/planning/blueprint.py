"""The blueprint of the planning area and what its views share."""

from flask import Blueprint

from webapp.authz import open_to_coordinators
from webapp.planning.labels import (
    SESSION_STATUSES,
    WEIGHT_EFFECTS,
    left_out_reason_label,
    planning_weight_label,
    reform_reason_label,
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
        "left_out_reason_label": left_out_reason_label,
        "run_statuses": RUN_STATUSES,
        "planning_error_label": planning_error_label,
        "solve_status_label": solve_status_label,
        "weight_effects": WEIGHT_EFFECTS,
        "planning_weight_label": planning_weight_label,
        "reform_reason_label": reform_reason_label,
    }
