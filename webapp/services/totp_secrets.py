"""Encryption at rest of TOTP secrets, under a key derived from the application's secret key.

The server must read a TOTP secret back to compute codes, so it cannot be hashed like a
password. It is stored as a Fernet token (AES-128-CBC with HMAC-SHA256) whose key is
derived with HKDF-SHA256 from `SECRET_KEY`: a database dump alone gives away no second
factor.
NOTE: changing `SECRET_KEY` makes every stored secret unreadable. Two-step login then fails
for every account until each person sets it up again, so keep the key, as the erasure
hashes require too.
"""

import base64
import re

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from webapp.services.errors import ServiceError

# Changing this label derives another key, so stored secrets would no longer open.
_KEY_LABEL = b"tournee totp-secret v1"
# A clear secret as pyotp makes it: RFC 4648 base32, optionally padded.
_CLEAR_SECRET_RE = re.compile(r"[A-Z2-7]+=*")


class UnreadableSecretError(ServiceError):
    """The stored secret was sealed under another key, or is damaged."""


def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_LABEL).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def seal_secret(secret_key: str, secret: str) -> str:
    """Return the text to store for a clear TOTP secret."""
    return _fernet(secret_key).encrypt(secret.encode("ascii")).decode("ascii")


def open_secret(secret_key: str, sealed: str) -> str:
    """Return the clear TOTP secret of a stored value, or raise UnreadableSecretError."""
    try:
        return _fernet(secret_key).decrypt(sealed.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError):
        raise UnreadableSecretError("the TOTP secret cannot be decrypted with this key") from None


def is_clear_secret(stored: str) -> bool:
    """Tell whether a stored value is a secret in clear, as kept before encryption at rest.

    A Fernet token starts with a lower-case g, its version byte, so it never matches.
    """
    return _CLEAR_SECRET_RE.fullmatch(stored) is not None
