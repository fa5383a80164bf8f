"""Changing a signed-in user's email address: it takes effect only when the new address confirms.

``request_email_change`` (current password required) emails a one-time link to
the new address and tells the old address, which can then reset the password if
the request was not theirs. When the new address already has an account, the
requester is told nothing different (no account discovery through this form);
that address's owner gets an email instead. ``confirm_email_change`` applies it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import Session, col, select

from sen_portal import routes
from sen_portal.config import Settings
from sen_portal.email.account_emails import (
    email_change_confirm_email,
    email_change_requested_email,
    email_in_use_email,
)
from sen_portal.inbound.emails import email_error, mask_email, normalise_email
from sen_portal.models import EmailToken, UserAccount
from sen_portal.routes import absolute_url
from sen_portal.services.auth import email_tokens, sign_in
from sen_portal.services.auth.email_tokens import LinkStatus
from sen_portal.services.platform import rate_limits
from sen_portal.services.platform.branding import branding
from sen_portal.services.platform.clock import Clock, system_clock
from sen_portal.services.platform.outbox import enqueue

log = logging.getLogger(__name__)

CHANGE_LINK_LIFETIME = timedelta(hours=24)
REQUEST_LIMIT, REQUEST_WINDOW = 3, timedelta(hours=1)  # per user
SAME_ADDRESS = "Enter an email address that is different from your current one"
TOO_MANY_REQUESTS = "You have asked to change your email address too many times. Try again in an hour."


def _active_user(session: Session, user_id: int) -> UserAccount:
    user = session.get(UserAccount, user_id)
    if user is None or not user.is_active:
        raise LookupError("no active account with that id")
    return user


def request_email_change(
    session: Session,
    *,
    user_id: int,
    new_email: str,
    current_password: str,
    settings: Settings,
    clock: Clock = system_clock,
) -> list[str]:
    """Start a change of address; [] means "we have emailed a link to the new address" (whatever happened)."""
    user = _active_user(session, user_id)
    message = email_error(new_email)
    if message:
        return [message]
    address = normalise_email(new_email)
    assert address is not None
    if address == user.email:
        return [SAME_ADDRESS]
    errors = sign_in.check_current_password(
        session, user=user, password=current_password, settings=settings, clock=clock
    )
    if errors:
        return errors
    decision = rate_limits.hit(
        session,
        rate_limits.bucket_key("email_change", "user", str(user_id)),
        limit=REQUEST_LIMIT,
        window=REQUEST_WINDOW,
        clock=clock,
    )
    if not decision.allowed:
        return [TOO_MANY_REQUESTS]

    brand = branding(settings)
    reset_link = absolute_url(settings, routes.FORGOTTEN_PASSWORD)
    taken = session.exec(select(UserAccount.id).where(col(UserAccount.email) == address)).first()
    if taken is not None:
        enqueue(session, email_in_use_email(to=address, branding=brand), clock=clock)
        log.info("email change: user %s asked for an address that has an account", user_id)
    else:
        user.pending_email = address
        user.updated_at = clock()
        session.add(user)
        token = email_tokens.issue(
            session, user_id=user_id, purpose=email_tokens.CHANGE_EMAIL, lifetime=CHANGE_LINK_LIFETIME, clock=clock
        )
        link = absolute_url(settings, routes.CONFIRM_EMAIL_CHANGE, token=token)
        hours = int(CHANGE_LINK_LIFETIME.total_seconds() // 3600)
        confirm = email_change_confirm_email(
            to=address, first_name=user.first_name, link=link, expires_in_hours=hours, branding=brand
        )
        enqueue(session, confirm, clock=clock)
        log.info("email change: confirmation link sent for user %s", user_id)
    notice = email_change_requested_email(
        to=user.email,
        first_name=user.first_name,
        masked_new_email=mask_email(address),
        reset_link=reset_link,
        branding=brand,
    )
    enqueue(session, notice, clock=clock)
    session.flush()
    return []


def _inspect(session: Session, *, token: str, clock: Clock) -> tuple[LinkStatus, EmailToken | None, UserAccount | None]:
    row = email_tokens.find(session, token=token, purpose=email_tokens.CHANGE_EMAIL)
    if row is None:
        return LinkStatus.INVALID, None, None
    user = session.get(UserAccount, row.user_id)
    if user is None or not user.is_active:
        return LinkStatus.INVALID, row, user
    status = email_tokens.status_of(row, now=clock())
    if status is LinkStatus.VALID and not user.pending_email:
        return LinkStatus.INVALID, row, user
    return status, row, user


def check_email_change_link(session: Session, *, token: str, clock: Clock = system_clock) -> LinkStatus:
    """What the link would do, changing nothing (the page shows a "Confirm" button)."""
    return _inspect(session, token=token, clock=clock)[0]


def confirm_email_change(session: Session, *, token: str, clock: Clock = system_clock) -> LinkStatus:
    """Use the link: the pending address becomes the account's. VALID means it changed."""
    status, row, user = _inspect(session, token=token, clock=clock)
    if status is not LinkStatus.VALID or row is None or user is None or not user.pending_email:
        return status
    new_address = user.pending_email
    # Someone may have registered the address since the request: the unique email stays unique.
    if session.exec(select(UserAccount.id).where(col(UserAccount.email) == new_address)).first() is not None:
        return LinkStatus.INVALID
    if not email_tokens.consume(session, row, clock=clock):
        return LinkStatus.EXPIRED if clock() >= row.expires_at else LinkStatus.USED
    now = clock()
    user.email = new_address
    user.pending_email = None
    user.email_verified_at = user.email_verified_at or now
    user.updated_at = now
    session.add(user)
    session.flush()
    log.info("email change: user %s confirmed a new address", user.id)
    return LinkStatus.VALID
