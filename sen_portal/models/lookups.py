"""Lookup lists staff keep: professional roles, settings (schools, teams), document types.

One generic table holds every list, told apart by ``list_key``. ``value`` is the
stable code stored on other records; ``label`` is what people read and staff may
reword. Entries are retired (``is_active`` false), never deleted, so old records
still show a label for the value they hold.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from sen_portal.models.types import UTCDateTime, utcnow


class LookupEntry(SQLModel, table=True):
    __tablename__ = "lookup_entry"
    __table_args__ = (
        UniqueConstraint("list_key", "value", name="uq_lookup_entry_list_value"),
        Index("ix_lookup_entry_list_active", "list_key", "is_active"),
    )

    id: int | None = Field(default=None, primary_key=True)
    list_key: str = Field(max_length=50)
    value: str = Field(max_length=100)
    label: str = Field(max_length=200)
    sort_order: int = Field(default=0)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
