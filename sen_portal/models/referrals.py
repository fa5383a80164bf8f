"""Form versions (forms are data) and referrals (answers stored against the version they were given on)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from sen_portal.models.types import UTCDateTime, utcnow


class FormVersionStatus(StrEnum):
    DRAFT = "draft"
    LIVE = "live"
    ARCHIVED = "archived"


class ReferralStatus(StrEnum):
    """The statutory EHC workflow (SEND Code of Practice 9.14-9.16); services.referral_workflow says who follows whom."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RECEIVED = "received"
    UNDER_CONSIDERATION = "under_consideration"
    MORE_INFORMATION_REQUESTED = "more_information_requested"
    AGREED_TO_ASSESS = "agreed_to_assess"
    DECLINED = "declined"
    ASSESSMENT = "assessment"
    DRAFT_PLAN = "draft_plan"
    FINAL_PLAN = "final_plan"


class FormVersion(SQLModel, table=True):
    """One version of a form definition; a referral always points at the version it was answered on."""

    __tablename__ = "form_version"
    __table_args__ = (UniqueConstraint("form_key", "version", name="uq_form_version_key_version"),)

    id: int | None = Field(default=None, primary_key=True)
    form_key: str = Field(max_length=60, index=True)
    version: int
    status: str = Field(default=FormVersionStatus.DRAFT, max_length=10)
    title: str = Field(max_length=200)
    reference_prefix: str = Field(max_length=10)
    definition: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Who made, last changed and published this version (emails, like the audit log, so they outlive
    # accounts); the audit log holds every single change, these answer "who and when" at a glance.
    created_by_email: str = Field(default="", max_length=254)
    changed_by_email: str = Field(default="", max_length=254)
    changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_by_email: str = Field(default="", max_length=254)


class Referral(SQLModel, table=True):
    """A request from a professional: a draft until submitted, then it gets its reference."""

    __tablename__ = "referral"
    # The staff inbox filters and sorts on these; every inbox query is one indexed SELECT.
    __table_args__ = (
        Index("ix_referral_owner_status", "owner_user_id", "status"),
        Index("ix_referral_status_received", "status", "received_at"),
        Index("ix_referral_assigned_received", "assigned_to_user_id", "received_at"),
        Index("ix_referral_received_at", "received_at"),
        Index("ix_referral_decision_due_on", "decision_due_on"),
        # The "overdue" view: (status in awaiting-decision and decision due before today) or (status
        # in awaiting-plan and plan due before today); one range scan per status on each.
        Index("ix_referral_status_decision_due", "status", "decision_due_on"),
        Index("ix_referral_status_plan_due", "status", "final_plan_due_on"),
        Index("ix_referral_setting_name", "setting_name"),
        Index("ix_referral_child_key_dob", "child_name_key", "child_dob"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Random, used in URLs: integer ids would invite guessing other people's referrals.
    public_id: str = Field(max_length=32, sa_column_kwargs={"unique": True})
    reference: str | None = Field(default=None, max_length=30, sa_column_kwargs={"unique": True})
    form_version_id: int = Field(
        sa_column=Column(Integer, ForeignKey("form_version.id", ondelete="RESTRICT"), nullable=False)
    )
    # RESTRICT: a referral is a statutory record; an account with referrals is disabled, never deleted.
    owner_user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="RESTRICT"), nullable=False)
    )
    status: str = Field(default=ReferralStatus.DRAFT, max_length=30)
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    completed_sections: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Denormalised from the answers for the staff inbox (search by name) and for duplicate checks.
    child_name: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # When housekeeping emailed the owner that this untouched draft will be deleted (DRAFT_RETENTION_DAYS).
    # Compared with updated_at: a save after the warning starts a new period, and a new warning.
    deletion_warned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # ---- staff workflow: copied from the answers at submit (services.referral_intake) so the
    # inbox never opens the JSON answers, and kept on the row the inbox reads.
    assigned_to_user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True)
    )
    # casefolded, accents and punctuation removed: the inbox search and the duplicate check compare this
    child_name_key: str = Field(default="", max_length=200)
    child_dob: date | None = Field(default=None)
    setting_name: str = Field(default="", max_length=200)
    received_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_due_on: date | None = Field(default=None)
    final_plan_due_on: date | None = Field(default=None)
    possible_duplicate: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    decision_reason: str = Field(default="", max_length=2000)


class ReferralStatusChange(SQLModel, table=True):
    """One step of a referral's timeline (the audit log says the same in codes; this keeps the note)."""

    __tablename__ = "referral_status_change"
    __table_args__ = (Index("ix_referral_status_change_referral", "referral_id", "changed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(sa_column=Column(Integer, ForeignKey("referral.id", ondelete="CASCADE"), nullable=False))
    from_status: str = Field(max_length=30)
    to_status: str = Field(max_length=30)
    # SET NULL: the timeline outlives a removed staff account (the audit log keeps the email).
    actor_user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True)
    )
    note: str = Field(default="", max_length=2000)
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ReferenceCounter(SQLModel, table=True):
    """The last number handed out per prefix and year (EHC-2026-000123)."""

    __tablename__ = "reference_counter"

    prefix: str = Field(max_length=10, primary_key=True)
    year: int = Field(primary_key=True)
    last_number: int = Field(default=0)
