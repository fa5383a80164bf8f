"""Maintenance notices: a banner before and during a planned window, optionally pausing sign-in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from sen_portal.models.types import UTCDateTime, utcnow

NOTICE_TITLE_MAX = 120
NOTICE_BODY_MAX = 2000


class MaintenanceNotice(SQLModel, table=True):
    __tablename__ = "maintenance_notice"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=NOTICE_TITLE_MAX)
    body: str = Field(max_length=NOTICE_BODY_MAX)
    starts_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    # Professionals cannot sign in during the window (staff still can: they run the maintenance).
    pause_sign_in: bool = Field(default=False)
    created_by_user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # Set by the first "Email portal users": a second click does not email everyone twice.
    emailed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
