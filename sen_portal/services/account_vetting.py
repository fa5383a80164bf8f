"""Account vetting and disabling: staff decide who may use the portal.

With ACCOUNT_VETTING on, a newly registered professional can sign in and save
drafts but cannot send a request until a member of the SEN team approves the
account. Rejecting or disabling an account ends its sessions at once (the
session check in services.sessions refuses inactive accounts, on every worker).
Every decision is emailed to the person and written to the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from sen_portal import routes
from sen_portal.config import Settings
from sen_portal.email.account_emails import account_approved_email, account_rejected_email
from sen_portal.models import ApprovalStatus, UserAccount, UserRole
from sen_portal.models.accounts import STAFF_ROLES
from sen_portal.routes import absolute_url
from sen_portal.services import audit, sessions
from sen_portal.services.audit import Actor, AuditAction
from sen_portal.services.branding import branding
from sen_portal.services.clock import Clock, system_clock
from sen_portal.services.email_text import body_text_error
from sen_portal.services.outbox import enqueue

REASON_MAX = 500


class VettingError(Exception):
    """The decision cannot be made; the message is for the member of staff."""


def initial_status(settings: Settings) -> ApprovalStatus:
    """What a newly registered professional starts as."""
    return ApprovalStatus.PENDING if settings.account_vetting else ApprovalStatus.APPROVED


def may_submit(user: UserAccount) -> bool:
    return user.is_active and user.approval_status == ApprovalStatus.APPROVED


def pending_accounts(session: Session, *, limit: int = 200) -> Sequence[UserAccount]:
    """Verified professionals waiting for a decision, oldest first (unverified ones may be typos)."""
    return session.exec(
        select(UserAccount)
        .where(
            col(UserAccount.role) == UserRole.PROFESSIONAL,
            col(UserAccount.approval_status) == ApprovalStatus.PENDING,
            col(UserAccount.email_verified_at).is_not(None),
            col(UserAccount.is_active).is_(True),
        )
        .order_by(col(UserAccount.created_at))
        .limit(limit)
    ).all()


def find_accounts(session: Session, *, text: str, limit: int = 50) -> Sequence[UserAccount]:
    """Accounts whose email or name contains ``text`` (for disabling and re-enabling)."""
    needle = text.strip().lower()
    if len(needle) < 3:
        return []
    full_name = func.lower(UserAccount.first_name + " " + UserAccount.last_name)
    return session.exec(
        select(UserAccount)
        # autoescape: a typed "%" or "_" is a character, not a wildcard that lists everyone.
        .where(col(UserAccount.email).contains(needle, autoescape=True) | full_name.contains(needle, autoescape=True))
        .order_by(col(UserAccount.email))
        .limit(limit)
    ).all()


NOT_WAITING = "This account is not waiting for a decision any more (a colleague may have just decided)"


def _decide(
    session: Session, *, user_id: int, actor: Actor, to_status: ApprovalStatus, clock: Clock
) -> UserAccount | None:
    """Move a *waiting* professional account to ``to_status``; None when it already has that status.

    One conditional UPDATE: only an account still pending changes, so a decision can never touch an
    approved or disabled account (vetting is not a back door to disabling, which is for admins), and
    of two colleagues deciding at once exactly one succeeds.
    """
    staff = session.get(UserAccount, actor.user_id)
    if staff is None or not staff.is_active or staff.role not in STAFF_ROLES:
        raise VettingError("Only council staff can do this")
    now = clock()
    values: dict[str, object] = {"approval_status": to_status, "approval_decided_at": now, "updated_at": now}
    if to_status == ApprovalStatus.REJECTED:
        values["is_active"] = False
    decided = session.exec(
        update(UserAccount)
        .where(
            col(UserAccount.id) == user_id,
            col(UserAccount.role) == UserRole.PROFESSIONAL,
            col(UserAccount.approval_status) == ApprovalStatus.PENDING,
            col(UserAccount.is_active).is_(True),
        )
        .values(**values)
    )
    user = session.get(UserAccount, user_id)
    if user is not None:
        session.refresh(user)
    if decided.rowcount == 1 and user is not None:
        return user
    if user is not None and user.role == UserRole.PROFESSIONAL and user.approval_status == to_status:
        return None  # a second click: the same decision stands, nothing more to send
    raise VettingError(NOT_WAITING if user is not None else "That account no longer exists")


def approve(session: Session, *, user_id: int, actor: Actor, settings: Settings, clock: Clock = system_clock) -> None:
    user = _decide(session, user_id=user_id, actor=actor, to_status=ApprovalStatus.APPROVED, clock=clock)
    if user is None:
        return
    enqueue(
        session,
        account_approved_email(
            to=user.email,
            first_name=user.first_name,
            link=absolute_url(settings, routes.SIGN_IN),
            branding=branding(settings),
        ),
        clock=clock,
    )
    _audit(session, AuditAction.ACCOUNT_APPROVED, user, actor, clock)


def reject(
    session: Session, *, user_id: int, actor: Actor, reason: str, settings: Settings, clock: Clock = system_clock
) -> None:
    """Refuse a waiting account: it can no longer sign in, and the person is told why."""
    reason = " ".join(reason.split())
    if not reason:
        raise VettingError("Enter the reason, so the person knows what to do next")
    if len(reason) > REASON_MAX:
        raise VettingError(f"The reason must be {REASON_MAX} characters or fewer")
    if problem := body_text_error(reason, label="The reason"):  # it is emailed to the person
        raise VettingError(problem)
    user = _decide(session, user_id=user_id, actor=actor, to_status=ApprovalStatus.REJECTED, clock=clock)
    if user is None:
        return
    sessions.end_all(session, user_id=user_id, clock=clock)
    enqueue(
        session,
        account_rejected_email(to=user.email, first_name=user.first_name, reason=reason, branding=branding(settings)),
        clock=clock,
    )
    _audit(session, AuditAction.ACCOUNT_REJECTED, user, actor, clock)


def set_active(session: Session, *, user_id: int, active: bool, actor: Actor, clock: Clock = system_clock) -> None:
    """Disable (sessions end at once) or re-enable an account. Staff cannot disable themselves."""
    if user_id == actor.user_id:
        raise VettingError("You cannot disable your own account")
    user = session.get(UserAccount, user_id)
    if user is None:
        raise VettingError("That account no longer exists")
    if user.is_active == active:
        return
    user.is_active = active
    user.updated_at = clock()
    session.add(user)
    if not active:
        sessions.end_all(session, user_id=user_id, clock=clock)
    _audit(session, AuditAction.ACCOUNT_ENABLED if active else AuditAction.ACCOUNT_DISABLED, user, actor, clock)


def _audit(session: Session, action: AuditAction, user: UserAccount, actor: Actor, clock: Clock) -> None:
    audit.record(
        session,
        action=action,
        actor_user_id=actor.user_id,
        actor_email=actor.email,
        object_type="account",
        object_id=user.id or "",
        client_ip=actor.client_ip,
        clock=clock,
    )
