"""Council staff accounts, created by an administrator from the command line.

A staff account is created verified (the council knows the address) and without
a password; the new member of staff gets a one-time link to choose one (72 hours).
From then on they sign in like everyone else: password and emailed code.
"""

from __future__ import annotations

import logging

from sqlmodel import Session, col, select

from sen_portal.config import Settings
from sen_portal.inbound import text_error
from sen_portal.inbound.email_text import name_error
from sen_portal.inbound.emails import email_error, normalise_email
from sen_portal.models import UserAccount
from sen_portal.models.accounts import STAFF_ROLES
from sen_portal.services.accounts.registration_steps import clean_text
from sen_portal.services.auth.password_reset import send_set_password_link
from sen_portal.services.platform.clock import Clock, system_clock

log = logging.getLogger(__name__)


class StaffAccountError(ValueError):
    """The account cannot be created; the message is for the operator."""


def create_staff_user(
    session: Session,
    *,
    email: str,
    role: str,
    settings: Settings,
    first_name: str = "",
    last_name: str = "",
    clock: Clock = system_clock,
) -> UserAccount:
    """Create a verified staff account with no password and email it a set-password link."""
    message = email_error(email)
    if message:
        raise StaffAccountError(message)
    if role not in STAFF_ROLES:
        raise StaffAccountError(f"role must be one of {', '.join(sorted(STAFF_ROLES))}")
    for label, name in (("First name", first_name), ("Last name", last_name)):
        # Checked whole, never cut (the gate), and fit for the set-password email's greeting.
        problem = text_error(name or "", label=label, max_length=100) or name_error(name or "", label=label)
        if problem:
            raise StaffAccountError(problem)
    address = normalise_email(email)
    assert address is not None
    if session.exec(select(UserAccount.id).where(col(UserAccount.email) == address)).first() is not None:
        raise StaffAccountError(f"there is already an account for {address}")
    now = clock()
    user = UserAccount(
        email=address,
        password_hash=None,
        role=role,
        email_verified_at=now,
        first_name=clean_text(first_name),
        last_name=clean_text(last_name),
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    session.flush()
    send_set_password_link(session, user=user, settings=settings, clock=clock)
    log.info("staff account %s created with role %s", user.id, role)
    return user
