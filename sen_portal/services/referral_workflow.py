"""The council's side of a referral: who may move it where, who works on it, who looked at it.

Every function takes the acting member of staff as an ``Actor`` and re-reads their account:
a disabled account or a professional is refused here too, whatever the page did. Each change
writes its timeline row and its audit line in the caller's transaction, so they commit together.
Audit details hold codes and ids only (never the note, the reason or the child's name).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy import update
from sqlmodel import Session, col, select

from sen_portal.models import Referral, ReferralStatusChange, UserAccount
from sen_portal.models.accounts import STAFF_ROLES
from sen_portal.models.referrals import ReferralStatus as S
from sen_portal.services import audit
from sen_portal.services.audit import Actor
from sen_portal.services.clock import Clock, system_clock

log = logging.getLogger(__name__)

NOTE_MAX = 2000

# The statutory route (SEND Code of Practice ch. 9). "More information requested" hands the
# referral back to the referrer; once it is back, staff carry on considering it.
TRANSITIONS: Mapping[str, tuple[str, ...]] = {
    S.SUBMITTED: (S.RECEIVED, S.MORE_INFORMATION_REQUESTED),
    S.RECEIVED: (S.UNDER_CONSIDERATION, S.MORE_INFORMATION_REQUESTED),
    S.UNDER_CONSIDERATION: (S.AGREED_TO_ASSESS, S.DECLINED, S.MORE_INFORMATION_REQUESTED),
    S.MORE_INFORMATION_REQUESTED: (S.UNDER_CONSIDERATION,),
    S.AGREED_TO_ASSESS: (S.ASSESSMENT,),
    S.ASSESSMENT: (S.DRAFT_PLAN,),
    S.DRAFT_PLAN: (S.FINAL_PLAN,),
    S.DECLINED: (),
    S.FINAL_PLAN: (),
}

STATUS_LABELS: Mapping[str, str] = {
    S.DRAFT: "Draft",
    S.SUBMITTED: "Submitted",
    S.RECEIVED: "Received",
    S.UNDER_CONSIDERATION: "Under consideration",
    S.MORE_INFORMATION_REQUESTED: "More information requested",
    S.AGREED_TO_ASSESS: "Agreed to assess",
    S.DECLINED: "Declined to assess",
    S.ASSESSMENT: "Assessment",
    S.DRAFT_PLAN: "Draft plan",
    S.FINAL_PLAN: "Final plan issued",
}

# Which statutory deadline is running: the decision (6 weeks) until it is made, then the final plan (20 weeks).
AWAITING_DECISION = (S.SUBMITTED, S.RECEIVED, S.UNDER_CONSIDERATION, S.MORE_INFORMATION_REQUESTED)
AWAITING_PLAN = (S.AGREED_TO_ASSESS, S.ASSESSMENT, S.DRAFT_PLAN)


class WorkflowRefused(ValueError):
    """The change is not allowed; ``errors`` is keyed by form field (WTForms shape) for the page."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("referral change refused")
        self.errors = errors


