"""Server-side sessions: random cookie tokens stored hashed, idle and absolute timeouts.

Sign-in completes on the websocket, which cannot set an HttpOnly cookie. So
the sign-in handler issues a one-time *ticket* (60 seconds), the page POSTs it
to ``/api/session``, and that route swaps it for the session cookie.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from sen_portal.config import Settings
from sen_portal.models import UserAccount
from sen_portal.models.sessions import SignInTicket, UserSession
from sen_portal.services.clock import Clock, system_clock

TICKET_LIFETIME = timedelta(seconds=60)
# Writing last_seen_at on every event would make each click a database write.
TOUCH_INTERVAL = timedelta(minutes=1)


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def cookie_name(settings: Settings) -> str:
    """``__Host-`` pins the cookie to our host over HTTPS (no Domain, Path=/, Secure)."""
    return "__Host-sen_session" if settings.public_url.startswith("https://") else "sen_session"


def issue_ticket(session: Session, *, user_id: int, clock: Clock = system_clock) -> str:
    ticket = secrets.token_urlsafe(32)
    session.add(SignInTicket(user_id=user_id, ticket_hash=_hash(ticket), expires_at=clock() + TICKET_LIFETIME))
    session.flush()
    return ticket


def redeem_ticket(
    session: Session,
    *,
    ticket: str,
    settings: Settings,
    ip: str = "",
    user_agent: str = "",
    clock: Clock = system_clock,
) -> str | None:
    """Use a ticket once and start a session; returns the new cookie token, or None."""
    now = clock()
    row = session.exec(select(SignInTicket).where(SignInTicket.ticket_hash == _hash(ticket or ""))).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    claimed = session.exec(
        update(SignInTicket)
        .where(col(SignInTicket.id) == row.id, col(SignInTicket.used_at).is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # a concurrent redeem won
        return None
    token = secrets.token_urlsafe(32)  # 256 bits, new at every sign-in
    session.add(
        UserSession(
            user_id=row.user_id,
            token_hash=_hash(token),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_absolute_hours),
            ip=ip[:45],
            user_agent=user_agent[:200],
        )
    )
    session.flush()
    return token


def resolve(session: Session, *, token: str, settings: Settings, clock: Clock = system_clock) -> UserAccount | None:
    """The signed-in user for a cookie token, or None if it is unknown, ended, idle too long or too old."""
    if not token:
        return None
    now = clock()
    row = session.exec(select(UserSession).where(UserSession.token_hash == _hash(token))).first()
    if row is None or row.ended_at is not None:
        return None
    if row.expires_at <= now or now - row.last_seen_at >= timedelta(minutes=settings.session_idle_minutes):
        row.ended_at = now
        session.add(row)
        return None
    user = session.get(UserAccount, row.user_id)
    if user is None or not user.is_active:
        return None
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        row.last_seen_at = now
        session.add(row)
    return user


def end(session: Session, *, token: str, clock: Clock = system_clock) -> None:
    session.execute(
        update(UserSession)
        .where(col(UserSession.token_hash) == _hash(token or ""), col(UserSession.ended_at).is_(None))
        .values(ended_at=clock())
    )


def end_all(session: Session, *, user_id: int, keep_token: str | None = None, clock: Clock = system_clock) -> int:
    """End every session of a user (optionally but one); returns how many were ended."""
    statement = update(UserSession).where(col(UserSession.user_id) == user_id, col(UserSession.ended_at).is_(None))
    if keep_token:
        statement = statement.where(col(UserSession.token_hash) != _hash(keep_token))
    return session.exec(statement.values(ended_at=clock())).rowcount
