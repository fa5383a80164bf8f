"""Authenticator apps (TOTP, RFC 6238) and their single-use recovery codes.

**Secrets at rest.** ``user_account.totp_secret`` holds a Fernet token (AES-128-CBC
plus HMAC-SHA256, from the ``cryptography`` package) of the base32 secret, under a
key derived from SECRET_KEY. A copy of the database alone does not give anyone the
second factor; rotating SECRET_KEY means everyone sets their app up again.

**Replay.** A code is accepted for the current 30-second step or one either side
(pyotp ``valid_window=1``, for clock drift), and the accepted step is stored: a
code is never accepted for a step at or before the last one used, so an observed
code cannot be replayed within its window.

**Recovery codes.** Ten per user, 10 characters from a 31-character alphabet (≈49
bits), shown once, stored as keyed HMACs, each usable once.
"""

from __future__ import annotations

import base64
import re
import secrets
from datetime import datetime

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from pyotp.utils import strings_equal
from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from sen_portal.config import Settings
from sen_portal.models import RecoveryCode, UserAccount
from sen_portal.services.clock import Clock, system_clock
from sen_portal.services.server_keys import derive_key, keyed_hash

VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 10
# No 0/o, 1/l/i: codes are copied from paper. 31 characters, so a code carries ≈49 bits.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_PATTERN = re.compile(rf"[{RECOVERY_ALPHABET}]{{{RECOVERY_CODE_LENGTH}}}")
_TOTP_PATTERN = re.compile(r"\d{6}")


def new_secret() -> str:
    """A fresh 160-bit base32 secret (what the app stores)."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, *, account_name: str, issuer: str) -> str:
    """The ``otpauth://`` URI an app reads from a QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=issuer)


def _fernet(settings: Settings) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(derive_key(settings, "totp-secret")))


def encrypt_secret(settings: Settings, secret: str) -> str:
    return _fernet(settings).encrypt(secret.encode("ascii")).decode("ascii")


def decrypt_secret(settings: Settings, stored: str | None) -> str | None:
    """The base32 secret, or None if there is none or it was encrypted under another SECRET_KEY."""
    if not stored:
        return None
    try:
        return _fernet(settings).decrypt(stored.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError):
        return None


def looks_like_totp(code: str) -> bool:
    return _TOTP_PATTERN.fullmatch(code or "") is not None


def matching_step(secret: str, code: str, *, now: datetime) -> int | None:
    """The time step ``code`` belongs to (within the window around ``now``), or None."""
    if not looks_like_totp(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if strings_equal(code, totp.generate_otp(step)):
            return step
    return None


def accept_code(
    session: Session, *, user: UserAccount, code: str, settings: Settings, clock: Clock = system_clock
) -> bool:
    """True when ``code`` is right for the user's app and its step was never used before (then it is used)."""
    secret = decrypt_secret(settings, user.totp_secret)
    if secret is None or user.totp_enabled_at is None:
        return False
    step = matching_step(secret, code, now=clock())
    if step is None:
        return False
    # Conditional UPDATE: two requests racing with the same code cannot both win.
    claimed = session.exec(
        update(UserAccount)
        .where(
            col(UserAccount.id) == user.id,
            or_(col(UserAccount.totp_last_step).is_(None), col(UserAccount.totp_last_step) < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return False
    session.expire(user, ["totp_last_step"])
    return True


# ---- recovery codes -----------------------------------------------------------------------


def normalise_recovery_code(raw: str) -> str:
    """What people type ("ABCDE-FGHJK", "abcde fghjk") -> "abcdefghjk"."""
    return re.sub(r"[\s-]+", "", raw or "").lower()


def looks_like_recovery_code(raw: str) -> bool:
    return _RECOVERY_PATTERN.fullmatch(normalise_recovery_code(raw)) is not None


def _recovery_hash(settings: Settings, user_id: int, code: str) -> str:
    return keyed_hash(settings, "recovery-code", f"{user_id}:{normalise_recovery_code(code)}")


def _format(code: str) -> str:
    half = RECOVERY_CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def replace_recovery_codes(
    session: Session, *, user_id: int, settings: Settings, clock: Clock = system_clock
) -> list[str]:
    """Delete the user's recovery codes and make ``RECOVERY_CODE_COUNT`` new ones; returns them for display once."""
    delete_recovery_codes(session, user_id=user_id)
    now = clock()
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    for code in codes:
        session.add(RecoveryCode(user_id=user_id, code_hash=_recovery_hash(settings, user_id, code), created_at=now))
    session.flush()
    return [_format(code) for code in codes]


def delete_recovery_codes(session: Session, *, user_id: int) -> None:
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))


def use_recovery_code(
    session: Session, *, user_id: int, code: str, settings: Settings, clock: Clock = system_clock
) -> bool:
    """True (and the code is spent) when ``code`` is one of the user's unused recovery codes."""
    if not looks_like_recovery_code(code):
        return False
    claimed = session.exec(
        update(RecoveryCode)
        .where(
            col(RecoveryCode.user_id) == user_id,
            col(RecoveryCode.code_hash) == _recovery_hash(settings, user_id, code),
            col(RecoveryCode.used_at).is_(None),
        )
        .values(used_at=clock())
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def unused_recovery_codes(session: Session, *, user_id: int) -> int:
    rows = session.exec(
        select(RecoveryCode.id).where(col(RecoveryCode.user_id) == user_id, col(RecoveryCode.used_at).is_(None))
    )
    return len(list(rows))
