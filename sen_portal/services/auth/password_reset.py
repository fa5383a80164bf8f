"""Forgotten passwords, and the "set your password" link for new staff accounts.

``request_reset`` behaves identically whether or not the address has an account
(the page always says "if there is an account, we have sent a link"), and is
silently capped per address so nobody can flood an inbox. The link is a one-time
``email_tokens`` token, 60 minutes (72 hours for a new staff account's
``set_password`` link); both open the same ``/reset-password`` page.

Resetting ends every session of the account and never signs anyone in: the next
sign-in still needs the password *and* the emailed code. The link proves the
owner reads the mailbox, so it also verifies the address and lifts a sign-in lock.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import Session, col, select

from sen_portal import routes
from sen_portal.config import Settings, get_settings
from sen_portal.email.account_emails import password_changed_email, password_reset_email, set_password_email
from sen_portal.email.message import EmailMessage
from sen_portal.inbound.emails import normalise_email
from sen_portal.models import EmailToken, UserAccount
from sen_portal.routes import absolute_url
from sen_portal.services.auth import email_tokens, login_challenges, passwords, sessions, sign_in_throttle
from sen_portal.services.auth.email_tokens import LinkStatus
from sen_portal.services.platform import rate_limits
from sen_portal.services.platform.branding import branding
from sen_portal.services.platform.clock import Clock, system_clock
from sen_portal.services.platform.outbox import enqueue

log = logging.getLogger(__name__)

RESET_PASSWORD = email_tokens.RESET_PASSWORD
SET_PASSWORD = "set_password"  # noqa: S105 - a purpose name, not a secret
PURPOSES = (RESET_PASSWORD, SET_PASSWORD)
RESET_LINK_LIFETIME = timedelta(minutes=60)
SET_PASSWORD_LINK_LIFETIME = timedelta(hours=72)
REQUEST_LIMIT, REQUEST_WINDOW = 3, timedelta(hours=1)  # reset emails per address

__all__ = [
    "PURPOSES",
    "RESET_LINK_LIFETIME",
    "SET_PASSWORD",
    "SET_PASSWORD_LINK_LIFETIME",
    "LinkStatus",
    "check_reset_link",
    "link_purpose",
    "password_changed_message",
    "request_reset",
    "reset_context_words",
    "reset_password",
    "send_set_password_link",
]


def request_reset(session: Session, *, email: str, settings: Settings, clock: Clock = system_clock) -> None:
    """Email a reset link if ``email`` has an active account. Silent in every case, throttled per address."""
    address = normalise_email(email)
    if address is None:
        return
    decision = rate_limits.hit(
        session,
        rate_limits.bucket_key("reset_request", "email", rate_limits.hashed_part(address)),
        limit=REQUEST_LIMIT,
        window=REQUEST_WINDOW,
        clock=clock,
    )
    if not decision.allowed:
        log.info("password reset: request throttled")
        return
    user = session.exec(select(UserAccount).where(col(UserAccount.email) == address)).first()
    if user is None or user.id is None or not user.is_active:
        return
    token = email_tokens.issue(
        session, user_id=user.id, purpose=RESET_PASSWORD, lifetime=RESET_LINK_LIFETIME, clock=clock
    )
    message = password_reset_email(
        to=user.email,
        first_name=user.first_name,
        link=absolute_url(settings, routes.RESET_PASSWORD, token=token),
        expires_in_minutes=int(RESET_LINK_LIFETIME.total_seconds() // 60),
        branding=branding(settings),
    )
    enqueue(session, message, clock=clock)
    log.info("password reset: link sent to user %s", user.id)


def send_set_password_link(
    session: Session, *, user: UserAccount, settings: Settings, clock: Clock = system_clock
) -> None:
    """Email a new staff member the link to choose their first password (72 hours)."""
    assert user.id is not None
    token = email_tokens.issue(
        session, user_id=user.id, purpose=SET_PASSWORD, lifetime=SET_PASSWORD_LINK_LIFETIME, clock=clock
    )
    message = set_password_email(
        to=user.email,
        first_name=user.first_name,
        link=absolute_url(settings, routes.RESET_PASSWORD, token=token),
        expires_in_hours=int(SET_PASSWORD_LINK_LIFETIME.total_seconds() // 3600),
        branding=branding(settings),
    )
    enqueue(session, message, clock=clock)


def _inspect(session: Session, *, token: str, clock: Clock) -> tuple[LinkStatus, EmailToken | None, UserAccount | None]:
    row = None
    for purpose in PURPOSES:
        row = email_tokens.find(session, token=token, purpose=purpose)
        if row is not None:
            break
    if row is None:
        return LinkStatus.INVALID, None, None
    user = session.get(UserAccount, row.user_id)
    if user is None or not user.is_active:
        return LinkStatus.INVALID, row, user
    return email_tokens.status_of(row, now=clock()), row, user


def check_reset_link(session: Session, *, token: str, clock: Clock = system_clock) -> LinkStatus:
    """What the link would do, changing nothing (mail scanners open links)."""
    status, _row, _user = _inspect(session, token=token, clock=clock)
    return status


def link_purpose(session: Session, *, token: str, clock: Clock = system_clock) -> str | None:
    """``"reset_password"`` or ``"set_password"`` for a valid link (the page's heading), else None."""
    status, row, _user = _inspect(session, token=token, clock=clock)
    return row.purpose if status is LinkStatus.VALID and row is not None else None


def reset_context_words(session: Session, *, token: str, clock: Clock = system_clock) -> list[str]:
    """The account's email and names for ``passwords.password_errors``; [] unless the link is valid."""
    status, _row, user = _inspect(session, token=token, clock=clock)
    if status is not LinkStatus.VALID or user is None:
        return []
    return [user.email, user.first_name, user.last_name]


def reset_password(
    session: Session,
    *,
    token: str,
    password_hash: str,
    clock: Clock = system_clock,
    settings: Settings | None = None,
) -> LinkStatus:
    """Use the link: set the new password hash, end every session, email "your password was changed".

    ``password_hash`` comes from ``passwords.hash_password`` after ``password_errors``
    accepted the password. VALID means the password was changed; nobody is signed in.
    ``settings`` defaults to the process settings (for the email's branding and links).
    """
    if passwords.hash_cost(password_hash) is None:
        raise ValueError("password_hash is not a bcrypt hash from passwords.hash_password")
    status, row, user = _inspect(session, token=token, clock=clock)
    if status is not LinkStatus.VALID or row is None or user is None or user.id is None:
        return status
    if not email_tokens.consume(session, row, clock=clock):
        return LinkStatus.EXPIRED if clock() >= row.expires_at else LinkStatus.USED
    settings = settings or get_settings()
    now = clock()
    user.password_hash = password_hash
    if user.email_verified_at is None:
        user.email_verified_at = now  # the link reached the mailbox: that is what verifying proves
    user.updated_at = now
    session.add(user)
    for purpose in PURPOSES:
        email_tokens.void_unused(session, user_id=user.id, purpose=purpose)
    ended = sessions.end_all(session, user_id=user.id, clock=clock)
    login_challenges.end_open_challenges(session, user_id=user.id, reason=login_challenges.SUPERSEDED, clock=clock)
    sign_in_throttle.clear_account(session, email=user.email)
    enqueue(session, password_changed_message(user, settings), clock=clock)
    session.flush()
    log.info("password reset: user %s set a new password (%s sessions ended)", user.id, ended)
    return LinkStatus.VALID


def password_changed_message(user: UserAccount, settings: Settings) -> EmailMessage:
    """The "your password was changed" email (also sent by ``account.change_password``)."""
    return password_changed_email(
        to=user.email,
        first_name=user.first_name,
        reset_link=absolute_url(settings, routes.FORGOTTEN_PASSWORD),
        branding=branding(settings),
    )
