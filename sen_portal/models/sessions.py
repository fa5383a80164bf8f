"""Server-side sign-in sessions and the one-time tickets that create them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from sen_portal.models.types import UTCDateTime, utcnow


class UserSession(SQLModel, table=True):
    """A signed-in browser. Only the SHA-256 of its cookie token is stored."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)  # absolute limit
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ip: str = Field(default="", max_length=45)
    user_agent: str = Field(default="", max_length=200)


class SignInTicket(SQLModel, table=True):
    """Bridges a completed sign-in on the websocket to the HttpOnly cookie set by a backend route."""

    __tablename__ = "sign_in_ticket"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False))
    ticket_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
