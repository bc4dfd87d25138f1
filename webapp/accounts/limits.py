"""Rate limits of the accounts pages, counted in Redis across workers.

Failed logins and wrong codes are counted only when the view calls `count_failure()`. Other limits
count every request, or every accepted one.
"""

from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.accounts.login_session import pending_login
from webapp.extensions import limiter
from webapp.services import rate_limits
from webapp.settings_access import get_settings

F = TypeVar("F", bound=Callable[..., Any])
_FAILURE_FLAG = "rate_limited_failure"
_ACCEPTED_FLAG = "rate_limited_acceptance"


def count_failure() -> None:
    """Count this request against the failure limits of its view."""
    g.setdefault(_FAILURE_FLAG, True)


def count_acceptance() -> None:
    """Count this request against the limits of accepted submissions."""
    g.setdefault(_ACCEPTED_FLAG, True)


def _failed(_response: Response) -> bool:
    return bool(g.get(_FAILURE_FLAG))


def _accepted(_response: Response) -> bool:
    return bool(g.get(_ACCEPTED_FLAG))


def _address_key() -> str:
    # Behind a reverse proxy this is the visitor's address only when TOURNEE_PROXY_HOPS
    # counts the proxies. Otherwise it is the proxy's, and every visitor shares one counter.
    return f"address:{get_remote_address()}"


def _form_email_key() -> str:
    return rate_limits.subject_key(
        get_settings().secret_key, "email", request.form.get("email", "")
    )


def _account_key() -> str:
    """Key the logged-in account, or the one waiting for its second factor."""
    if current_user.is_authenticated:
        user_id = str(current_user.id)
    else:
        pending = pending_login()
        user_id = str(pending[0]) if pending else "none"
    return rate_limits.subject_key(get_settings().secret_key, "account", user_id)


def _not_found(response: Response) -> bool:
    return response.status_code == 404


def _limit(
    rate: str,
    key_func: Callable[[], str],
    scope: str,
    deduct_when: Callable[[Response], bool] | None = None,
    *,
    methods: tuple[str, ...] = ("POST",),
) -> Any:
    """Build a limit on the `methods` requests of a view, counted per `key_func` in `scope`."""
    return limiter.limit(
        rate, key_func=key_func, methods=list(methods), deduct_when=deduct_when, scope=scope
    )


def _apply(view: F, *limits: Any) -> F:
    """Decorate `view` with each limit; the innermost one checks them all."""
    decorated: Any = view
    for limit in reversed(limits):
        decorated = limit(decorated)
    return cast(F, decorated)


def limit_logins(view: F) -> F:
    """At most 5 failed logins per address typed and 20 per client address."""
    return _apply(
        view,
        _limit(rate_limits.LOGIN_FAILURES_PER_ACCOUNT, _form_email_key, "login-account", _failed),
        _limit(rate_limits.LOGIN_FAILURES_PER_ADDRESS, _address_key, "login-address", _failed),
    )


def limit_second_factor(view: F) -> F:
    """At most 5 wrong codes per account."""
    return _apply(
        view,
        _limit(
            rate_limits.SECOND_FACTOR_FAILURES_PER_ACCOUNT, _account_key, "second-factor", _failed
        ),
    )


def limit_password_checks(view: F) -> F:
    """At most 5 wrong current passwords per account, on pages behind a login."""
    return _apply(
        view,
        _limit(
            rate_limits.PASSWORD_CHECK_FAILURES_PER_ACCOUNT, _account_key, "password-check", _failed
        ),
    )


def limit_signups(view: F) -> F:
    """At most 10 accepted sign-ups per client address and hour."""
    return _apply(view, _limit(rate_limits.SIGNUPS_PER_ADDRESS, _address_key, "signup", _accepted))


def limit_reset_requests(view: F) -> F:
    """At most 5 reset requests per address typed and 20 per client address, per hour."""
    return _apply(
        view,
        _limit(rate_limits.RESET_REQUESTS_PER_ACCOUNT, _form_email_key, "reset-account"),
        _limit(rate_limits.RESET_REQUESTS_PER_ADDRESS, _address_key, "reset-address"),
    )


def limit_invitations(view: F) -> F:
    """At most 50 invitations a day per inviting account."""
    return _apply(view, _limit(rate_limits.INVITATIONS_PER_ACCOUNT, _account_key, "invitations"))


def limit_link_guesses(view: F) -> F:
    """At most 20 unknown short links per client address in 10 minutes."""
    return _apply(
        view,
        _limit(
            rate_limits.LINK_GUESSES_PER_ADDRESS,
            _address_key,
            "link-guesses",
            _not_found,
            methods=("GET",),
        ),
    )
