"""Write and read the audit log (models.audit.AuditEvent).

Every feature that views or changes something worth accounting for calls
``record`` inside the same transaction as the change, so the log line and the
change commit (or roll back) together. The log is append-only: this module has
no update or delete.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import Session, col, select

from sen_portal.models.audit import AuditEvent
from sen_portal.services.platform.clock import Clock, system_clock


class AuditAction(StrEnum):
    """The closed list of things we log. Add here first, so the admin filter offers it."""

    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    ACCESS_REFUSED = "access_refused"
    REFERRAL_SUBMITTED = "referral_submitted"
    REFERRAL_VIEWED = "referral_viewed"
    REFERRAL_ASSIGNED = "referral_assigned"
    REFERRAL_STATUS_CHANGED = "referral_status_changed"
    DOCUMENT_DOWNLOADED = "document_downloaded"
    MESSAGE_SENT = "message_sent"
    MESSAGE_READ = "message_read"
    INBOX_EXPORTED = "inbox_exported"
    ACCOUNT_CREATED = "account_created"
    ACCOUNT_APPROVED = "account_approved"
    ACCOUNT_REJECTED = "account_rejected"
    ACCOUNT_DISABLED = "account_disabled"
    ACCOUNT_ENABLED = "account_enabled"
    ACCOUNT_CHANGED = "account_changed"
    NOTICE_SCHEDULED = "notice_scheduled"
    NOTICE_EMAILED = "notice_emailed"
    NOTICE_UNSUBSCRIBED = "notice_unsubscribed"
    LOOKUP_CHANGED = "lookup_changed"
    FORM_CHANGED = "form_changed"
    FORM_PUBLISHED = "form_published"
    NOTICE_ENDED = "notice_ended"
    DRAFT_DELETED = "draft_deleted"  # by housekeeping, after DRAFT_RETENTION_DAYS untouched


@dataclass(frozen=True)
class Actor:
    """Who is acting (from the signed-in session) and from where, as the audit log records them."""

    user_id: int
    email: str
    client_ip: str = ""


# Detail values are scalars only: nested structures invite copying whole records in.
DetailValue = str | int | bool | None


def record(
    session: Session,
    *,
    action: AuditAction,
    actor_user_id: int | None = None,
    actor_email: str = "",
    object_type: str = "",
    object_id: str | int = "",
    client_ip: str = "",
    outcome: str = "ok",
    detail: Mapping[str, DetailValue] | None = None,
    clock: Clock = system_clock,
) -> AuditEvent:
    """Add one line to the log in the caller's transaction (the caller commits)."""
    event = AuditEvent(
        occurred_at=clock(),
        actor_user_id=actor_user_id,
        actor_email=actor_email[:254],
        action=str(action),
        object_type=object_type,
        object_id=str(object_id)[:64],
        client_ip=client_ip[:64],
        outcome=outcome,
        detail={key: value for key, value in (detail or {}).items() if isinstance(value, str | int | bool | None)},
    )
    session.add(event)
    return event


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor_email: str = ""
    object_type: str = ""
    object_id: str = ""
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class AuditPage:
    events: Sequence[AuditEvent]
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


def search(session: Session, filters: AuditFilter, *, page: int = 1, page_size: int = 50) -> AuditPage:
    """Newest first, filtered; every filter uses an index (see the model)."""
    conditions = []
    if filters.action:
        conditions.append(col(AuditEvent.action) == filters.action)
    if filters.actor_email:
        conditions.append(col(AuditEvent.actor_email) == filters.actor_email.strip().lower())
    if filters.object_type:
        conditions.append(col(AuditEvent.object_type) == filters.object_type)
    if filters.object_id:
        conditions.append(col(AuditEvent.object_id) == filters.object_id.strip())
    if filters.since is not None:
        conditions.append(col(AuditEvent.occurred_at) >= filters.since)
    if filters.until is not None:
        conditions.append(col(AuditEvent.occurred_at) < filters.until)
    total = session.exec(select(func.count()).select_from(AuditEvent).where(*conditions)).one()
    page = max(1, page)
    events = session.exec(
        select(AuditEvent)
        .where(*conditions)
        .order_by(col(AuditEvent.occurred_at).desc(), col(AuditEvent.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return AuditPage(events=events, total=int(total), page=page, page_size=page_size)
