"""Council staff accounts, created by an administrator from the command line.

A staff account is created verified (the council knows the address) and without
a password; the new member of staff gets a one-time link to choose one (72 hours).
From then on they sign in like everyone else: password and emailed code.
"""

from __future__ import annotations

import logging

from sqlmodel import Session, col, select

from sen_portal.config import Settings
from sen_portal.models import UserAccount
from sen_portal.models.accounts import STAFF_ROLES
from sen_portal.services.clock import Clock, system_clock
from sen_portal.services.email_text import name_error
from sen_portal.services.emails import email_error, normalise_email
from sen_portal.services.password_reset import send_set_password_link
from sen_portal.services.registration_steps import clean_text

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
    for value, label in ((first_name, "First name"), (last_name, "Last name")):
        if problem := name_error(value, label=label):  # greeted in the set-password email
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
        first_name=clean_text(first_name)[:100],
        last_name=clean_text(last_name)[:100],
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    session.flush()
    send_set_password_link(session, user=user, settings=settings, clock=clock)
    log.info("staff account %s created with role %s", user.id, role)
    return user
