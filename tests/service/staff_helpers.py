"""Shared pieces for the staff workflow and inbox tests: staff accounts and sent referrals."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime

from sqlmodel import Session, select

from sen_portal.models import AuditEvent, FormVersion, Referral, UserAccount
from sen_portal.services.platform.audit import Actor
from sen_portal.services.platform.seed import install_shipped_forms
from sen_portal.services.referrals.referral_intake import name_key
from sen_portal.services.referrals.statutory_dates import StatutoryDates

RECEIVED = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # a Friday
TODAY = date(2026, 12, 1)


def person(session: Session, email: str, role: str, first: str = "Casey", last: str = "Worker") -> UserAccount:
    user = UserAccount(email=email, role=role, first_name=first, last_name=last)
    session.add(user)
    session.flush()
    return user


def actor_for(user: UserAccount) -> Actor:
    assert user.id is not None
    return Actor(user_id=user.id, email=user.email, client_ip="192.0.2.1")


def ehc_version(session: Session) -> FormVersion:
    install_shipped_forms(session)
    return session.exec(select(FormVersion)).one()


def sent(
    session: Session,
    owner: UserAccount,
    *,
    reference: str,
    child: str = "Jamie Rivers",
    status: str = "submitted",
    received_at: datetime = RECEIVED,
    setting: str = "Hanley Park Primary School",
    assigned: UserAccount | None = None,
    dob: date | None = date(2016, 3, 5),
) -> Referral:
    """A referral as submit leaves it (inbox columns filled), without going through the form."""
    dates = StatutoryDates.for_request(received_at)
    referral = Referral(
        public_id=secrets.token_urlsafe(16),
        reference=reference,
        form_version_id=ehc_version(session).id or 0,
        owner_user_id=owner.id or 0,
        status=status,
        child_name=child,
        child_name_key=name_key(child),
        child_dob=dob,
        setting_name=setting,
        submitted_at=received_at,
        received_at=received_at,
        decision_due_on=dates.decision_due_on,
        final_plan_due_on=dates.final_plan_due_on,
        assigned_to_user_id=assigned.id if assigned else None,
    )
    session.add(referral)
    session.flush()
    return referral


def audit_lines(session: Session, action: str) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))
