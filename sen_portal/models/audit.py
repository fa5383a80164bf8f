"""The audit log: an append-only record of who did what, when and from where."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from sen_portal.models.types import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    """One line of the audit log. Never updated or deleted by the application.

    ``detail`` holds identifiers and codes only (a reference, a status, a field
    count) — never a child's name, an answer or a message body, so the log can
    be shared with auditors without becoming a second store of personal data.
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_occurred_at", "occurred_at"),
        Index("ix_audit_event_actor", "actor_user_id", "occurred_at"),
        Index("ix_audit_event_object", "object_type", "object_id"),
        Index("ix_audit_event_action", "action", "occurred_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # No foreign key: the log must outlive (and never block the removal of) what it mentions.
    actor_user_id: int | None = Field(default=None)
    actor_email: str = Field(default="", max_length=254)
    action: str = Field(max_length=60)
    object_type: str = Field(default="", max_length=40)
    object_id: str = Field(default="", max_length=64)
    client_ip: str = Field(default="", max_length=64)
    outcome: str = Field(default="ok", max_length=20)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