class ReferralNotFound(LookupError):
    """No sent referral with that public id (drafts are the professional's, not staff's)."""


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def allowed_next(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


def sent_referral(session: Session, public_id: str) -> Referral:
    referral = session.exec(select(Referral).where(col(Referral.public_id) == (public_id or "")[:32])).first()
    if referral is None or referral.status == S.DRAFT or referral.received_at is None:
        raise ReferralNotFound(public_id)
    return referral


def staff_account(session: Session, actor: Actor) -> UserAccount:
    """The actor's account, if it is an active staff one (defence in depth behind the page's check)."""
    user = session.get(UserAccount, actor.user_id)
    if user is None or not user.is_active or user.role not in STAFF_ROLES:
        log.warning("referral workflow refused to user %s", actor.user_id)
        raise WorkflowRefused({"_form": ["Only council staff can do this"]})
    return user


def change_status(
    session: Session,
    *,
    referral_public_id: str,
    actor: Actor,
    to_status: str,
    note: str = "",
    reason: str = "",
    clock: Clock = system_clock,
) -> Referral:
    """Move a referral one step along ``TRANSITIONS``; declining needs a reason, asking for more information a note."""
    staff_account(session, actor)
    referral = sent_referral(session, referral_public_id)
    from_status = referral.status
    note, reason = (note or "").strip()[:NOTE_MAX], (reason or "").strip()[:NOTE_MAX]
    if to_status not in allowed_next(from_status):
        raise WorkflowRefused(
            {"to_status": [f"A referral that is {status_label(from_status).lower()} cannot move there"]}
        )
    if to_status == S.DECLINED and not reason:
        raise WorkflowRefused({"reason": ["Enter the reason for declining to assess"]})
    if to_status == S.MORE_INFORMATION_REQUESTED and not note:
        raise WorkflowRefused({"note": ["Enter what information is needed (the referrer will see this note)"]})
    now = clock()
    values: dict[str, object] = {"status": to_status, "updated_at": now}
    if to_status in (S.DECLINED, S.AGREED_TO_ASSESS):
        values["decision_reason"] = reason
    # Conditional on the status we read, so two caseworkers moving it at once cannot both succeed.
    moved = session.exec(
        update(Referral).where(col(Referral.id) == referral.id, col(Referral.status) == from_status).values(**values)
    )
    if moved.rowcount != 1:
        raise WorkflowRefused({"to_status": ["Someone else has just changed this referral: reload the page"]})
    session.add(
        ReferralStatusChange(
            referral_id=referral.id or 0,
            from_status=from_status,
            to_status=to_status,
            actor_user_id=actor.user_id,
            note=reason if to_status == S.DECLINED and not note else note,
            changed_at=now,
        )
    )
    _audit(
        session,
        audit.AuditAction.REFERRAL_STATUS_CHANGED,
        actor,
        referral,
        {"from": from_status, "to": to_status},
        clock,
    )
    session.flush()
    session.refresh(referral)
    log.info("referral %s: %s -> %s by user %s", referral.id, from_status, to_status, actor.user_id)
    return referral


def caseworkers(session: Session) -> list[UserAccount]:
    """Everyone a referral can be assigned to: active caseworkers and admins, by name."""
    return list(
        session.exec(
            select(UserAccount)
            .where(col(UserAccount.role).in_(STAFF_ROLES), col(UserAccount.is_active).is_(True))
            .order_by(col(UserAccount.first_name), col(UserAccount.last_name), col(UserAccount.email))
        )
    )


def assign(
    session: Session, *, referral_public_id: str, actor: Actor, caseworker_id: int | None, clock: Clock = system_clock
) -> Referral:
    """Give the referral to a caseworker (or admin); ``None`` leaves it unassigned."""
    staff_account(session, actor)
    referral = sent_referral(session, referral_public_id)
    if caseworker_id is not None:
        target = session.get(UserAccount, caseworker_id)
        if target is None or not target.is_active or target.role not in STAFF_ROLES:
            raise WorkflowRefused({"caseworker": ["Choose a caseworker from the list"]})
    referral.assigned_to_user_id = caseworker_id
    referral.updated_at = clock()
    session.add(referral)
    _audit(session, audit.AuditAction.REFERRAL_ASSIGNED, actor, referral, {"assigned_to": caseworker_id}, clock)
    session.flush()
    return referral


def record_view(session: Session, *, referral_public_id: str, actor: Actor, clock: Clock = system_clock) -> Referral:
    """Note that a member of staff opened the referral (reading a child's record is accountable too)."""
    staff_account(session, actor)
    referral = sent_referral(session, referral_public_id)
    _audit(session, audit.AuditAction.REFERRAL_VIEWED, actor, referral, {}, clock)
    return referral


def timeline(session: Session, referral_id: int) -> list[tuple[ReferralStatusChange, UserAccount | None]]:
    rows = session.exec(
        select(ReferralStatusChange, UserAccount)
        .join(UserAccount, col(UserAccount.id) == col(ReferralStatusChange.actor_user_id), isouter=True)
        .where(col(ReferralStatusChange.referral_id) == referral_id)
        .order_by(col(ReferralStatusChange.changed_at), col(ReferralStatusChange.id))
    )
    return list(rows.all())


def _audit(
    session: Session,
    action: audit.AuditAction,
    actor: Actor,
    referral: Referral,
    detail: Mapping[str, audit.DetailValue],
    clock: Clock,
) -> None:
    audit.record(
        session,
        action=action,
        actor_user_id=actor.user_id,
        actor_email=actor.email,
        object_type="referral",
        object_id=referral.reference or referral.public_id,
        client_ip=actor.client_ip,
        detail=dict(detail),
        clock=clock,
    )
