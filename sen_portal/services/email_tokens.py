"""One-time email links in the database: issue, look up, use once.

Shared by every emailed link (verify_email now; reset_password and change_email
later). Issuing a new link for a purpose deletes the user's unused ones for that
purpose, so only the newest link works. Using a link is a conditional UPDATE
(``used_at IS NULL``), so two clicks at once cannot both succeed on either database.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from sen_portal.models import EmailToken
from sen_portal.services.clock import Clock, system_clock
from sen_portal.services.tokens import hash_token, looks_like_token, new_token

VERIFY_EMAIL = "verify_email"
RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose name, not a secret
CHANGE_EMAIL = "change_email"


class LinkStatus(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    USED = "used"
    INVALID = "invalid"  # malformed, tampered with, replaced by a newer link, or never issued


def issue(session: Session, *, user_id: int, purpose: str, lifetime: timedelta, clock: Clock = system_clock) -> str:
    """Create a link token for ``user_id`` (voiding their unused ones for ``purpose``); returns the raw token."""
    void_unused(session, user_id=user_id, purpose=purpose)
    token = new_token()
    now = clock()
    session.add(
        EmailToken(
            user_id=user_id, purpose=purpose, token_hash=hash_token(token), created_at=now, expires_at=now + lifetime
        )
    )
    session.flush()
    return token


def void_unused(session: Session, *, user_id: int, purpose: str) -> int:
    """Delete ``user_id``'s unused tokens for ``purpose``; returns how many."""
    result = session.exec(
        delete(EmailToken).where(
            col(EmailToken.user_id) == user_id, col(EmailToken.purpose) == purpose, col(EmailToken.used_at).is_(None)
        )
    )
    return int(result.rowcount or 0)


def find(session: Session, *, token: str, purpose: str) -> EmailToken | None:
    """The stored row for a raw ``token`` of ``purpose``, or None (malformed tokens never reach the database)."""
    if not looks_like_token(token):
        return None
    statement = select(EmailToken).where(
        col(EmailToken.token_hash) == hash_token(token), col(EmailToken.purpose) == purpose
    )
    return session.exec(statement).first()


def status_of(row: EmailToken | None, *, now: datetime) -> LinkStatus:
    """What a link's row says about it at ``now``."""
    if row is None:
        return LinkStatus.INVALID
    if row.used_at is not None:
        return LinkStatus.USED
    if now >= row.expires_at:
        return LinkStatus.EXPIRED
    return LinkStatus.VALID


def consume(session: Session, row: EmailToken, *, clock: Clock = system_clock) -> bool:
    """Mark ``row`` used if nobody else has; True only for the one caller that did."""
    now = clock()
    result = session.exec(
        update(EmailToken)
        .where(col(EmailToken.id) == row.id, col(EmailToken.used_at).is_(None), col(EmailToken.expires_at) > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    set_committed_value(row, "used_at", now)  # the database already holds it; no second UPDATE
    return True


def prune(session: Session, *, older_than: timedelta = timedelta(days=30), clock: Clock = system_clock) -> int:
    """Delete tokens that expired more than ``older_than`` ago (run periodically); returns how many."""
    result = session.exec(delete(EmailToken).where(col(EmailToken.expires_at) < clock() - older_than))
    return int(result.rowcount or 0)
