"""A registering professional's password hash, kept server-side between the account step and the submit.

The registration page holds only a random handle (its SHA-256 is the row's key), so no password
or password hash ever rests in page state (issue 12). A handle lasts a little longer than page
state does; housekeeping prunes what was never used.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from sen_portal.models import PendingPasswordHash
from sen_portal.services.platform import tokens
from sen_portal.services.platform.clock import Clock, system_clock

LIFETIME = timedelta(hours=2)


def keep(session: Session, *, password_hash: str, clock: Clock = system_clock) -> str:
    """Store ``password_hash``; returns the handle the page keeps in its place."""
    handle = tokens.new_token()
    session.add(
        PendingPasswordHash(
            handle_hash=tokens.hash_token(handle), password_hash=password_hash, expires_at=clock() + LIFETIME
        )
    )
    session.flush()
    return handle


def look_up(session: Session, *, handle: str, clock: Clock = system_clock) -> str | None:
    """The hash kept under ``handle``, or None when there is none (or it has expired)."""
    if not tokens.looks_like_token(handle):
        return None
    row = session.exec(
        select(PendingPasswordHash).where(PendingPasswordHash.handle_hash == tokens.hash_token(handle))
    ).first()
    if row is None or row.expires_at <= clock():
        return None
    return row.password_hash


def forget(session: Session, *, handle: str) -> None:
    """Remove the hash kept under ``handle`` (used, replaced, or the journey started again)."""
    if tokens.looks_like_token(handle):
        session.execute(
            delete(PendingPasswordHash).where(col(PendingPasswordHash.handle_hash) == tokens.hash_token(handle))
        )


def prune(session: Session, *, clock: Clock = system_clock) -> int:
    """Housekeeping: remove expired hashes; returns how many."""
    result = session.execute(delete(PendingPasswordHash).where(col(PendingPasswordHash.expires_at) < clock()))
    return int(getattr(result, "rowcount", 0) or 0)
