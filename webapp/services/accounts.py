"""Accounts: loading users for Flask-Login and checking credentials."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.db import db_session
from webapp.models import User
from webapp.services.passwords import hash_password, needs_rehash, verify_password


def load_user(user_id: str) -> User | None:
    """Load the logged-in user for Flask-Login; an id that is not a number finds nobody."""
    if not user_id.isdigit():
        return None
    return db_session().get(User, int(user_id))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the enabled user with these credentials, upgrading an outdated hash."""
    user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        # Hash anyway so that an unknown address takes as long as a wrong password.
        hash_password(password)
        return None
    if not user.is_enabled or not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.flush()
    return user
