"""Role checks for the pages of the campaign the site serves."""

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user

from webapp.accounts.login_session import has_second_factor
from webapp.db import db_session
from webapp.extensions import login_manager
from webapp.models import Campaign
from webapp.models.users import COORDINATOR_ROLES, Role
from webapp.safe_redirect import safe_next_url
from webapp.services.current_campaign import find_current_campaign

P = ParamSpec("P")
R = TypeVar("R")

# Roles whose pages open only after a second factor (a TOTP code or a recovery code).
SECOND_FACTOR_ROLES = frozenset(COORDINATOR_ROLES)
# Roles that may invite people, and the roles each may hand out.
GRANTABLE_ROLES: dict[Role, tuple[Role, ...]] = {
    Role.COORDINATOR: (Role.VOLUNTEER, Role.TEAM_LEAD, Role.COORDINATOR),
    Role.ADMINISTRATOR: (Role.VOLUNTEER, Role.TEAM_LEAD, Role.COORDINATOR, Role.ADMINISTRATOR),
}


def current_role() -> Role | None:
    """Return the logged-in user's role in the current campaign, None for anyone else."""
    if not current_user.is_authenticated:
        return None
    campaign = find_current_campaign(db_session())
    if campaign is None:
        return None
    role: Role | None = current_user.role_in(campaign.id)
    return role


def needs_second_factor(role: Role | None) -> bool:
    """Tell whether this session must still give a second factor for `role`'s pages."""
    return role in SECOND_FACTOR_ROLES and not has_second_factor()


def second_factor_url() -> str:
    """Return the URL of the second-factor setup or code page, coming back here after."""
    next_url = safe_next_url(request.full_path.rstrip("?")) if request.method == "GET" else None
    endpoint = (
        "accounts.enter_code" if current_user.totp_enabled_at else "accounts.setup_two_factor"
    )
    return url_for(endpoint, next=next_url) if next_url else url_for(endpoint)


def require_login(view: Callable[P, R]) -> Callable[P, R | Any]:
    """Send anonymous visitors to the login page, like Flask-Login's `login_required` but typed."""

    @functools.wraps(view)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R | Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return checked


def require_role(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R | Any]]:
    """Let through only users holding one of `roles` in the current campaign.

    Anonymous visitors are sent to the login page; others get 403. Coordinators and
    administrators who have not given a second factor in this session are sent to set
    it up or to type a code first. A role is not a superset of another: list every role
    allowed. On a whole blueprint, decorate a no-op `before_request` function:

        @blueprint.before_request
        @require_role(*COORDINATOR_ROLES)
        def _check_role() -> None:
            return None
    """
    allowed = frozenset(roles)

    def decorator(view: Callable[P, R]) -> Callable[P, R | Any]:
        @functools.wraps(view)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R | Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            role = current_role()
            if role not in allowed:
                abort(403)
            if needs_second_factor(role):
                return redirect(second_factor_url())
            return view(*args, **kwargs)

        return checked

    return decorator


def open_to_coordinators(blueprint: Blueprint) -> Callable[[], Campaign]:
    """Let only coordinators and administrators into `blueprint`, and return its campaign lookup.

    The lookup returns the campaign the site serves and aborts with 404 when there is
    none, so the views of a coordinator area start with `campaign = _campaign()`.
    """
    blueprint.before_request(require_role(*COORDINATOR_ROLES)(_let_through))
    return current_campaign_or_404


def current_campaign_or_404() -> Campaign:
    """Return the campaign the site serves, or abort with 404 before one is created."""
    campaign = find_current_campaign(db_session())
    if campaign is None:
        abort(404)
    return campaign


def _let_through() -> None:
    return None
