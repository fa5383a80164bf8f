"""Import addresses from a CSV file into the local gazetteer (the ``address`` table).

Format (UTF-8, a header row, extra columns ignored)::

    uprn,line1,line2,line3,town,postcode
    999000000001,12 High Street,Hanley,,Stoke-on-Trent,ST1 1AA

``uprn`` (1–12 digits), ``line1``, ``town`` and ``postcode`` are required;
``line2`` and ``line3`` may be empty or left out. Postcodes are normalised
("st11aa" becomes "ST1 1AA"). A row whose UPRN is already held updates that
address. Rows are numbered as a spreadsheet shows them: the header is row 1.
Rows are checked and saved in batches of 500 (one query per batch finds the
UPRNs already held), so a city-wide AddressBase extract imports in one pass.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from sen_portal.models.addresses import Address
from sen_portal.models.types import utcnow
from sen_portal.services.postcodes import normalise_postcode


class AddressImportError(ValueError):
    """The CSV file as a whole cannot be imported (unreadable, or required columns missing)."""


COLUMNS = ("uprn", "line1", "line2", "line3", "town", "postcode")
REQUIRED_COLUMNS = ("uprn", "line1", "town", "postcode")
_LIMITS = {"line1": 200, "line2": 200, "line3": 200, "town": 100}
_UPRN = re.compile(r"\d{1,12}")
_BATCH = 500


@dataclass(frozen=True)
class RejectedRow:
    row: int
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"row {self.row}: {'; '.join(self.reasons)}"


@dataclass
class ImportReport:
    rows_read: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"read {self.rows_read}, imported {self.imported}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {len(self.rejected)}"
        )


def import_addresses_csv(session: Session, path: Path | str) -> ImportReport:
    """Load addresses from a CSV file (format in the module docstring); a known UPRN updates its row."""
    path = Path(path)
    report = ImportReport()
    seen: dict[str, int] = {}
    batch: list[dict[str, str]] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = {(name or "").strip().lower() for name in reader.fieldnames or []}
            missing = [name for name in REQUIRED_COLUMNS if name not in columns]
            if missing:
                raise AddressImportError(
                    f"the file needs the columns {','.join(COLUMNS)} (missing: {', '.join(missing)})"
                )
            for number, raw in enumerate(reader, start=2):
                row = {
                    (key or "").strip().lower(): (value or "").strip()
                    for key, value in raw.items()
                    if isinstance(value, str)
                }
                if not any(row.values()):
                    continue  # blank lines at the end of a spreadsheet export
                report.rows_read += 1
                reasons = _check_row(row)
                uprn = row.get("uprn", "")
                if not reasons and uprn in seen:
                    reasons = [f"UPRN {uprn} is also on row {seen[uprn]}"]
                if reasons:
                    report.rejected.append(RejectedRow(number, tuple(reasons)))
                    continue
                seen[uprn] = number
                batch.append(row)
                if len(batch) >= _BATCH:
                    _save_batch(session, batch, report)
                    batch = []
    except UnicodeDecodeError:
        raise AddressImportError("the file is not UTF-8 text (save it from the spreadsheet as CSV UTF-8)") from None
    except csv.Error as error:
        raise AddressImportError(f"the file is not valid CSV: {error}") from None
    _save_batch(session, batch, report)
    return report


def _check_row(row: dict[str, str]) -> list[str]:
    reasons: list[str] = []
    uprn = row.get("uprn", "")
    if not uprn:
        reasons.append("missing UPRN")
    elif not _UPRN.fullmatch(uprn):
        reasons.append(f"UPRN must be 1 to 12 digits, got {uprn[:20]!r}")
    for name in ("line1", "town"):
        if not row.get(name):
            reasons.append(f"missing {name}")
    for name, limit in _LIMITS.items():
        if len(row.get(name, "")) > limit:
            reasons.append(f"{name} is longer than {limit} characters")
    postcode = row.get("postcode", "")
    if not postcode:
        reasons.append("missing postcode")
    elif normalise_postcode(postcode) is None:
        reasons.append(f"invalid postcode {postcode[:20]!r}")
    return reasons


def _save_batch(session: Session, batch: list[dict[str, str]], report: ImportReport) -> None:
    if not batch:
        return
    uprns = [row["uprn"] for row in batch]
    existing = {address.uprn: address for address in session.exec(select(Address).where(col(Address.uprn).in_(uprns)))}
    now = utcnow()
    for row in batch:
        values: dict[str, Any] = {  # Any: the model's keyword types are checked per field, not per dict
            "line1": row["line1"],
            "line2": row.get("line2", ""),
            "line3": row.get("line3", ""),
            "town": row["town"],
            "postcode": normalise_postcode(row["postcode"]) or "",
        }
        address = existing.get(row["uprn"])
        if address is None:
            session.add(Address(uprn=row["uprn"], created_at=now, updated_at=now, **values))
            report.imported += 1
        elif any(getattr(address, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(address, name, value)
            address.updated_at = now
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
