"""Emailed one-time links and the database-backed rate limiter."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from sen_portal.models.types import UTCDateTime, utcnow


class EmailToken(SQLModel, table=True):
    """A link sent by email (verify_email; later reset_password, change_email).

    Only the SHA-256 of the token is stored; ``used_at`` makes it single use.
    """

    __tablename__ = "email_token"
    __table_args__ = (Index("ix_email_token_user_purpose", "user_id", "purpose"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False))
    purpose: str = Field(max_length=30)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PendingPasswordHash(SQLModel, table=True):
    """A registering professional's password hash, waiting between the account step and the final submit.

    Kept here rather than in page state (stored server-side for an hour, by tab, issue 12): the page
    holds only a random handle, of which this row keeps the SHA-256. Short-lived; housekeeping prunes.
    """

    __tablename__ = "pending_password_hash"

    id: int | None = Field(default=None, primary_key=True)
    handle_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    password_hash: str = Field(max_length=255)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)


class RateLimitEvent(SQLModel, table=True):
    """One counted attempt in a sliding-window bucket such as "register:ip:192.0.2.1".

    In the database (not in process memory) so every worker shares the counts and
    they survive a restart.
    """

    __tablename__ = "rate_limit_event"
    __table_args__ = (Index("ix_rate_limit_event_bucket_created", "bucket", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    bucket: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
