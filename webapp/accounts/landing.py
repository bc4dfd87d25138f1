"""The landing page after a login, by role."""

from flask import url_for
from flask_login import current_user

from webapp.authz import SECOND_FACTOR_ROLES, current_role
from webapp.services.totp import is_enabled


def landing_url() -> str:
    """Return the map for staff (after setting up their second factor), else their sessions."""
    if current_role() in SECOND_FACTOR_ROLES:
        if not is_enabled(current_user):
            return url_for("accounts.setup_two_factor", next=url_for("targets.show_map"))
        return url_for("targets.show_map")
    return url_for("accounts.show_my_space")
