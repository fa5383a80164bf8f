"""A sliding-window rate limiter kept in the database, shared by every worker.

A *bucket* names what is limited and for whom: ``"register:ip:192.0.2.1"``,
``"verify_resend:email:<sha256>"``. Use one window per bucket (put the purpose in
the name); ``hit`` prunes the bucket's rows older than its window.

``hit`` records an attempt **only when it is allowed**. Refused attempts are not
counted, so someone who keeps trying is let in again as soon as their oldest
counted attempt leaves the window: back-off, never a permanent lockout (the
security baseline), and the table holds at most ``limit`` live rows per bucket
however hard it is hammered. Callers that must count something else (failed
sign-ins only, say) use ``count`` and ``record`` directly.

Writes happen in the caller's transaction: a refused or rolled-back request leaves
nothing behind. On PostgreSQL a transaction-scoped advisory lock per bucket makes
count-then-insert atomic across workers; on SQLite (development, one process)
two simultaneous hits may both pass, overshooting by one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, text
from sqlmodel import Session, col, select

from sen_portal.models import RateLimitEvent
from sen_portal.services.clock import Clock, system_clock

MAX_BUCKET_LENGTH = 100
DEFAULT_RETENTION = timedelta(days=1)  # longer than any window we use
_ADVISORY_LOCK_CLASS = 0x5EA  # first key of pg_advisory_xact_lock(int, int): our "rate limit" namespace


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: timedelta | None = None  # when refused: how long until one more attempt is allowed


def bucket_key(*parts: str) -> str:
    """Join parts with ":"; ``bucket_key("register", "ip", ip)``. Refuses keys the column cannot hold."""
    key = ":".join(parts)
    if not key or len(key) > MAX_BUCKET_LENGTH:
        raise ValueError(f"rate-limit bucket must be 1 to {MAX_BUCKET_LENGTH} characters")
    return key


def hashed_part(value: str) -> str:
    """A fixed-length stand-in for a long or personal value (an email address) inside a bucket name."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:40]


def _lock(session: Session, bucket: str) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(CAST(:lock_class AS integer), hashtext(:bucket))"),
            {"lock_class": _ADVISORY_LOCK_CLASS, "bucket": bucket},
        )


def hit(session: Session, bucket: str, *, limit: int, window: timedelta, clock: Clock = system_clock) -> RateDecision:
    """Count one attempt in ``bucket`` if fewer than ``limit`` were counted in the last ``window``.

    The window is ``(now - window, now]``: an attempt exactly ``window`` old no longer counts,
    so ``retry_after`` is the exact wait.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    bucket = bucket_key(bucket)
    now = clock()
    since = now - window
    _lock(session, bucket)
    session.execute(
        delete(RateLimitEvent).where(col(RateLimitEvent.bucket) == bucket, col(RateLimitEvent.created_at) <= since)
    )
    times = list(
        session.exec(
            select(RateLimitEvent.created_at)
            .where(col(RateLimitEvent.bucket) == bucket, col(RateLimitEvent.created_at) > since)
            .order_by(col(RateLimitEvent.created_at))
        )
    )
    if len(times) >= limit:
        # One more is allowed once enough of the oldest leave the window to drop below the limit.
        frees_at = times[len(times) - limit] + window
        return RateDecision(allowed=False, retry_after=max(frees_at - now, timedelta(seconds=1)))
    session.add(RateLimitEvent(bucket=bucket, created_at=now))
    session.flush()
    return RateDecision(allowed=True)


def record(session: Session, bucket: str, *, clock: Clock = system_clock) -> None:
    """Count an attempt unconditionally (for limits that count only failures)."""
    session.add(RateLimitEvent(bucket=bucket_key(bucket), created_at=clock()))
    session.flush()


def count(session: Session, bucket: str, *, window: timedelta, clock: Clock = system_clock) -> int:
    """How many attempts ``bucket`` holds in the last ``window``."""
    since = clock() - window
    statement = select(func.count()).where(col(RateLimitEvent.bucket) == bucket, col(RateLimitEvent.created_at) > since)
    return int(session.exec(statement).one())


def recent_times(session: Session, bucket: str, *, window: timedelta, clock: Clock = system_clock) -> list[datetime]:
    """When each attempt in ``bucket`` within the last ``window`` happened, oldest first (for growing waits)."""
    since = clock() - window
    statement = (
        select(RateLimitEvent.created_at)
        .where(col(RateLimitEvent.bucket) == bucket, col(RateLimitEvent.created_at) > since)
        .order_by(col(RateLimitEvent.created_at), col(RateLimitEvent.id))
    )
    return list(session.exec(statement))


def clear(session: Session, bucket: str) -> int:
    """Forget every attempt in ``bucket`` (after a successful sign-in, say); returns rows removed."""
    result = session.exec(delete(RateLimitEvent).where(col(RateLimitEvent.bucket) == bucket))
    return int(result.rowcount or 0)


def prune(session: Session, *, older_than: timedelta = DEFAULT_RETENTION, clock: Clock = system_clock) -> int:
    """Delete attempts older than ``older_than`` in every bucket (run periodically); returns rows removed."""
    result = session.exec(delete(RateLimitEvent).where(col(RateLimitEvent.created_at) < clock() - older_than))
    return int(result.rowcount or 0)
