"""The erasure page: the password check is rate-limited and the erasure ends the session."""

import redis
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.conftest import TEST_SECRET_KEY
from tests.webapp.accounts import rate_limited
from tests.webapp.privacy.conftest import csrf_token, log_in
from tests.webapp.privacy.seed import EMAIL, PASSWORD, SeededPerson
from webapp.accounts.login_session import (
    PENDING_USER_KEY,
    SECOND_FACTOR_KEY,
    SESSION_VERSION_KEY,
)
from webapp.models import User
from webapp.services.rate_limits import subject_key

ERASURE = "/mes-donnees/effacement"

# The rate limits are on in this module, counted in an emptied Redis database.
settings = rate_limited.settings
limits_store = rate_limited.limits_store


def _erase(client: FlaskClient, password: str) -> TestResponse:
    token = csrf_token(client.get(ERASURE).get_data(as_text=True))
    return client.post(ERASURE, data={"password": password, "csrf_token": token})


def _user_count(db_session: Session, user_id: int) -> int:
    return int(
        db_session.scalar(select(func.count()).select_from(User).where(User.id == user_id)) or 0
    )


def test_erasure_ends_the_session(
    client: FlaskClient, person: SeededPerson, db_session: Session
) -> None:
    log_in(client, EMAIL)
    with client.session_transaction() as cookie:
        cookie[SECOND_FACTOR_KEY] = 1_800_000_000
        cookie[PENDING_USER_KEY] = person.user.id

    response = _erase(client, PASSWORD)

    assert response.headers["Location"] == "/"
    with client.session_transaction() as cookie:
        left = set(cookie.keys())
    assert "_user_id" not in left
    assert SESSION_VERSION_KEY not in left
    assert SECOND_FACTOR_KEY not in left
    assert PENDING_USER_KEY not in left
    assert _user_count(db_session, person.user.id) == 0
    assert client.get("/mes-donnees").status_code == 302


def test_sixth_wrong_password_is_refused(
    client: FlaskClient, person: SeededPerson, db_session: Session
) -> None:
    log_in(client, EMAIL)
    for _ in range(5):
        assert _erase(client, "pas le bon mot de passe").status_code == 422

    # Even the right password waits: the count is per account.
    too_many = _erase(client, PASSWORD)

    assert too_many.status_code == 429
    assert _user_count(db_session, person.user.id) == 1
    with client.session_transaction() as cookie:
        assert cookie["_user_id"] == str(person.user.id)


def test_wrong_passwords_count_per_account(
    client: FlaskClient, person: SeededPerson, limits_store: redis.Redis
) -> None:
    log_in(client, EMAIL)

    _erase(client, "pas le bon mot de passe")

    keys = [key.decode() for key in limits_store.scan_iter("*password-check*")]
    assert len(keys) == 1
    assert subject_key(TEST_SECRET_KEY, "account", str(person.user.id)) in keys[0]
    assert EMAIL not in keys[0]
