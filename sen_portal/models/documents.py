"""Uploaded documents: metadata here, the bytes in DOCUMENT_STORE_DIR (services.documents)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from sen_portal.models.types import UTCDateTime, utcnow


class ContainerKind(StrEnum):
    DRAFT = "draft"  # uploaded while a form is being filled in; not yet part of anything
    REFERRAL = "referral"
    MESSAGE = "message"


class ScanStatus(StrEnum):
    CLEAN = "clean"  # clamd said OK (infected files are never stored)
    NOT_SCANNED = "not_scanned"  # CLAMD_SOCKET not configured


class StoredDocument(SQLModel, table=True):
    """One uploaded file. ``public_id`` goes in URLs; the integer id never leaves the server."""

    __tablename__ = "stored_document"
    __table_args__ = (Index("ix_stored_document_container", "container_kind", "container_id"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=32, sa_column_kwargs={"unique": True})
    # RESTRICT, not CASCADE: documents on a referral are part of the council's statutory record
    # and outlive the uploader's account (accounts are deactivated, not deleted). A cascade would
    # also delete rows behind the service's back and leave their files on disk.
    owner_user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="RESTRICT"), index=True, nullable=False)
    )
    container_kind: str = Field(max_length=20)
    container_id: int | None = Field(default=None)  # None while a draft is not attached to anything
    slot: str = Field(default="", max_length=60)  # the form's document slot name
    document_type: str = Field(default="", max_length=60)
    original_name: str = Field(max_length=200)  # sanitised; shown to people, never used as a path
    content_type: str = Field(max_length=100)  # detected from the bytes, not what the browser said
    size_bytes: int = Field(sa_column=Column(BigInteger, nullable=False))
    sha256: str = Field(max_length=64)
    storage_name: str = Field(max_length=80, sa_column_kwargs={"unique": True})  # random file name on disk
    scan_status: str = Field(max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
