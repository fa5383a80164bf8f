"""Second step of signing in: login challenges (emailed code or authenticator app) and recovery codes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from sen_portal.models.types import UTCDateTime, utcnow


class ChallengeMethod(StrEnum):
    EMAIL = "email"
    TOTP = "totp"


class LoginChallenge(SQLModel, table=True):
    """One sign-in attempt between a correct password and a session.

    For the email method ``code_hash`` is an HMAC-SHA256 (server key) of the current
    6-digit code; a resend replaces it, so the old code stops working. For the
    authenticator-app method it stays empty. A challenge is finished when ``used_at``
    (success) or ``ended_at`` (expired, too many wrong codes, superseded) is set.
    """

    __tablename__ = "login_challenge"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    method: str = Field(default=ChallengeMethod.EMAIL, max_length=10)
    code_hash: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)  # of the current code
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    end_reason: str = Field(default="", max_length=20)
    wrong_attempts: int = Field(default=0)
    sends: int = Field(default=0)
    last_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RecoveryCode(SQLModel, table=True):
    """A single-use fallback for a lost authenticator app; only an HMAC of the code is stored."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="CASCADE"), index=True, nullable=False)
    )
    code_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
