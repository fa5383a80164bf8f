"""User accounts: professionals and council staff share one table, told apart by role."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from sen_portal.models.types import UTCDateTime, utcnow


class UserRole(StrEnum):
    PROFESSIONAL = "professional"
    CASEWORKER = "caseworker"
    ADMIN = "admin"


# Council staff: everyone who may use the staff pages. One definition for every check.
STAFF_ROLES: frozenset[str] = frozenset({UserRole.CASEWORKER.value, UserRole.ADMIN.value})


class ApprovalStatus(StrEnum):
    """Account vetting (ACCOUNT_VETTING): new professionals wait for staff before they can submit."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class UserAccount(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    # Stored normalised (lower-case domain, see services.emails) and unique.
    email: str = Field(max_length=254, sa_column_kwargs={"unique": True}, index=False)
    # None until the user sets a password (staff invited by the CLI).
    password_hash: str | None = Field(default=None, max_length=128)
    role: str = Field(default=UserRole.PROFESSIONAL, sa_column=Column(String(20), nullable=False))
    email_verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    is_active: bool = Field(default=True)
    # Existing accounts and staff count as approved; registration sets "pending" when vetting is on.
    approval_status: str = Field(
        default=ApprovalStatus.APPROVED,
        sa_column=Column(String(10), nullable=False, server_default=ApprovalStatus.APPROVED.value),
    )
    approval_decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    title: str = Field(default="", max_length=20)
    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=20)

    professional_role: str = Field(default="", max_length=100)
    professional_role_other: str = Field(default="", max_length=100)
    organisation: str = Field(default="", max_length=200)
    job_title: str = Field(default="", max_length=100)
    work_phone: str = Field(default="", max_length=20)
    address_line1: str = Field(default="", max_length=200)
    address_line2: str = Field(default="", max_length=200)
    address_town: str = Field(default="", max_length=100)
    address_postcode: str = Field(default="", max_length=10)
    address_uprn: str = Field(default="", max_length=12)

    maintenance_emails: bool = Field(default=False)
    # A new address waiting for its owner to click the confirmation link (services.account).
    pending_email: str | None = Field(default=None, max_length=254)

    # Authenticator app (services.totp). The secret is stored Fernet-encrypted with a key
    # derived from SECRET_KEY, so a database backup alone does not give away second factors.
    totp_secret: str | None = Field(default=None, max_length=255)
    totp_enabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The last 30-second time step accepted, so one code cannot be used twice.
    totp_last_step: int | None = Field(default=None)

    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
