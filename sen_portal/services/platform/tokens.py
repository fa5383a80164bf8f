"""Secrets sent in email links: random, and stored only as a SHA-256 digest.

The raw token exists in the email and the browser; the database keeps its hash,
so a leaked database backup holds no working links. SHA-256 (not bcrypt) is
right here: the token has 256 bits of entropy, so it cannot be guessed offline.
"""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_BYTES = 32
# token_urlsafe(32) is base64url without padding: always 43 characters of [A-Za-z0-9_-].
_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def new_token() -> str:
    """A fresh random token for a link (256 bits from the OS CSPRNG)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The 64-character hex SHA-256 stored in place of ``token``."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(raw: object) -> bool:
    """True when ``raw`` has the shape of a token from ``new_token`` (a cut-off or mangled link does not)."""
    return isinstance(raw, str) and _TOKEN_PATTERN.fullmatch(raw) is not None
