"""Password hashing with argon2id, parameters pinned so a library upgrade changes nothing."""

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import ARGON2_VERSION

# OWASP's argon2id recommendation: 19 MiB, 2 passes, 1 lane, about 35 ms of CPU a hash,
# so two cores keep up with 20 sign-ups a second (benchmarks/signup_load.py; 64 MiB with
# 3 passes and 4 lanes cost 150 ms). A hash below these values is upgraded at the next
# successful login; a stronger one is kept.
TIME_COST = 2
MEMORY_COST_KIB = 19 * 1024
PARALLELISM = 1
HASH_LENGTH = 32
SALT_LENGTH = 16

_hasher = PasswordHasher(
    time_cost=TIME_COST,
    memory_cost=MEMORY_COST_KIB,
    parallelism=PARALLELISM,
    hash_len=HASH_LENGTH,
    salt_len=SALT_LENGTH,
    type=Type.ID,
)


def hash_password(password: str) -> str:
    """Return the argon2id hash of `password` with the pinned parameters."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Tell whether `password` matches; a malformed hash matches nothing."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Tell whether the hash is weaker than the pinned parameters or not argon2id.

    A hash made with stronger parameters is kept: rehashing it would weaken it.
    """
    try:
        found = extract_parameters(password_hash)
    except InvalidHashError:
        return True
    return (
        found.type is not Type.ID
        or found.version < ARGON2_VERSION
        or found.memory_cost < MEMORY_COST_KIB
        or found.time_cost < TIME_COST
        or found.hash_len < HASH_LENGTH
        or found.salt_len < SALT_LENGTH
    )


def spend_hashing_time(password: str) -> None:
    """Hash and throw away, so that a refusal costs as much time as a real check."""
    _hasher.hash(password)
