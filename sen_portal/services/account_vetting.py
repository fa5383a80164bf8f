"""Account vetting and disabling: staff decide who may use the portal.

With ACCOUNT_VETTING on, a newly registered professional can sign in and save
drafts but cannot send a request until a member of the SEN team approves the
account. Rejecting or disabling an account ends its sessions at once (the
session check in services.sessions refuses inactive accounts, on every worker).
Every decision is emailed to the person and written to the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, func, select

from sen_portal import routes
from sen_portal.config import Settings
from sen_portal.email.account_emails import account_approved_email, account_rejected_email
from sen_portal.models import ApprovalStatus, UserAccount, UserRole
from sen_portal.routes import absolute_url
from sen_portal.services import audit, sessions
from sen_portal.services.audit import Actor, AuditAction
from sen_portal.services.branding import branding
from sen_portal.services.clock import Clock, system_clock
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
    needle = f"%{text.strip().lower()}%"
    if len(needle) < 5:  # at least three characters typed
        return []
    full_name = func.lower(UserAccount.first_name + " " + UserAccount.last_name)
    return session.exec(
        select(UserAccount)
        .where(col(UserAccount.email).like(needle) | full_name.like(needle))
        .order_by(col(UserAccount.email))
        .limit(limit)
    ).all()


def approve(session: Session, *, user_id: int, actor: Actor, settings: Settings, clock: Clock = system_clock) -> None:
    user = _professional(session, user_id, actor)
    if user.approval_status == ApprovalStatus.APPROVED:
        return  # a second click, or a colleague got there first: nothing more to send
    user.approval_status = ApprovalStatus.APPROVED
    user.approval_decided_at = user.updated_at = clock()
    session.add(user)
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
    """Refuse the account: it can no longer sign in, and the person is told why."""
    reason = " ".join(reason.split())
    if not reason:
        raise VettingError("Enter the reason, so the person knows what to do next")
    if len(reason) > REASON_MAX:
        raise VettingError(f"The reason must be {REASON_MAX} characters or fewer")
    user = _professional(session, user_id, actor)
    if user.approval_status == ApprovalStatus.REJECTED:
        return
    user.approval_status = ApprovalStatus.REJECTED
    user.is_active = False
    user.approval_decided_at = user.updated_at = clock()
    session.add(user)
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


def _professional(session: Session, user_id: int, actor: Actor) -> UserAccount:
    user = session.get(UserAccount, user_id)
    if user is None or user.role != UserRole.PROFESSIONAL:
        raise VettingError("That account no longer exists")
    if user.approval_status == ApprovalStatus.REJECTED and not user.is_active:
        return user
    if not user.is_active:
        raise VettingError("That account has been disabled")
    return user


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
