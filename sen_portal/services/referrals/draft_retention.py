"""Draft requests are not kept for ever: untouched for ``DRAFT_RETENTION_DAYS`` they are deleted.

A draft holds a child's details and documents that nobody at the council has asked for yet, so
keeping it indefinitely is hard to justify (UK GDPR storage limitation). "Untouched" is
``Referral.updated_at``: every save of a section moves it. The owner is emailed
``DELETION_NOTICE`` before (one email per untouched period, recorded in
``Referral.deletion_warned_at``); a save after that email starts a new period, and a draft is
never deleted without its owner having been warned at least ``DELETION_NOTICE`` earlier, even when
housekeeping did not run for a while. Run from ``services.platform.housekeeping``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, or_, update
from sqlmodel import Session, col, select

from sen_portal import routes
from sen_portal.config import Settings
from sen_portal.email.referral_emails import draft_deletion_warning_email
from sen_portal.models import Referral, UserAccount
from sen_portal.models.documents import ContainerKind
from sen_portal.models.referrals import ReferralStatus
from sen_portal.routes import absolute_url
from sen_portal.services.documents import streaming as documents
from sen_portal.services.platform import audit
from sen_portal.services.platform.branding import branding
from sen_portal.services.platform.clock import Clock, system_clock
from sen_portal.services.platform.outbox import enqueue
from sen_portal.services.referrals.statutory_dates import local_date

log = logging.getLogger(__name__)

DELETION_NOTICE = timedelta(days=14)


@dataclass(frozen=True)
class RetentionReport:
    warned: int
    deleted: int


def apply_retention(session: Session, settings: Settings, *, clock: Clock = system_clock) -> RetentionReport:
    """Delete the drafts whose time is up, then warn the owners of those whose time is near."""
    deleted = delete_expired_drafts(session, settings, clock=clock)
    warned = warn_owners(session, settings, clock=clock)
    return RetentionReport(warned=warned, deleted=deleted)


def _not_warned_since_saved() -> ColumnElement[bool]:
    warned = col(Referral.deletion_warned_at)
    return or_(warned.is_(None), warned < col(Referral.updated_at))


def warn_owners(session: Session, settings: Settings, *, clock: Clock = system_clock) -> int:
    """Queue one email per draft untouched for ``DRAFT_RETENTION_DAYS - 14`` days and not yet warned."""
    now = clock()
    retention = timedelta(days=settings.draft_retention_days)
    due = session.exec(
        select(Referral.id, Referral.updated_at, UserAccount.email)
        .join(UserAccount, col(UserAccount.id) == col(Referral.owner_user_id))
        .where(
            col(Referral.status) == ReferralStatus.DRAFT,
            col(Referral.updated_at) <= now - (retention - DELETION_NOTICE),
            _not_warned_since_saved(),
        )
        .order_by(col(Referral.id))
    ).all()
    warned = 0
    for referral_id, updated_at, email in due:
        # Conditional on nothing having changed since the read: a save in between, or a second
        # housekeeping run on another machine, must not lead to a wrong date or a second email.
        claimed = session.exec(
            update(Referral)
            .where(
                col(Referral.id) == referral_id,
                col(Referral.status) == ReferralStatus.DRAFT,
                col(Referral.updated_at) == updated_at,
                _not_warned_since_saved(),
            )
            .values(deletion_warned_at=now)
        )
        if claimed.rowcount != 1:
            continue
        delete_at = max(updated_at + retention, now + DELETION_NOTICE)
        enqueue(
            session,
            draft_deletion_warning_email(
                to=email,
                delete_on=local_date(delete_at),
                link=absolute_url(settings, routes.MY_REFERRALS),
                branding=branding(settings),
            ),
            clock=clock,
        )
        warned += 1
        log.info("referral %s: owner warned that the untouched draft will be deleted", referral_id)
    return warned


def delete_expired_drafts(session: Session, settings: Settings, *, clock: Clock = system_clock) -> int:
    """Delete drafts untouched for ``DRAFT_RETENTION_DAYS`` whose owner was warned 14 or more days ago."""
    now = clock()
    untouched_since = now - timedelta(days=settings.draft_retention_days)
    expired = (
        col(Referral.status) == ReferralStatus.DRAFT,
        col(Referral.updated_at) <= untouched_since,
        col(Referral.deletion_warned_at) >= col(Referral.updated_at),
        col(Referral.deletion_warned_at) <= now - DELETION_NOTICE,
    )
    due = session.exec(
        select(Referral.id, Referral.public_id, Referral.owner_user_id, Referral.updated_at)
        .where(*expired)
        .order_by(col(Referral.id))
    ).all()
    deleted = 0
    for referral_id, public_id, owner_user_id, updated_at in due:
        # The same conditions again, in the DELETE itself: a save that lands first keeps the draft.
        gone = session.exec(delete(Referral).where(col(Referral.id) == referral_id, *expired))
        if gone.rowcount != 1:
            continue
        files = _delete_documents(session, settings, referral_id=referral_id or 0, clock=clock)
        # Codes and counts only: the audit log never holds a child's name or an answer.
        audit.record(
            session,
            action=audit.AuditAction.DRAFT_DELETED,
            object_type="referral",
            object_id=public_id,
            detail={
                "reason": "retention",
                "owner_user_id": owner_user_id,
                "documents_deleted": files,
                "untouched_days": _days(now, updated_at),
            },
            clock=clock,
        )
        deleted += 1
        log.info("referral %s: untouched draft deleted with %d document(s)", referral_id, files)
    session.flush()
    return deleted


def _delete_documents(session: Session, settings: Settings, *, referral_id: int, clock: Clock) -> int:
    """The same removal as the owner's own "Remove" on the upload page: files go once this commits."""
    stored = documents.documents_in(session, container_kind=ContainerKind.REFERRAL, container_id=referral_id)
    for document in stored:
        removed = documents.mark_deleted(
            session,
            settings,
            public_id=document.public_id,
            can_delete=lambda d: d.container_kind == ContainerKind.REFERRAL and d.container_id == referral_id,
            clock=clock,
        )
        # The row stays as a record that a file existed; its name (often the child's) goes with the draft.
        removed.original_name = ""
        session.add(removed)
    return len(stored)


def _days(now: datetime, then: datetime) -> int:
    return (now - then).days
