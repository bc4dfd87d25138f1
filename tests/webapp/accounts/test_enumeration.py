"""Sign-up, login and reset respond alike for a known and an unknown address."""

import re
from collections.abc import Callable, Iterator
from typing import Any, Literal

import pytest
from argon2 import PasswordHasher
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.factories import make_user
from tests.webapp.accounts.conftest import PASSWORD, Bondy, add_member, post_form, signup_data
from webapp.models.users import Role
from webapp.services import passwords

PostSignup = Callable[..., TestResponse]
KNOWN = "camille@example.org"
UNKNOWN = "dominique@example.org"
_CSRF_RE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+(")')


class CountingHasher(PasswordHasher):
    """The application's hasher, counting every argon2 computation."""

    def __init__(self, real: PasswordHasher) -> None:
        super().__init__(
            time_cost=real.time_cost,
            memory_cost=real.memory_cost,
            parallelism=real.parallelism,
            hash_len=real.hash_len,
            salt_len=real.salt_len,
            type=real.type,
        )
        self.computations = 0

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self.computations += 1
        return super().hash(password, salt=salt)

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:  # noqa: A002
        self.computations += 1
        return super().verify(hash, password)


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingHasher]:
    counting = CountingHasher(passwords._hasher)
    monkeypatch.setattr(passwords, "_hasher", counting)
    yield counting


def _normalised(response: TestResponse, *typed: str) -> tuple[int, str, Any]:
    body = _CSRF_RE.sub(r"\1TOKEN\2", response.get_data(as_text=True))
    for text in typed:
        body = body.replace(text, "TYPED")
    return response.status_code, body, response.headers.get("Location")


@pytest.fixture
def known(db_session: Session, bondy: Bondy) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, KNOWN)


def test_login_answers_alike(
    app_client: Callable[[], FlaskClient], known: None, hasher: CountingHasher
) -> None:
    answers = []
    computations = []
    for email in (KNOWN, UNKNOWN):
        hasher.computations = 0
        response = post_form(
            app_client(), "/connexion", "/connexion", {"email": email, "password": "pas le bon"}
        )
        answers.append(_normalised(response, email))
        computations.append(hasher.computations)

    assert answers[0] == answers[1]
    assert answers[0][0] == 422
    # One argon2 computation either way: a verify for the known, a hash for the unknown.
    assert computations == [1, 1]


def test_disabled_account_answers_like_a_wrong_password(
    app_client: Callable[[], FlaskClient],
    db_session: Session,
    known: None,
    hasher: CountingHasher,
) -> None:
    make_user(db_session, email="off@example.org", password=PASSWORD, is_enabled=False)
    db_session.commit()
    hasher.computations = 0

    disabled = post_form(
        app_client(), "/connexion", "/connexion", {"email": "off@example.org", "password": PASSWORD}
    )
    wrong = post_form(
        app_client(), "/connexion", "/connexion", {"email": KNOWN, "password": "pas le bon"}
    )

    assert _normalised(disabled, "off@example.org") == _normalised(wrong, KNOWN)
    assert hasher.computations == 2


def test_reset_answers_alike(app_client: Callable[[], FlaskClient], known: None) -> None:
    answers = []
    for email in (KNOWN, UNKNOWN):
        client = app_client()
        response = post_form(
            client, "/mot-de-passe-oublie", "/mot-de-passe-oublie", {"email": email}
        )
        answers.append(_normalised(response))
        answers.append(_normalised(client.get(response.headers["Location"])))

    assert answers[0] == answers[2]
    assert answers[1] == answers[3]
    assert answers[0][0] == 302


def test_signup_answers_alike(
    app_client: Callable[[], FlaskClient], known: None, hasher: CountingHasher
) -> None:
    answers = []
    computations = []
    for email in (KNOWN, UNKNOWN):
        client = app_client()
        hasher.computations = 0
        response = post_form(client, "/inscription", "/inscription", signup_data(email=email))
        computations.append(hasher.computations)
        answers.append(_normalised(response))
        answers.append(_normalised(client.get(response.headers["Location"])))

    assert answers[0] == answers[2]
    assert answers[1] == answers[3]
    assert answers[0][2] == "/inscription/merci"
    assert computations == [1, 1]
