"""The blueprint of the accounts area and what its views share."""

from flask import Blueprint, render_template
from flask_limiter.errors import RateLimitExceeded

blueprint = Blueprint("accounts", __name__)

# Status of a submitted form that has errors: the page is shown again with them.
INVALID_FORM_STATUS = 422
# Status of a link that is expired, used, replaced or unknown.
INVALID_LINK_STATUS = 400
TOO_MANY_REQUESTS = 429


@blueprint.errorhandler(RateLimitExceeded)
def _too_many_attempts(_error: RateLimitExceeded) -> tuple[str, int]:
    # The same page whatever the limit and whether the account exists.
    return render_template("accounts/too_many_attempts.html"), TOO_MANY_REQUESTS


def render_link_refused(problem: str) -> tuple[str, int]:
    """Explain why an e-mailed link cannot be used: expired, used, unknown, or taken."""
    return render_template("accounts/link_refused.html", problem=problem), INVALID_LINK_STATUS
