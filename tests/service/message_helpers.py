"""Shared pieces for the message and maintenance service tests: users and submitted referrals."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlmodel import Session, col, select

from sen_portal.models import FormVersion, OutboxMessage, Referral, UserAccount
from tests.service.account_helpers import START

# Unusual names, so finding one in an email cannot be a coincidence.
CHILD_NAME = "Zephyrine Quillfeather"


def user(session: Session, email: str, *, role: str = "professional", **extra: object) -> UserAccount:
    values: dict = {"email_verified_at": START - timedelta(days=30), **extra}
    account = UserAccount(email=email, role=role, first_name="Pat", last_name=email.split("@")[0].title(), **values)
    session.add(account)
    session.commit()
    return account


def referral(session: Session, owner: UserAccount, *, status: str = "submitted", number: int = 1) -> Referral:
    version = session.exec(select(FormVersion)).first()
    if version is None:
        version = FormVersion(
            form_key="ehc_needs_assessment",
            version=1,
            status="live",
            title="EHC",
            reference_prefix="EHC",
            definition={},
        )
        session.add(version)
        session.flush()
    row = Referral(
        public_id=secrets.token_urlsafe(16),
        reference=f"EHC-2026-{number:06d}" if status != "draft" else None,
        form_version_id=version.id or 0,
        owner_user_id=owner.id or 0,
        status=status,
        child_name=CHILD_NAME,
        submitted_at=START if status != "draft" else None,
    )
    session.add(row)
    session.commit()
    return row


def outbox(session: Session, *, to: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(col(OutboxMessage.id))
    if to is not None:
        query = query.where(col(OutboxMessage.to_address) == to)
    return list(session.exec(query).all())
