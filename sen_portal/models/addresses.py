"""The local address gazetteer: addresses the postcode finder offers.

Loaded from a CSV export (AddressBase, the council's LLPG, or the demo file) with
``python -m sen_portal.cli import-addresses``; each address is keyed by its UPRN,
so a later import updates rows in place instead of duplicating them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from sen_portal.models.types import UTCDateTime, utcnow


class Address(SQLModel, table=True):
    __tablename__ = "address"
    __table_args__ = (
        UniqueConstraint("uprn", name="uq_address_uprn"),
        Index("ix_address_postcode", "postcode"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Unique Property Reference Number: up to 12 digits, kept as text (leading zeros, no arithmetic).
    uprn: str = Field(max_length=12)
    line1: str = Field(max_length=200)
    line2: str = Field(default="", max_length=200)
    line3: str = Field(default="", max_length=200)
    town: str = Field(max_length=100)
    # Normalised by services.postcodes ("ST4 1HH"), so an equality match finds it.
    postcode: str = Field(max_length=8)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
