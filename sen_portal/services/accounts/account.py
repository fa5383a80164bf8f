"""A signed-in user's own account: password, details, email address, notices and authenticator app.

Every function takes the user id from the caller's *session* (never from the
browser) and works in the caller's transaction. Changes that matter for security
(password, email address, authenticator app) email the account's address, so an
intruder cannot change them unnoticed.
"""

from __future__ import annotations

import logging

from sqlmodel import Session

from sen_portal import routes
from sen_portal.config import Settings, get_settings
from sen_portal.email.account_emails import two_factor_email
from sen_portal.inbound.phones import normalise_uk_phone
from sen_portal.inbound.postcodes import normalise_postcode
from sen_portal.models import UserAccount, UserRole
from sen_portal.routes import absolute_url
from sen_portal.services.accounts.email_change import (
    check_email_change_link,
    confirm_email_change,
    request_email_change,
)
from sen_portal.services.accounts.registration_steps import (
    OTHER_ROLE,
    Errors,
    clean_text,
    validate_personal_step,
    validate_work_step,
)
from sen_portal.services.auth import email_tokens, login_challenges, passwords, sessions, sign_in, totp
from sen_portal.services.auth.password_reset import PURPOSES as RESET_PURPOSES
from sen_portal.services.auth.password_reset import password_changed_message
from sen_portal.services.platform.branding import branding
from sen_portal.services.platform.clock import Clock, system_clock
from sen_portal.services.platform.outbox import enqueue

log = logging.getLogger(__name__)

__all__ = [
    "CurrentPasswordRejected",
    "TotpSetupError",
    "change_password",
    "check_email_change_link",
    "confirm_email_change",
    "confirm_totp",
    "disable_totp",
    "regenerate_recovery_codes",
    "request_email_change",
    "set_maintenance_emails",
    "start_totp_setup",
    "update_details",
]

TOTP_ALREADY_ON = "An authenticator app is already set up. Remove it before adding another."
TOTP_WRONG_CODE = "The code is not correct. Check the app shows the code for this account and try again."
TOTP_START_AGAIN = "Something went wrong setting up the app. Start again."


class TotpSetupError(ValueError):
    """Setting up an authenticator app failed; ``str(error)`` is the message for the page."""


def _active_user(session: Session, user_id: int) -> UserAccount:
    user = session.get(UserAccount, user_id)
    if user is None or not user.is_active:
        raise LookupError("no active account with that id")
    return user


def _notify_two_factor(session: Session, user: UserAccount, change: str, settings: Settings, clock: Clock) -> None:
    message = two_factor_email(
        to=user.email,
        first_name=user.first_name,
        change=change,
        remaining_codes=0,
        reset_link=absolute_url(settings, routes.FORGOTTEN_PASSWORD),
        branding=branding(settings),
    )
    enqueue(session, message, clock=clock)


# ---- password ------------------------------------------------------------------------------


def change_password(
    session: Session,
    *,
    user_id: int,
    current_password: str,
    new_password_hash: str,
    keep_session_token: str | None,
    settings: Settings,
    clock: Clock = system_clock,
) -> list[str]:
    """Check the current password and store the new hash; [] on success.

    The new password must already have passed ``passwords.password_errors`` and been
    hashed with ``passwords.hash_password`` by the caller (off the event loop). Every
    session but ``keep_session_token`` (the caller's own) ends, and the user is emailed.
    """
    if passwords.hash_cost(new_password_hash) is None:
        raise ValueError("new_password_hash is not a bcrypt hash from passwords.hash_password")
    user = _active_user(session, user_id)
    errors = sign_in.check_current_password(
        session, user=user, password=current_password, settings=settings, clock=clock
    )
    if errors:
        return errors
    user.password_hash = new_password_hash
    user.updated_at = clock()
    session.add(user)
    for purpose in RESET_PURPOSES:  # an outstanding reset link would undo the change
        email_tokens.void_unused(session, user_id=user_id, purpose=purpose)
    ended = sessions.end_all(session, user_id=user_id, keep_token=keep_session_token, clock=clock)
    login_challenges.end_open_challenges(session, user_id=user_id, reason=login_challenges.SUPERSEDED, clock=clock)
    enqueue(session, password_changed_message(user, settings), clock=clock)
    session.flush()
    log.info("account: user %s changed their password (%s other sessions ended)", user_id, ended)
    return []


# ---- details -------------------------------------------------------------------------------


def update_details(
    session: Session,
    *,
    user_id: int,
    title: str,
    first_name: str,
    last_name: str,
    phone: str,
    professional_role: str = "",
    professional_role_other: str = "",
    organisation: str = "",
    job_title: str = "",
    work_phone: str = "",
    address_line1: str = "",
    address_line2: str = "",
    address_town: str = "",
    address_postcode: str = "",
    address_uprn: str = "",
    clock: Clock = system_clock,
) -> Errors:
    """Validate with the registration steps and save; ``{}`` on success, else ``{field: [message]}``.

    Professionals keep personal *and* work details; staff accounts have personal details only
    (their work fields are ignored).
    """
    user = _active_user(session, user_id)
    errors = validate_personal_step(title=title, first_name=first_name, last_name=last_name, phone=phone)
    is_professional = user.role == UserRole.PROFESSIONAL
    if is_professional:
        errors |= validate_work_step(
            session,
            professional_role=professional_role,
            professional_role_other=professional_role_other,
            organisation=organisation,
            job_title=job_title,
            work_phone=work_phone,
            address_line1=address_line1,
            address_line2=address_line2,
            address_town=address_town,
            address_postcode=address_postcode,
            address_uprn=address_uprn,
        )
    if errors:
        return errors
    user.title = clean_text(title)
    user.first_name = clean_text(first_name)
    user.last_name = clean_text(last_name)
    user.phone = normalise_uk_phone(phone) or ""
    if is_professional:
        role = professional_role.strip()
        user.professional_role = role
        user.professional_role_other = clean_text(professional_role_other) if role == OTHER_ROLE else ""
        user.organisation = clean_text(organisation)
        user.job_title = clean_text(job_title)
        user.work_phone = normalise_uk_phone(work_phone) or ""
        user.address_line1 = clean_text(address_line1)
        user.address_line2 = clean_text(address_line2)
        user.address_town = clean_text(address_town)
        user.address_postcode = normalise_postcode(address_postcode) or ""
        user.address_uprn = address_uprn.strip()
    user.updated_at = clock()
    session.add(user)
    session.flush()
    return {}


