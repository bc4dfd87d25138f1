"""What a login keeps in the session cookie, and the user loader that checks it.

Besides Flask-Login's keys, a logged-in session holds the account's session version
(a logout or a password change anywhere bumps it, which ends this session on its next
request) and whether a second factor was given. Between the password and the code of a
two-factor login, the session holds only the waiting account's id and a time.
"""

import time

from flask import session
from flask_login import login_user, logout_user

from webapp.db import db_session
from webapp.models import User
from webapp.services.accounts import find_session_user

SESSION_VERSION_KEY = "account_version"
SECOND_FACTOR_KEY = "second_factor_at"
PENDING_USER_KEY = "pending_user_id"
PENDING_SINCE_KEY = "pending_since"
PENDING_NEXT_KEY = "pending_next"
# Time allowed between the password and the code of a two-factor login.
PENDING_LIFETIME_S = 5 * 60
# Sessions from before versions existed carry none; they count as the first version,
# so the first logout or password change of the account ends them.
FIRST_SESSION_VERSION = 1
_FLASK_LOGIN_KEYS = ("_user_id", "_fresh", "_id", "_remember", "_remember_seconds")


def load_session_user(user_id: str) -> User | None:
    """Load the logged-in user for Flask-Login, refusing a session of an older version."""
    # NOTE: no logging here: the log filter reads current_user, which calls this loader.
    if not user_id.isdigit():
        return None
    version = session.get(SESSION_VERSION_KEY, FIRST_SESSION_VERSION)
    if not isinstance(version, int):
        return None
    user = find_session_user(db_session(), int(user_id), version)
    if user is None:
        _forget_login()
    return user


def start_session(user: User, *, has_second_factor: bool) -> None:
    """Log `user` in for this browser, remembering the version and the second factor."""
    forget_pending_login()
    session.pop(SECOND_FACTOR_KEY, None)
    login_user(user)
    session[SESSION_VERSION_KEY] = user.session_version
    if has_second_factor:
        mark_second_factor()


def end_session() -> None:
    """Log out this browser and forget everything the login stored."""
    logout_user()
    _forget_login()


def keep_session_version(version: int) -> None:
    """Keep this session alive after the account's version was bumped on its behalf."""
    session[SESSION_VERSION_KEY] = version


def mark_second_factor() -> None:
    session[SECOND_FACTOR_KEY] = int(time.time())


def has_second_factor() -> bool:
    return bool(session.get(SECOND_FACTOR_KEY))


def begin_pending_login(user: User, next_url: str | None) -> None:
    """Remember the account whose password was right while its code is awaited."""
    session[PENDING_USER_KEY] = user.id
    session[PENDING_SINCE_KEY] = int(time.time())
    session[PENDING_NEXT_KEY] = next_url or ""


def pending_login() -> tuple[int, str | None] | None:
    """Return the waiting account id and its `next` URL, or None when none or too old."""
    user_id = session.get(PENDING_USER_KEY)
    since = session.get(PENDING_SINCE_KEY)
    if not isinstance(user_id, int) or not isinstance(since, int):
        return None
    if time.time() - since > PENDING_LIFETIME_S:
        forget_pending_login()
        return None
    next_url = session.get(PENDING_NEXT_KEY)
    return user_id, (next_url if isinstance(next_url, str) and next_url else None)


def forget_pending_login() -> None:
    for key in (PENDING_USER_KEY, PENDING_SINCE_KEY, PENDING_NEXT_KEY):
        session.pop(key, None)


def _forget_login() -> None:
    for key in (*_FLASK_LOGIN_KEYS, SESSION_VERSION_KEY, SECOND_FACTOR_KEY):
        session.pop(key, None)
    forget_pending_login()
