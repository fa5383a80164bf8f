"""Professional registration and email verification.

Everything a caller writes happens in the caller's transaction (``session_scope``):
the account, the link token, the rate-limit hit and the outbox email commit
together or not at all.

**Off the event loop.** Every function here does blocking database I/O, so Reflex
handlers call them through ``asyncio.to_thread``. bcrypt (≈0.3 s) is the slow part
of registering; the registration pages hash the password with
``passwords.hash_password`` (in ``to_thread``) as soon as the account step passes and
hand ``register`` the hash in ``RegistrationDetails.password_hash``, so the final
submit does no hashing and the plain password leaves memory early. ``register``
also accepts a plain ``password`` (it then validates and hashes it itself), for the
CLI and tests.

**No enumeration.** Registering an address that already has an account returns the
same ``RegistrationOutcome`` and emails the owner instead; ``resend_verification``
answers nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from sen_portal import routes
from sen_portal.config import Settings
from sen_portal.email.builders import already_registered_email, verification_email
from sen_portal.models import EmailToken, UserAccount, UserRole
from sen_portal.routes import absolute_url
from sen_portal.services import email_tokens, passwords, rate_limits
from sen_portal.services.account_vetting import initial_status
from sen_portal.services.branding import branding
from sen_portal.services.clock import Clock, system_clock
from sen_portal.services.email_tokens import LinkStatus
from sen_portal.services.emails import email_error, normalise_email
from sen_portal.services.outbox import enqueue
from sen_portal.services.phones import normalise_uk_phone
from sen_portal.services.postcodes import normalise_postcode, postcode_error
from sen_portal.services.registration_steps import (
    OTHER_ROLE,
    TITLES,
    Errors,
    clean_text,
    validate_account_step,
    validate_personal_step,
    validate_work_step,
)

# Re-exported: the registration pages reach everything through this module.
__all__ = [
    "OTHER_ROLE",
    "TITLES",
    "Errors",
    "LinkStatus",
    "RegistrationDetails",
    "RegistrationInvalid",
    "RegistrationOutcome",
    "RegistrationThrottled",
    "activate",
    "check_verification_link",
    "email_error",
    "normalise_email",
    "normalise_postcode",
    "postcode_error",
    "purge_unverified_accounts",
    "register",
    "resend_verification",
    "validate_account_step",
    "validate_personal_step",
    "validate_registration",
    "validate_work_step",
]

VERIFY_LINK_LIFETIME = timedelta(hours=48)
REGISTER_LIMIT, REGISTER_WINDOW = 10, timedelta(hours=1)  # per client IP
RESEND_LIMIT, RESEND_WINDOW = 3, timedelta(hours=1)  # per email address
NOTICE_LIMIT, NOTICE_WINDOW = 3, timedelta(hours=1)  # "already registered" emails per address
UNVERIFIED_ACCOUNT_LIFETIME = timedelta(days=7)


@dataclass(frozen=True, kw_only=True)
class RegistrationDetails:
    """Everything the registration pages collect. Give exactly one of ``password`` and ``password_hash``.

    ``password_hash`` must come from ``passwords.hash_password`` run by the server after
    ``validate_account_step`` accepted the password (never from the browser).
    """

    email: str
    password: str = field(default="", repr=False)
    password_hash: str = field(default="", repr=False)
    title: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    professional_role: str = ""
    professional_role_other: str = ""
    organisation: str = ""
    job_title: str = ""
    work_phone: str = ""
    address_line1: str = ""
    address_line2: str = ""
    address_town: str = ""
    address_postcode: str = ""
    address_uprn: str = ""
    maintenance_emails: bool = False


@dataclass(frozen=True)
class RegistrationOutcome:
    """Identical whether an account was created or the address was already registered."""

    email: str  # normalised; "we have sent an email to ..."


class RegistrationInvalid(ValueError):
    """The details fail validation; ``errors`` has the WTForms shape for the pages."""

    def __init__(self, errors: Errors) -> None:
        super().__init__("registration details are not valid")
        self.errors = errors


class RegistrationThrottled(Exception):
    """Too many registrations from this client; try again after ``retry_after``."""

    def __init__(self, retry_after: timedelta | None) -> None:
        super().__init__("too many registrations")
        self.retry_after = retry_after


def validate_registration(session: Session, details: RegistrationDetails) -> Errors:
    """Every step again, as one ``{field: [message]}`` dict (empty when all is well)."""
    plain = details.password or None
    errors = validate_personal_step(
        title=details.title, first_name=details.first_name, last_name=details.last_name, phone=details.phone
    )
    errors |= validate_account_step(
        email=details.email,
        password=plain,
        confirm_password=plain,  # the confirmation was checked on the account step
        first_name=details.first_name,
        last_name=details.last_name,
    )
    if plain is None and not details.password_hash:
        errors["password"] = [passwords.ENTER_PASSWORD]
    errors |= validate_work_step(
        session,
        professional_role=details.professional_role,
        professional_role_other=details.professional_role_other,
        organisation=details.organisation,
        job_title=details.job_title,
        work_phone=details.work_phone,
        address_line1=details.address_line1,
        address_line2=details.address_line2,
        address_town=details.address_town,
        address_postcode=details.address_postcode,
        address_uprn=details.address_uprn,
    )
    return errors


def register(
    session: Session, *, details: RegistrationDetails, ip: str, settings: Settings, clock: Clock = system_clock
) -> RegistrationOutcome:
    """Create an unverified account and email its verification link; or email the owner of an existing one.

    Raises ``RegistrationInvalid`` (nothing written) or ``RegistrationThrottled``.
    """
    if details.password and details.password_hash:
        raise ValueError("give either password or password_hash, not both")
    if details.password_hash and passwords.hash_cost(details.password_hash) is None:
        raise ValueError("password_hash is not a bcrypt hash from passwords.hash_password")
    errors = validate_registration(session, details)
    if errors:
        raise RegistrationInvalid(errors)
    email = normalise_email(details.email)
    assert email is not None  # validated above

    decision = rate_limits.hit(
        session,
        rate_limits.bucket_key("register", "ip", (ip or "unknown")[:45]),
        limit=REGISTER_LIMIT,
        window=REGISTER_WINDOW,
        clock=clock,
    )
    if not decision.allowed:
        raise RegistrationThrottled(decision.retry_after)

    # Hash before looking the address up, so both outcomes take the same time.
    password_hash = details.password_hash or passwords.hash_password(
        details.password, pepper=passwords.password_pepper(settings)
    )
    existing = session.exec(select(UserAccount).where(col(UserAccount.email) == email)).first()
    if existing is not None:
        _tell_owner(session, email=email, settings=settings, clock=clock)
        return RegistrationOutcome(email=email)

    now = clock()
    role = details.professional_role.strip()
    user = UserAccount(
        email=email,
        password_hash=password_hash,
        role=UserRole.PROFESSIONAL,
        approval_status=initial_status(settings),
        title=clean_text(details.title),
        first_name=clean_text(details.first_name),
        last_name=clean_text(details.last_name),
        phone=normalise_uk_phone(details.phone) or "",
        professional_role=role,
        professional_role_other=clean_text(details.professional_role_other) if role == OTHER_ROLE else "",
        organisation=clean_text(details.organisation),
        job_title=clean_text(details.job_title),
        work_phone=normalise_uk_phone(details.work_phone) or "",
        address_line1=clean_text(details.address_line1),
        address_line2=clean_text(details.address_line2),
        address_town=clean_text(details.address_town),
        address_postcode=normalise_postcode(details.address_postcode) or "",
        address_uprn=details.address_uprn.strip(),
        maintenance_emails=details.maintenance_emails,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    session.flush()  # the id, for the token; a concurrent duplicate fails here on the unique email
    _send_verification(session, user=user, settings=settings, clock=clock)
    return RegistrationOutcome(email=email)


def resend_verification(session: Session, *, email: str, settings: Settings, clock: Clock = system_clock) -> None:
    """Send a new verification link (voiding older ones) if ``email`` has an unverified account.

    Silent in every case (unknown, verified, throttled), so it reveals nothing.
    """
    address = normalise_email(email)
    if address is None:
        return
    decision = rate_limits.hit(
        session,
        rate_limits.bucket_key("verify_resend", "email", rate_limits.hashed_part(address)),
        limit=RESEND_LIMIT,
        window=RESEND_WINDOW,
        clock=clock,
    )
    if not decision.allowed:
        return
    user = session.exec(select(UserAccount).where(col(UserAccount.email) == address)).first()
    if user is None or user.email_verified_at is not None or not user.is_active:
        return
    _send_verification(session, user=user, settings=settings, clock=clock)


def check_verification_link(session: Session, *, token: str, clock: Clock = system_clock) -> LinkStatus:
    """What the link would do, changing nothing (mail scanners open links; only the button activates)."""
    status, _row, _user = _inspect(session, token=token, clock=clock)
    return status


def activate(session: Session, *, token: str, clock: Clock = system_clock) -> LinkStatus:
    """Use the link: mark it used and the email verified. VALID means the account is now active."""
    status, row, user = _inspect(session, token=token, clock=clock)
    if status is not LinkStatus.VALID or row is None or user is None:
        return status
    if not email_tokens.consume(session, row, clock=clock):
        # Someone used it a moment ago (a double click, another tab), or it has just expired.
        return LinkStatus.EXPIRED if clock() >= row.expires_at else LinkStatus.USED
    now = clock()
    user.email_verified_at = now
    user.updated_at = now
    session.add(user)
    email_tokens.void_unused(session, user_id=row.user_id, purpose=email_tokens.VERIFY_EMAIL)
    session.flush()
    return LinkStatus.VALID


def purge_unverified_accounts(
    session: Session, *, older_than: timedelta = UNVERIFIED_ACCOUNT_LIFETIME, clock: Clock = system_clock
) -> int:
    """Delete professional accounts never verified within ``older_than``; returns how many.

    Frees the address for its real owner and limits "pre-hijacking" (someone registering
    another person's address with a password of their own and waiting).
    """
    result = session.exec(
        delete(UserAccount).where(
            col(UserAccount.role) == UserRole.PROFESSIONAL,
            col(UserAccount.email_verified_at).is_(None),
            col(UserAccount.created_at) < clock() - older_than,
        )
    )
    return int(result.rowcount or 0)


# ---- helpers ---------------------------------------------------------------------------------


def _inspect(session: Session, *, token: str, clock: Clock) -> tuple[LinkStatus, EmailToken | None, UserAccount | None]:
    row = email_tokens.find(session, token=token, purpose=email_tokens.VERIFY_EMAIL)
    if row is None:
        return LinkStatus.INVALID, None, None
    user = session.get(UserAccount, row.user_id)
    if user is None or not user.is_active:
        return LinkStatus.INVALID, row, user
    if user.email_verified_at is not None:
        return LinkStatus.USED, row, user  # already active: the page says "sign in"
    return email_tokens.status_of(row, now=clock()), row, user


def _send_verification(session: Session, *, user: UserAccount, settings: Settings, clock: Clock) -> None:
    assert user.id is not None
    token = email_tokens.issue(
        session, user_id=user.id, purpose=email_tokens.VERIFY_EMAIL, lifetime=VERIFY_LINK_LIFETIME, clock=clock
    )
    message = verification_email(
        to=user.email,
        link=absolute_url(settings, routes.VERIFY_EMAIL, token=token),
        branding=branding(settings),
        expires_in_hours=int(VERIFY_LINK_LIFETIME.total_seconds() // 3600),
    )
    enqueue(session, message, clock=clock)


def _tell_owner(session: Session, *, email: str, settings: Settings, clock: Clock) -> None:
    # Capped per address so nobody can use the form to flood an owner's inbox.
    decision = rate_limits.hit(
        session,
        rate_limits.bucket_key("register_notice", "email", rate_limits.hashed_part(email)),
        limit=NOTICE_LIMIT,
        window=NOTICE_WINDOW,
        clock=clock,
    )
    if not decision.allowed:
        return
    message = already_registered_email(
        to=email,
        sign_in_link=absolute_url(settings, routes.SIGN_IN),
        reset_link=absolute_url(settings, routes.FORGOTTEN_PASSWORD),
        branding=branding(settings),
    )
    enqueue(session, message, clock=clock)
