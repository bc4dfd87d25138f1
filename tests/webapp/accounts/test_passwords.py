"""Password hashes: pinned argon2id parameters, and weaker hashes upgraded at login."""

from collections.abc import Callable

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.webapp.accounts.conftest import PASSWORD, Bondy, add_member
from webapp.models.users import Role
from webapp.services.passwords import hash_password, needs_rehash, verify_password

LogIn = Callable[..., TestResponse]
# OWASP's floor for argon2id.
MIN_MEMORY_KIB = 19 * 1024
MIN_TIME_COST = 2


def test_hash_uses_the_pinned_parameters() -> None:
    encoded = hash_password("une phrase de passe")

    found = extract_parameters(encoded)
    assert (found.type, found.memory_cost, found.time_cost, found.parallelism) == (
        Type.ID,
        19456,
        2,
        1,
    )
    assert found.memory_cost >= MIN_MEMORY_KIB
    assert found.time_cost >= MIN_TIME_COST
    assert verify_password(encoded, "une phrase de passe")
    assert not verify_password(encoded, "une autre phrase")
    assert not needs_rehash(encoded)


@pytest.mark.parametrize(
    ("hasher", "is_weaker"),
    [
        (PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1), True),
        (PasswordHasher(time_cost=1, memory_cost=19 * 1024, parallelism=1), True),
        (PasswordHasher(time_cost=2, memory_cost=16 * 1024, parallelism=1), True),
        (PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1), False),
        (PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4, type=Type.I), True),
        (PasswordHasher(time_cost=4, memory_cost=2 * 65536, parallelism=4), False),
    ],
)
def test_only_weaker_hashes_need_a_rehash(hasher: PasswordHasher, is_weaker: bool) -> None:
    assert needs_rehash(hasher.hash("x")) is is_weaker


@pytest.mark.parametrize("encoded", ["", "not-a-hash", "$argon2id$v=19$m=1"])
def test_malformed_hash_matches_nothing(encoded: str) -> None:
    assert not verify_password(encoded, "x")
    assert needs_rehash(encoded)


def test_weak_hash_is_upgraded_at_login(db_session: Session, bondy: Bondy, log_in: LogIn) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    user.password_hash = weak
    db_session.commit()

    assert log_in("camille@example.org", "pas le bon mot de passe").status_code == 422
    db_session.refresh(user)
    assert user.password_hash == weak

    assert log_in("camille@example.org").status_code == 302

    db_session.refresh(user)
    assert user.password_hash != weak
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(user.password_hash, PASSWORD)
