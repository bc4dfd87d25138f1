"""Members of the test campaign, logged in without going through the login form."""

import time

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import make_user
from webapp.accounts.login_session import SECOND_FACTOR_KEY, SESSION_VERSION_KEY
from webapp.models import Campaign, User
from webapp.models.users import Role


def log_in_as(client: FlaskClient, user: User) -> None:
    """Put the user's id in the session cookie, as a login with both factors does."""
    with client.session_transaction() as cookie:
        cookie["_user_id"] = str(user.id)
        cookie["_fresh"] = True
        cookie[SESSION_VERSION_KEY] = user.session_version
        cookie[SECOND_FACTOR_KEY] = int(time.time())


def add_member(session: Session, campaign: Campaign, role: Role, email: str) -> User:
    """Add a committed user holding `role` in `campaign`."""
    user = make_user(session, email=email, campaign=campaign, role=role)
    session.commit()
    return user
