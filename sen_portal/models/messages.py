"""Portal messages: one thread per referral between the SEN team and the referring professional."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel

from sen_portal.models.types import UTCDateTime, utcnow

MESSAGE_MAX_CHARS = 5000


class MessageSide(StrEnum):
    """Who a message is from (and whose read marker / alert flag a column is)."""

    PROFESSIONAL = "professional"
    STAFF = "staff"


class MessageThread(SQLModel, table=True):
    """The conversation about one referral.

    Read markers and alert flags are per *side*, not per person: the SEN team shares one
    inbox, so any caseworker reading the thread reads it for the team. Markers are message
    ids (not times) so two messages in the same millisecond still count correctly. The
    ``*_alert_pending`` flags make the "one email until read" rule a conditional UPDATE,
    which only one of two concurrent posters can win on either database.
    """

    __tablename__ = "message_thread"

    id: int | None = Field(default=None, primary_key=True)
    # RESTRICT: messages are part of the referral's statutory record.
    referral_id: int = Field(
        sa_column=Column(Integer, ForeignKey("referral.id", ondelete="RESTRICT"), unique=True, nullable=False)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_message_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    professional_read_up_to: int = Field(default=0)
    staff_read_up_to: int = Field(default=0)
    professional_alert_pending: bool = Field(default=False)
    staff_alert_pending: bool = Field(default=False)


class PortalMessage(SQLModel, table=True):
    """One message. The body is plain text, rendered escaped; never logged or audited."""

    __tablename__ = "portal_message"
    __table_args__ = (Index("ix_portal_message_thread_id", "thread_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    thread_id: int = Field(
        sa_column=Column(Integer, ForeignKey("message_thread.id", ondelete="RESTRICT"), nullable=False)
    )
    # RESTRICT: accounts are disabled, never deleted, while they have messages on record.
    author_user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=False)
    )
    author_side: str = Field(max_length=20)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
