"""Login challenges: the state between a correct password and a session.

A challenge holds the current emailed code as an HMAC-SHA256 under a key derived
from SECRET_KEY (mixed with the challenge id), its expiry, how many wrong codes
were tried and how many codes were sent. ``sign_in`` decides; this module keeps
the rows. Codes come from ``secrets`` (6 random digits each time), never from a
TOTP window, and only reach the email.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from sen_portal import routes
from sen_portal.config import Settings
from sen_portal.email.account_emails import login_code_email
from sen_portal.models import ChallengeMethod, LoginChallenge, UserAccount
from sen_portal.routes import absolute_url
from sen_portal.services import rate_limits
from sen_portal.services.branding import branding
from sen_portal.services.clock import Clock, system_clock
from sen_portal.services.outbox import enqueue
from sen_portal.services.server_keys import keyed_hash

CODE_LIFETIME = timedelta(minutes=10)
MAX_WRONG_CODES = 5
SEND_LIMIT, SEND_WINDOW = 3, timedelta(minutes=15)  # code emails per user, the first one included
# A challenge can be kept alive by resends only this long; then the password is asked again.
CHALLENGE_MAX_AGE = timedelta(minutes=30)

# Why a challenge ended (``LoginChallenge.end_reason``).
EXPIRED = "expired"
TOO_MANY_ATTEMPTS = "too_many_attempts"
UNKNOWN = "unknown"
SUPERSEDED = "superseded"


def _send_bucket(user_id: int) -> str:
    return rate_limits.bucket_key("login_code_send", "user", str(user_id))


def take_send(session: Session, *, user_id: int, clock: Clock) -> rate_limits.RateDecision:
    return rate_limits.hit(session, _send_bucket(user_id), limit=SEND_LIMIT, window=SEND_WINDOW, clock=clock)


def open_challenge(session: Session, *, user_id: int, method: str, clock: Clock) -> LoginChallenge:
    """A new challenge; the user's unfinished ones end (one sign-in in progress at a time)."""
    now = clock()
    end_open_challenges(session, user_id=user_id, reason=SUPERSEDED, clock=clock)
    challenge = LoginChallenge(user_id=user_id, method=method, created_at=now, expires_at=now + CODE_LIFETIME)
    session.add(challenge)
    session.flush()
    return challenge


def end_open_challenges(session: Session, *, user_id: int, reason: str, clock: Clock = system_clock) -> None:
    """End every unfinished challenge of a user (a new sign-in, a password change)."""
    session.execute(
        update(LoginChallenge)
        .where(
            col(LoginChallenge.user_id) == user_id,
            col(LoginChallenge.used_at).is_(None),
            col(LoginChallenge.ended_at).is_(None),
        )
        .values(ended_at=clock(), end_reason=reason)
        .execution_options(synchronize_session=False)
    )


def live_email_challenge(session: Session, *, user_id: int, clock: Clock) -> LoginChallenge | None:
    statement = (
        select(LoginChallenge)
        .where(
            col(LoginChallenge.user_id) == user_id,
            col(LoginChallenge.method) == ChallengeMethod.EMAIL,
            col(LoginChallenge.used_at).is_(None),
            col(LoginChallenge.ended_at).is_(None),
            col(LoginChallenge.expires_at) > clock(),
        )
        .order_by(col(LoginChallenge.id).desc())
    )
    return session.exec(statement).first()


def code_hash(settings: Settings, challenge_id: int, code: str) -> str:
    # The challenge id is mixed in, so equal codes in two challenges do not hash alike.
    return keyed_hash(settings, "login-code", f"{challenge_id}:{code}")


def send_code(
    session: Session, *, challenge: LoginChallenge, user: UserAccount, settings: Settings, clock: Clock
) -> None:
    """Give the challenge a new code (the old one stops working) and email it."""
    assert challenge.id is not None
    now = clock()
    code = f"{secrets.randbelow(1_000_000):06d}"
    challenge.code_hash = code_hash(settings, challenge.id, code)
    challenge.expires_at = now + CODE_LIFETIME
    challenge.sends += 1
    challenge.last_sent_at = now
    session.add(challenge)
    message = login_code_email(
        to=user.email,
        first_name=user.first_name,
        code=code,
        expires_in_minutes=int(CODE_LIFETIME.total_seconds() // 60),
        reset_link=absolute_url(settings, routes.FORGOTTEN_PASSWORD),
        branding=branding(settings),
    )
    enqueue(session, message, clock=clock)
    session.flush()


def end(session: Session, challenge: LoginChallenge, *, reason: str, clock: Clock) -> None:
    session.execute(
        update(LoginChallenge)
        .where(col(LoginChallenge.id) == challenge.id, col(LoginChallenge.ended_at).is_(None))
        .values(ended_at=clock(), end_reason=reason)
        .execution_options(synchronize_session=False)
    )
    session.expire(challenge)


def reserve_attempt(session: Session, challenge: LoginChallenge) -> bool:
    """Count one attempt *before* the code is compared (refunded on success by ``claim``).

    A conditional UPDATE, so parallel requests cannot get more than MAX_WRONG_CODES
    guesses between them.
    """
    reserved = session.exec(
        update(LoginChallenge)
        .where(
            col(LoginChallenge.id) == challenge.id,
            col(LoginChallenge.used_at).is_(None),
            col(LoginChallenge.ended_at).is_(None),
            col(LoginChallenge.wrong_attempts) < MAX_WRONG_CODES,
        )
        .values(wrong_attempts=col(LoginChallenge.wrong_attempts) + 1)
        .execution_options(synchronize_session=False)
    )
    session.expire(challenge)
    return reserved.rowcount == 1


def claim(session: Session, challenge: LoginChallenge, *, clock: Clock) -> bool:
    """Mark the challenge used (refunding the reserved attempt); True only for the one caller that did."""
    claimed = session.exec(
        update(LoginChallenge)
        .where(
            col(LoginChallenge.id) == challenge.id,
            col(LoginChallenge.used_at).is_(None),
            col(LoginChallenge.ended_at).is_(None),
        )
        .values(used_at=clock(), wrong_attempts=col(LoginChallenge.wrong_attempts) - 1)
        .execution_options(synchronize_session=False)
    )
    session.expire(challenge)
    return claimed.rowcount == 1
