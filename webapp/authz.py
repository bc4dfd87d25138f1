"""Role checks for the pages of the campaign the site serves."""

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from flask import abort
from flask_login import current_user

from webapp.db import db_session
from webapp.extensions import login_manager
from webapp.models.users import Role
from webapp.services.current_campaign import find_current_campaign

P = ParamSpec("P")
R = TypeVar("R")

COORDINATOR_ROLES = (Role.COORDINATOR, Role.ADMINISTRATOR)


def current_role() -> Role | None:
    """Return the logged-in user's role in the current campaign, None for anyone else."""
    if not current_user.is_authenticated:
        return None
    campaign = find_current_campaign(db_session())
    if campaign is None:
        return None
    role: Role | None = current_user.role_in(campaign.id)
    return role


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

    Anonymous visitors are sent to the login page; others get 403. A role is not a
    superset of another: list every role allowed. On a whole blueprint, decorate a
    no-op `before_request` function:

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
            if current_role() not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return checked

    return decorator
