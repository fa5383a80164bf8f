"""Signing in: email + password, then a second factor on every sign-in.

Step 1, ``check_password``: throttled per account and per IP (``sign_in_throttle``),
the same answer and the same bcrypt time for an unknown address as for a wrong
password. A correct password opens a ``LoginChallenge``: a fresh random 6-digit
code is emailed (or, when the user has an authenticator app, nothing is sent).

Step 2, ``verify_code``: the emailed code, or the app's code / a recovery code.
Codes are stored as HMAC-SHA256 under a key derived from SECRET_KEY (a bare hash
of a million possible codes is reversed instantly), live 10 minutes, work once,
and die when another is sent. Five wrong codes end the challenge; the user goes
back to the password step, and the failed challenge counts as one failure for
the account's brute-force limit. Only a correct code clears that count.

Every function works in the caller's transaction and does blocking I/O (and
``check_password`` a 0.3 s bcrypt check): Reflex handlers call them in
``asyncio.to_thread``. Logs name user and challenge ids, never codes or addresses.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from sen_portal import routes
from sen_portal.config import Settings
from sen_portal.email.account_emails import sign_in_locked_email, two_factor_email
from sen_portal.models import ChallengeMethod, LoginChallenge, UserAccount, UserRole
from sen_portal.routes import absolute_url
from sen_portal.services import audit, maintenance, passwords, sign_in_throttle, totp
from sen_portal.services import login_challenges as challenges
from sen_portal.services.audit import AuditAction
from sen_portal.services.branding import branding
from sen_portal.services.clock import Clock, system_clock
from sen_portal.services.emails import mask_email, normalise_email
from sen_portal.services.login_challenges import (
    CHALLENGE_MAX_AGE,
    CODE_LIFETIME,
    EXPIRED,
    MAX_WRONG_CODES,
    SEND_LIMIT,
    SEND_WINDOW,
    SUPERSEDED,
    TOO_MANY_ATTEMPTS,
    UNKNOWN,
)
from sen_portal.services.outbox import enqueue

log = logging.getLogger(__name__)

__all__ = [
    "CHALLENGE_MAX_AGE",
    "CODE_LIFETIME",
    "MAX_WRONG_CODES",
    "SEND_LIMIT",
    "SEND_WINDOW",
    "SUPERSEDED",
    "AccountLocked",
    "ChallengeEnded",
    "CodeAccepted",
    "CodeRejected",
    "EmailNotVerified",
    "PasswordAccepted",
    "PasswordRejected",
    "ResendResult",
    "SignInPaused",
    "check_current_password",
    "check_password",
    "lock_message",
    "record_failed_attempt",
    "resend_code",
    "verify_code",
]

WRONG_EMAIL_OR_PASSWORD = "Enter a correct email address and password"  # noqa: S105 - a message
WRONG_CODE = "The code is not correct"
CODE_FORMAT = "Enter the 6-digit code from the email"
APP_CODE_FORMAT = "Enter the 6-digit code from your authenticator app, or a recovery code"


@dataclass(frozen=True)
class PasswordAccepted:
    challenge_id: int
    masked_email: str
    method: str  # "email" | "totp"


@dataclass(frozen=True)
class PasswordRejected:
    message: str  # identical for an unknown address, a wrong password and a disabled account


@dataclass(frozen=True)
class AccountLocked:
    retry_after_seconds: int
    # "account": too many failures for this address; "ip": for this client; "code_sends": too
    # many codes emailed lately (and none still usable).
    scope: str = "account"


@dataclass(frozen=True)
class EmailNotVerified:
    email: str


@dataclass(frozen=True)
class CodeAccepted:
    user_id: int


@dataclass(frozen=True)
class CodeRejected:
    message: str
    attempts_left: int


@dataclass(frozen=True)
class ChallengeEnded:
    reason: str  # "expired" | "too_many_attempts" | "unknown"


@dataclass(frozen=True)
class SignInPaused:
    """Planned maintenance with sign-in paused (services.maintenance): professionals wait; staff,
    who carry out or check the maintenance, still sign in."""

    title: str
    ends_at: datetime


@dataclass(frozen=True)
class ResendResult:
    sent: bool
    message: str


# ---- step 1: password ----------------------------------------------------------------------


def check_password(
    session: Session, *, email: str, password: str, ip: str, settings: Settings, clock: Clock = system_clock
) -> PasswordAccepted | PasswordRejected | AccountLocked | EmailNotVerified | SignInPaused:
    """Check email and password; on success open a challenge (and email a code unless the user has an app)."""
    address = normalise_email(email) or (email or "").strip().lower()[:254]
    wait = sign_in_throttle.ip_retry_after(session, ip=ip, clock=clock)
    if wait is not None:
        log.warning("sign-in refused: too many failures from this client")
        return AccountLocked(sign_in_throttle.whole_seconds(wait), scope="ip")
    wait = sign_in_throttle.account_retry_after(session, email=address, clock=clock)
    if wait is not None:
        log.info("sign-in refused: account locked")
        return AccountLocked(sign_in_throttle.whole_seconds(wait), scope="account")

    pepper = passwords.password_pepper(settings)
    user = session.exec(select(UserAccount).where(col(UserAccount.email) == address)).first() if address else None
    if user is None:
        passwords.verify_dummy(password or "", pepper=pepper)  # the same 0.3 s as a real check
        correct = False
    else:
        correct = passwords.verify_password(password or "", user.password_hash or "", pepper=pepper)
    if not correct or user is None or not user.is_active:
        record_failed_attempt(session, address=address, ip=ip, user=user, settings=settings, clock=clock)
        return PasswordRejected(WRONG_EMAIL_OR_PASSWORD)

    assert user.id is not None
    if passwords.needs_rehash(user.password_hash or ""):
        # The cost was raised since this hash was made: the password is in hand only now, so upgrade it.
        user.password_hash = passwords.hash_password(password or "", pepper=pepper)
        session.add(user)
    if user.email_verified_at is None:
        log.info("sign-in: correct password for unverified user %s", user.id)
        return EmailNotVerified(email=user.email)
    if paused := _paused_for(session, user, clock):
        return paused
    if user.totp_enabled_at is not None and totp.decrypt_secret(settings, user.totp_secret) is not None:
        # (An app secret that no longer decrypts, after a SECRET_KEY change, falls back to emailed codes.)
        challenge = challenges.open_challenge(session, user_id=user.id, method=ChallengeMethod.TOTP, clock=clock)
        log.info("sign-in: password accepted for user %s, app challenge %s", user.id, challenge.id)
        return PasswordAccepted(challenge.id or 0, mask_email(user.email), ChallengeMethod.TOTP.value)

    decision = challenges.take_send(session, user_id=user.id, clock=clock)
    if not decision.allowed:
        # Codes sent lately: the latest is still good if its challenge is, so carry on with it.
        live = challenges.live_email_challenge(session, user_id=user.id, clock=clock)
        if live is not None:
            return PasswordAccepted(live.id or 0, mask_email(user.email), ChallengeMethod.EMAIL.value)
        log.info("sign-in: code sends exhausted for user %s", user.id)
        return AccountLocked(sign_in_throttle.whole_seconds(decision.retry_after or SEND_WINDOW), scope="code_sends")
    challenge = challenges.open_challenge(session, user_id=user.id, method=ChallengeMethod.EMAIL, clock=clock)
    challenges.send_code(session, challenge=challenge, user=user, settings=settings, clock=clock)
    log.info("sign-in: password accepted for user %s, code challenge %s", user.id, challenge.id)
    return PasswordAccepted(challenge.id or 0, mask_email(user.email), ChallengeMethod.EMAIL.value)


def record_failed_attempt(
    session: Session,
    *,
    address: str,
    user: UserAccount | None,
    settings: Settings,
    ip: str = "",
    clock: Clock = system_clock,
) -> None:
    """Count a wrong password for ``address`` (and ``ip``); email the owner when it starts a lock.

    Also used where a signed-in user re-enters their password (account changes), so a
    stolen session cannot be used to guess the password faster than the sign-in page.
    """
    started_lock = sign_in_throttle.record_failure(session, email=address, ip=ip, clock=clock)
    log.info("sign-in: wrong password (%s)", f"user {user.id}" if user else "unknown account")
    # The typed address is logged only when it is an account's: people type passwords into email boxes.
    audit.record(
        session,
        action=AuditAction.SIGN_IN_FAILED,
        actor_user_id=user.id if user else None,
        actor_email=user.email if user else "",
        object_type="account",
        object_id=user.id if user and user.id else "",
        client_ip=ip,
        outcome="refused",
        detail={"step": "password", "locked": started_lock},
        clock=clock,
    )
    if started_lock:
        _tell_owner_of_lock(session, user=user, settings=settings, clock=clock)


ENTER_CURRENT_PASSWORD = "Enter your current password"  # noqa: S105 - a message
CURRENT_PASSWORD_WRONG = "Your current password is not correct"  # noqa: S105 - a message


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def lock_message(locked: AccountLocked) -> str:
    """What the person is told: a wait on the account, or a limit on the network they are on."""
    wait = _duration(locked.retry_after_seconds)
    if locked.scope == "ip":
        return (
            "Too many failed sign-ins have come from your network recently. This is about the network "
            f"you are using, not about your account. Try again in {wait}."
        )
    if locked.scope == "code_sends":
        return f"You have asked for too many codes. Try again in {wait}."
    return f"Too many wrong passwords for this account. Wait {wait}, then try again."


def check_current_password(
    session: Session, *, user: UserAccount, password: str, settings: Settings, clock: Clock = system_clock
) -> list[str]:
    """Re-authentication for account changes: [] when ``password`` is the user's, else one message.

    Shares the account's sign-in failure count and lock (see ``record_failed_attempt``).
    """
    if not password:
        return [ENTER_CURRENT_PASSWORD]
    wait = sign_in_throttle.account_retry_after(session, email=user.email, clock=clock)
    if wait is not None:
        return [lock_message(AccountLocked(sign_in_throttle.whole_seconds(wait), scope="account"))]
    if passwords.verify_password(password, user.password_hash or "", pepper=passwords.password_pepper(settings)):
        return []
    record_failed_attempt(session, address=user.email, user=user, settings=settings, clock=clock)
    return [CURRENT_PASSWORD_WRONG]


def _tell_owner_of_lock(session: Session, *, user: UserAccount | None, settings: Settings, clock: Clock) -> None:
    if user is None or not user.is_active:
        return
    log.warning("sign-in: account of user %s locked after repeated failures", user.id)
    message = sign_in_locked_email(
        to=user.email,
        first_name=user.first_name,
        reset_link=absolute_url(settings, routes.FORGOTTEN_PASSWORD),
        branding=branding(settings),
    )
    enqueue(session, message, clock=clock)


def _paused_for(session: Session, user: UserAccount, clock: Clock) -> SignInPaused | None:
    """Sign-in is paused for professionals during a maintenance window that says so."""
    if user.role != UserRole.PROFESSIONAL:
        return None
    notice = maintenance.sign_in_paused(session, now=clock())
    if notice is None:
        return None
    log.info("sign-in: paused for maintenance (notice %s), user %s", notice.id, user.id)
    return SignInPaused(title=notice.title, ends_at=notice.ends_at)


def _finished(challenge: LoginChallenge | None, *, clock: Clock) -> ChallengeEnded | None:
    """Why the challenge can take no more codes, or None while it can."""
    if challenge is None or challenge.used_at is not None:
        return ChallengeEnded(UNKNOWN)
    if challenge.ended_at is not None:
        return ChallengeEnded(challenge.end_reason if challenge.end_reason in (EXPIRED, TOO_MANY_ATTEMPTS) else UNKNOWN)
    if challenge.wrong_attempts >= MAX_WRONG_CODES:
        return ChallengeEnded(TOO_MANY_ATTEMPTS)
    if clock() >= challenge.expires_at:
        return ChallengeEnded(EXPIRED)
    return None


# ---- step 2: the code ----------------------------------------------------------------------


def verify_code(
    session: Session, *, challenge_id: int, code: str, settings: Settings, ip: str = "", clock: Clock = system_clock
) -> CodeAccepted | CodeRejected | ChallengeEnded | SignInPaused:
    """Check a code for a challenge; CodeAccepted means the user may be given a session."""
    challenge = session.get(LoginChallenge, challenge_id) if isinstance(challenge_id, int) else None
    ended = _finished(challenge, clock=clock)
    if ended is not None:
        if challenge is not None and challenge.ended_at is None and challenge.used_at is None:
            challenges.end(session, challenge, reason=ended.reason, clock=clock)
        return ended
    assert challenge is not None
    user = session.get(UserAccount, challenge.user_id)
    if user is None or not user.is_active:
        challenges.end(session, challenge, reason=UNKNOWN, clock=clock)
        return ChallengeEnded(UNKNOWN)
    if paused := _paused_for(session, user, clock):  # the window may have begun after the password step
        challenges.end(session, challenge, reason=UNKNOWN, clock=clock)
        return paused

    entered = "".join((code or "").split())[:40]
    is_app = challenge.method == ChallengeMethod.TOTP
    if not (totp.looks_like_totp(entered) or (is_app and totp.looks_like_recovery_code(entered))):
        # Not a code at all (a typo in its shape): say how it should look, and do not count it.
        left = MAX_WRONG_CODES - challenge.wrong_attempts
        return CodeRejected(APP_CODE_FORMAT if is_app else CODE_FORMAT, attempts_left=left)

    if not challenges.reserve_attempt(session, challenge):
        return _finished(challenge, clock=clock) or ChallengeEnded(UNKNOWN)

    recovery_used = False
    if is_app:
        correct = totp.accept_code(session, user=user, code=entered, settings=settings, clock=clock)
        if not correct and totp.looks_like_recovery_code(entered):
            correct = recovery_used = totp.use_recovery_code(
                session, user_id=user.id or 0, code=entered, settings=settings, clock=clock
            )
    else:
        correct = hmac.compare_digest(challenge.code_hash, challenges.code_hash(settings, challenge.id or 0, entered))

    if correct:
        if not challenges.claim(session, challenge, clock=clock):
            return ChallengeEnded(UNKNOWN)
        sign_in_throttle.clear_account(session, email=user.email)
        if recovery_used:
            _tell_recovery_code_used(session, user=user, settings=settings, clock=clock)
        log.info("sign-in: challenge %s completed for user %s", challenge.id, user.id)
        audit.record(
            session,
            action=AuditAction.SIGN_IN,
            actor_user_id=user.id,
            actor_email=user.email,
            object_type="account",
            object_id=user.id or "",
            client_ip=ip,
            detail={"method": challenge.method, "recovery_code": recovery_used},
            clock=clock,
        )
        return CodeAccepted(user_id=user.id or 0)

    session.expire(challenge)
    attempts = challenge.wrong_attempts
    log.info("sign-in: wrong code for challenge %s (%s of %s)", challenge.id, attempts, MAX_WRONG_CODES)
    if attempts >= MAX_WRONG_CODES:
        challenges.end(session, challenge, reason=TOO_MANY_ATTEMPTS, clock=clock)
        # Guessing codes is a brute-force attempt on the account too: count it once.
        if sign_in_throttle.record_failure(session, email=user.email, clock=clock):
            _tell_owner_of_lock(session, user=user, settings=settings, clock=clock)
        return ChallengeEnded(TOO_MANY_ATTEMPTS)
    left = MAX_WRONG_CODES - attempts
    return CodeRejected(f"{WRONG_CODE}. You can try {left} more time{'s' if left != 1 else ''}.", attempts_left=left)


def _tell_recovery_code_used(session: Session, *, user: UserAccount, settings: Settings, clock: Clock) -> None:
    remaining = totp.unused_recovery_codes(session, user_id=user.id or 0)
    message = two_factor_email(
        to=user.email,
        first_name=user.first_name,
        change="recovery_code_used",
        remaining_codes=remaining,
        reset_link=absolute_url(settings, routes.FORGOTTEN_PASSWORD),
        branding=branding(settings),
    )
    enqueue(session, message, clock=clock)


def resend_code(
    session: Session, *, challenge_id: int, settings: Settings, clock: Clock = system_clock
) -> ResendResult:
    """Email a new code for the challenge (the old one stops working), within the send limit."""
    challenge = session.get(LoginChallenge, challenge_id) if isinstance(challenge_id, int) else None
    if (
        challenge is None
        or challenge.method != ChallengeMethod.EMAIL
        or challenge.used_at is not None
        or challenge.ended_at is not None
        or challenge.wrong_attempts >= MAX_WRONG_CODES
        or clock() - challenge.created_at >= CHALLENGE_MAX_AGE
    ):
        return ResendResult(sent=False, message="Sign in again to get a new code.")
    user = session.get(UserAccount, challenge.user_id)
    if user is None or not user.is_active:
        return ResendResult(sent=False, message="Sign in again to get a new code.")
    decision = challenges.take_send(session, user_id=challenge.user_id, clock=clock)
    if not decision.allowed:
        minutes = max(1, -(-sign_in_throttle.whole_seconds(decision.retry_after or SEND_WINDOW) // 60))
        return ResendResult(
            sent=False,
            message=f"You have asked for too many codes. Use the last code we sent, or wait {minutes} "
            f"minute{'s' if minutes != 1 else ''} before asking for another.",
        )
    challenges.send_code(session, challenge=challenge, user=user, settings=settings, clock=clock)
    log.info("sign-in: code resent for challenge %s", challenge.id)
    return ResendResult(
        sent=True, message=f"We have sent a new code to {mask_email(user.email)}. The previous code no longer works."
    )
