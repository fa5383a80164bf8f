"""Housekeeping removes only rows long past any use, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from sen_portal.config import settings_from_env
from sen_portal.models import RateLimitEvent, SignInTicket, UserAccount, UserSession
from sen_portal.services.platform.housekeeping import run_housekeeping

pytestmark = pytest.mark.service

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_old_rows_go_and_current_ones_stay(session: Session, tmp_path: Path) -> None:
    settings = settings_from_env({"DOCUMENT_STORE_DIR": str(tmp_path / "documents")})
    user = UserAccount(email="pro@school.example.org", email_verified_at=NOW - timedelta(days=90))
    stale_unverified = UserAccount(email="never@school.example.org", created_at=NOW - timedelta(days=30))
    fresh_unverified = UserAccount(email="today@school.example.org", created_at=NOW - timedelta(hours=1))
    session.add_all([user, stale_unverified, fresh_unverified])
    session.flush()
    session.add_all(
        [
            RateLimitEvent(bucket="register:ip:x", created_at=NOW - timedelta(days=3)),
            RateLimitEvent(bucket="register:ip:x", created_at=NOW - timedelta(minutes=5)),
            SignInTicket(user_id=user.id, ticket_hash="a" * 64, expires_at=NOW - timedelta(days=2)),
            SignInTicket(user_id=user.id, ticket_hash="b" * 64, expires_at=NOW + timedelta(seconds=30)),
            UserSession(user_id=user.id, token_hash="c" * 64, expires_at=NOW - timedelta(days=40)),
            UserSession(user_id=user.id, token_hash="d" * 64, expires_at=NOW + timedelta(hours=8)),
        ]
    )
    session.commit()

    report = run_housekeeping(session, settings, clock=lambda: NOW)
    session.commit()

    assert [e.created_at for e in session.exec(select(RateLimitEvent))] == [NOW - timedelta(minutes=5)]
    assert [t.ticket_hash for t in session.exec(select(SignInTicket))] == ["b" * 64]
    assert [s.token_hash for s in session.exec(select(UserSession))] == ["d" * 64]
    assert sorted(u.email for u in session.exec(select(UserAccount))) == [
        "pro@school.example.org",
        "today@school.example.org",
    ]
    assert report.removed["rate-limit events"] == 1 and report.removed["old sessions"] == 1
    assert "removed" in str(report)

    again = run_housekeeping(session, settings, clock=lambda: NOW)
    assert str(again) == "housekeeping: removed nothing"
