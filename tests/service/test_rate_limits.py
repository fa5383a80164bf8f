"""The database sliding-window rate limiter, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from sen_portal.db import session_scope
from sen_portal.models import RateLimitEvent
from sen_portal.services.platform import rate_limits

pytestmark = pytest.mark.service

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def rows(session: Session) -> int:
    return session.exec(select(func.count()).select_from(RateLimitEvent)).one()


def test_allows_up_to_the_limit_then_refuses_with_a_retry_time(session: Session) -> None:
    clock = Clock()
    for minute in range(3):
        clock.now = START + timedelta(minutes=minute * 10)
        assert rate_limits.hit(session, "t:a", limit=3, window=HOUR, clock=clock).allowed
    clock.now = START + timedelta(minutes=45)
    decision = rate_limits.hit(session, "t:a", limit=3, window=HOUR, clock=clock)
    assert not decision.allowed
    # The first attempt (09:00) leaves the window at 10:00, 15 minutes from now.
    assert decision.retry_after == timedelta(minutes=15)


def test_refused_attempts_are_not_counted(session: Session) -> None:
    clock = Clock()
    for _ in range(2):
        rate_limits.hit(session, "t:b", limit=2, window=HOUR, clock=clock)
    for _ in range(20):
        assert not rate_limits.hit(session, "t:b", limit=2, window=HOUR, clock=clock).allowed
    assert rows(session) == 2
    # So hammering does not extend the lockout: one window later it is open again.
    clock.advance(HOUR)
    assert rate_limits.hit(session, "t:b", limit=2, window=HOUR, clock=clock).allowed


def test_the_window_slides(session: Session) -> None:
    clock = Clock()
    rate_limits.hit(session, "t:c", limit=2, window=HOUR, clock=clock)
    clock.advance(timedelta(minutes=30))
    rate_limits.hit(session, "t:c", limit=2, window=HOUR, clock=clock)
    clock.advance(timedelta(minutes=29))
    assert not rate_limits.hit(session, "t:c", limit=2, window=HOUR, clock=clock).allowed
    clock.advance(timedelta(minutes=1))  # the first attempt is now exactly an hour old
    assert rate_limits.hit(session, "t:c", limit=2, window=HOUR, clock=clock).allowed
    assert rate_limits.count(session, "t:c", window=HOUR, clock=clock) == 2
    assert rows(session) == 2  # the expired attempt was pruned


def test_buckets_are_independent_and_clearable(session: Session) -> None:
    clock = Clock()
    assert rate_limits.hit(session, "t:d", limit=1, window=HOUR, clock=clock).allowed
    assert not rate_limits.hit(session, "t:d", limit=1, window=HOUR, clock=clock).allowed
    assert rate_limits.hit(session, "t:e", limit=1, window=HOUR, clock=clock).allowed
    assert rate_limits.clear(session, "t:d") == 1
    assert rate_limits.hit(session, "t:d", limit=1, window=HOUR, clock=clock).allowed
    assert rate_limits.count(session, "t:e", window=HOUR, clock=clock) == 1


def test_record_counts_unconditionally(session: Session) -> None:
    clock = Clock()
    for _ in range(4):
        rate_limits.record(session, "t:f", clock=clock)
    assert rate_limits.count(session, "t:f", window=HOUR, clock=clock) == 4
    decision = rate_limits.hit(session, "t:f", limit=3, window=HOUR, clock=clock)
    assert not decision.allowed
    assert decision.retry_after == HOUR  # two of the four must leave before a fifth fits under 3


def test_prune_removes_old_rows_in_every_bucket(session: Session) -> None:
    clock = Clock()
    rate_limits.record(session, "t:g", clock=clock)
    rate_limits.record(session, "t:h", clock=clock)
    clock.advance(timedelta(days=2))
    rate_limits.record(session, "t:h", clock=clock)
    assert rate_limits.prune(session, clock=clock) == 2
    assert rows(session) == 1


def test_attempts_persist_across_sessions_and_vanish_on_rollback(engine: Engine) -> None:
    clock = Clock()
    with session_scope(engine) as session:
        rate_limits.hit(session, "t:i", limit=2, window=HOUR, clock=clock)
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        rate_limits.hit(session, "t:i", limit=2, window=HOUR, clock=clock)
        raise RuntimeError("request failed")
    with session_scope(engine) as session:
        assert rate_limits.count(session, "t:i", window=HOUR, clock=clock) == 1


def test_bucket_names_must_fit_the_column(session: Session) -> None:
    with pytest.raises(ValueError):
        rate_limits.hit(session, "x" * 101, limit=1, window=HOUR)
    with pytest.raises(ValueError):
        rate_limits.hit(session, "t:j", limit=0, window=HOUR)
    key = rate_limits.bucket_key("verify_resend", "email", rate_limits.hashed_part("a" * 254 + "@x.org"))
    assert len(key) <= 100 and "@" not in key
