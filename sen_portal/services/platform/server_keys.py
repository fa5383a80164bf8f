"""Keys derived from SECRET_KEY, one per purpose, so no two features share a key.

``derive_key(settings, "login-code")`` is HMAC-SHA256(SECRET_KEY, label): a
standard KDF construction for a high-entropy secret (HKDF-Expand with one block).
Changing SECRET_KEY therefore voids outstanding sign-in codes and recovery codes
and makes stored authenticator secrets unreadable (users set the app up again).
"""

from __future__ import annotations

import hashlib
import hmac

from sen_portal.config import Settings

_PREFIX = b"sen-portal/v1/"


def derive_key(settings: Settings, purpose: str) -> bytes:
    """32 bytes for ``purpose`` (a short fixed label such as ``"login-code"``)."""
    return hmac.new(settings.secret_key.encode("utf-8"), _PREFIX + purpose.encode("ascii"), hashlib.sha256).digest()


def keyed_hash(settings: Settings, purpose: str, value: str) -> str:
    """Hex HMAC-SHA256 of ``value`` under the ``purpose`` key (64 characters).

    For short secrets such as 6-digit codes: a bare SHA-256 of a million possible
    values is reversed instantly; without the key the stored hash is useless.
    """
    return hmac.new(derive_key(settings, purpose), value.encode("utf-8"), hashlib.sha256).hexdigest()