def set_maintenance_emails(session: Session, *, user_id: int, enabled: bool, clock: Clock = system_clock) -> None:
    """Opt in to (or out of) emails about planned maintenance."""
    user = _active_user(session, user_id)
    user.maintenance_emails = bool(enabled)
    user.updated_at = clock()
    session.add(user)
    session.flush()


# ---- authenticator app ---------------------------------------------------------------------


def start_totp_setup(session: Session, *, user_id: int, settings: Settings | None = None) -> tuple[str, str]:
    """A new secret and its ``otpauth://`` URI (for the QR code), kept on the account as pending.

    The secret is stored encrypted on the row with ``totp_enabled_at`` still empty (nothing signs
    in with it until ``confirm_totp`` sees a right code), so the page never has to hold it in its
    state between showing the QR code and the confirming code (issue 12). A new setup replaces it.
    """
    settings = settings or get_settings()
    user = _active_user(session, user_id)
    if user.totp_enabled_at is not None:
        raise TotpSetupError(TOTP_ALREADY_ON)
    secret = totp.new_secret()
    user.totp_secret = totp.encrypt_secret(settings, secret)
    session.add(user)
    session.flush()
    return secret, totp.provisioning_uri(secret, account_name=user.email, issuer=settings.service_name)


def confirm_totp(
    session: Session,
    *,
    user_id: int,
    code: str,
    secret: str | None = None,
    settings: Settings | None = None,
    clock: Clock = system_clock,
) -> list[str]:
    """Turn the app on once it shows a right code; returns 10 recovery codes to show once.

    ``secret`` defaults to the one ``start_totp_setup`` left pending on the account.
    Raises ``TotpSetupError`` (with the page's message) when the code is wrong.
    """
    settings = settings or get_settings()
    user = _active_user(session, user_id)
    if user.totp_enabled_at is not None:
        raise TotpSetupError(TOTP_ALREADY_ON)
    if secret is None:
        secret = totp.decrypt_secret(settings, user.totp_secret) or ""
    if not isinstance(secret, str) or len(secret) != 32 or not secret.isalnum():
        raise TotpSetupError(TOTP_START_AGAIN)
    step = totp.matching_step(secret, "".join((code or "").split()), now=clock())
    if step is None:
        raise TotpSetupError(TOTP_WRONG_CODE)
    user.totp_secret = totp.encrypt_secret(settings, secret)
    user.totp_enabled_at = clock()
    user.totp_last_step = step  # the setup code cannot be replayed to sign in
    user.updated_at = clock()
    session.add(user)
    codes = totp.replace_recovery_codes(session, user_id=user_id, settings=settings, clock=clock)
    login_challenges.end_open_challenges(session, user_id=user_id, reason=login_challenges.SUPERSEDED, clock=clock)
    _notify_two_factor(session, user, "enabled", settings, clock)
    session.flush()
    log.info("account: user %s turned on an authenticator app", user_id)
    return codes


class CurrentPasswordRejected(ValueError):
    """The current password was wrong (counted like a failed sign-in); ``problems`` says so."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("current password rejected")
        self.problems = problems


def _check_current_password(session: Session, user: UserAccount, password: str, settings: Settings) -> None:
    """Changes to the second factor need the password: a stolen session alone cannot remove or take it over."""
    problems = sign_in.check_current_password(session, user=user, password=password, settings=settings)
    if problems:
        raise CurrentPasswordRejected(problems)


def regenerate_recovery_codes(
    session: Session,
    *,
    user_id: int,
    current_password: str,
    settings: Settings | None = None,
    clock: Clock = system_clock,
) -> list[str]:
    """New recovery codes (the old ones stop working); only while an app is set up."""
    settings = settings or get_settings()
    user = _active_user(session, user_id)
    _check_current_password(session, user, current_password, settings)
    if user.totp_enabled_at is None:
        raise TotpSetupError("Set up an authenticator app first.")
    return totp.replace_recovery_codes(session, user_id=user_id, settings=settings, clock=clock)


def disable_totp(
    session: Session,
    *,
    user_id: int,
    current_password: str,
    settings: Settings | None = None,
    clock: Clock = system_clock,
) -> None:
    """Remove the app and its recovery codes; sign-in goes back to emailed codes."""
    settings = settings or get_settings()
    user = _active_user(session, user_id)
    _check_current_password(session, user, current_password, settings)
    was_on = user.totp_enabled_at is not None
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.updated_at = clock()
    session.add(user)
    totp.delete_recovery_codes(session, user_id=user_id)
    login_challenges.end_open_challenges(session, user_id=user_id, reason=login_challenges.SUPERSEDED, clock=clock)
    if was_on:
        _notify_two_factor(session, user, "disabled", settings, clock)
        log.info("account: user %s removed their authenticator app", user_id)
    session.flush()
