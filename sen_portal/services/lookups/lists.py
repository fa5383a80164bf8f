"""Lookup lists: seeding from shipped CSV files, type-ahead search, and checks.

A list is identified by its ``list_key`` (see the constants below). Shipped lists
live in ``sen_portal/data/lookups/*.csv`` with the columns ``value,label``; the
row order is the display order. Seeding is idempotent and never overwrites what
staff have changed: existing values keep their label, order and active flag.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select

from sen_portal.inbound import InboundRefused, check_text, has_unstorable, tidy
from sen_portal.models.lookups import LookupEntry

PROFESSIONAL_ROLE = "professional_role"
SETTING = "setting"
DOCUMENT_TYPE = "document_type"

LOOKUP_DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "lookups"
SHIPPED_LISTS: dict[str, Path] = {
    PROFESSIONAL_ROLE: LOOKUP_DATA_DIR / "professional_roles.csv",
    SETTING: LOOKUP_DATA_DIR / "settings.csv",
    DOCUMENT_TYPE: LOOKUP_DATA_DIR / "document_types.csv",
}

# Gaps between sort orders let staff slot an entry in between without renumbering.
_SORT_STEP = 10
_VALUE_MAX = 100
_LABEL_MAX = 200
_QUERY_MAX = 100
_WORD = re.compile(r"\w+")


class LookupDataError(ValueError):
    """A shipped lookup CSV is malformed; the message names the file and row."""


@dataclass(frozen=True)
class LookupOption:
    value: str
    label: str


def seed_lookup_list(session: Session, list_key: str, csv_path: Path | str) -> int:
    """Insert the values in ``csv_path`` that ``list_key`` does not have yet; returns how many were added.

    Existing values are left exactly as they are (staff may have reworded,
    reordered or retired them), so running this on every start is safe.
    """
    rows = _read_lookup_csv(Path(csv_path))
    statement = select(LookupEntry.value, LookupEntry.sort_order).where(LookupEntry.list_key == list_key)
    orders: dict[str, int] = {value: order for value, order in session.exec(statement).all()}
    added = 0
    previous = 0
    for index, (value, label) in enumerate(rows):
        if value in orders:
            previous = orders[value]
            continue
        # Slot a new value in after the one before it in the file, before the next one already held.
        following = next((orders[later] for later, _ in rows[index + 1 :] if later in orders), None)
        if following is None or following <= previous:
            order = previous + _SORT_STEP
        else:
            order = previous + max(1, (following - previous) // 2)
        session.add(LookupEntry(list_key=list_key, value=value, label=label, sort_order=order))
        orders[value] = previous = order
        added += 1
    if added:
        session.flush()
    return added


def _read_lookup_csv(path: Path) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"value", "label"} <= {name.strip() for name in reader.fieldnames}:
            raise LookupDataError(f"{path.name}: the first row must be the header value,label")
        rows: list[tuple[str, str]] = []
        seen: set[str] = set()
        for number, row in enumerate(reader, start=2):
            cleaned = {(key or "").strip(): (text or "").strip() for key, text in row.items() if isinstance(text, str)}
            value, label = cleaned.get("value", ""), cleaned.get("label", "")
            if not value and not label:
                continue
            if has_unstorable(value) or has_unstorable(label):
                raise LookupDataError(f"{path.name} row {number}: contains characters we cannot store")
            value, label = tidy(value), tidy(label)
            if not value or not label:
                raise LookupDataError(f"{path.name} row {number}: both value and label are needed")
            if len(value) > _VALUE_MAX or len(label) > _LABEL_MAX:
                raise LookupDataError(f"{path.name} row {number}: value or label is too long")
            if value in seen:
                raise LookupDataError(f"{path.name} row {number}: the value {value!r} appears twice")
            seen.add(value)
            rows.append((value, label))
    return rows


def search_lookup(session: Session, list_key: str, query: str, limit: int = 10) -> list[LookupOption]:
    """Active entries matching what the user has typed, best matches first.

    Case-insensitive. Ranked: label starts with the query, then every typed
    word starts a word of the label ("se" finds "SENCO" before "School nurse"),
    then the typed words appear anywhere. Ties keep the list's own order. An
    empty query offers the start of the list.
    """
    query = " ".join(query.split())[:_QUERY_MAX].lower()
    if limit <= 0:
        return []
    if not query:
        return active_options(session, list_key)[:limit]
    statement = select(LookupEntry).where(LookupEntry.list_key == list_key, col(LookupEntry.is_active).is_(True))
    for token in query.split(" "):
        statement = statement.where(func.lower(LookupEntry.label).contains(token, autoescape=True))
    entries = session.exec(statement).all()
    typed_words = _WORD.findall(query)

    def rank(entry: LookupEntry) -> tuple[int, int, str]:
        label = entry.label.lower()
        if label.startswith(query):
            tier = 0
        elif typed_words and all(_starts_a_word(label, word) for word in typed_words):
            tier = 1
        else:
            tier = 2
        return tier, entry.sort_order, label

    return [LookupOption(entry.value, entry.label) for entry in sorted(entries, key=rank)[:limit]]


def _starts_a_word(label: str, typed: str) -> bool:
    return any(word.startswith(typed) for word in _WORD.findall(label))


def active_options(session: Session, list_key: str) -> list[LookupOption]:
    """Every active entry of the list, in display order."""
    statement = (
        select(LookupEntry)
        .where(LookupEntry.list_key == list_key, col(LookupEntry.is_active).is_(True))
        .order_by(col(LookupEntry.sort_order), col(LookupEntry.label))
    )
    return [LookupOption(entry.value, entry.label) for entry in session.exec(statement).all()]


def is_active_value(session: Session, list_key: str, value: str) -> bool:
    """True when ``value`` may be chosen now (it exists in the list and is not retired)."""
    statement = select(LookupEntry.id).where(
        LookupEntry.list_key == list_key, LookupEntry.value == value, col(LookupEntry.is_active).is_(True)
    )
    return session.exec(statement).first() is not None


def label_for(session: Session, list_key: str, value: str) -> str | None:
    """The label of ``value`` even when it is retired (old records still show it), or None if unknown."""
    statement = select(LookupEntry.label).where(LookupEntry.list_key == list_key, LookupEntry.value == value)
    return session.exec(statement).first()


# ---- staff keep the lists (the lookup lists page) ------------------------------------------------

_LIST_KEY = re.compile(r"[a-z][a-z0-9_]{0,49}")


class LookupChangeRefused(ValueError):
    """A change the lists cannot take (blank label, unknown entry, bad list name); the message says why."""


def list_keys(session: Session) -> list[str]:
    """The shipped lists and every list staff have started, shipped ones first."""
    held = session.exec(select(LookupEntry.list_key).distinct()).all()
    return [*SHIPPED_LISTS, *sorted(set(held) - set(SHIPPED_LISTS))]


def all_entries(session: Session, list_key: str) -> list[LookupEntry]:
    """Every entry of a list, retired ones included, in display order."""
    statement = (
        select(LookupEntry)
        .where(LookupEntry.list_key == list_key)
        .order_by(col(LookupEntry.sort_order), col(LookupEntry.label))
    )
    return list(session.exec(statement).all())


def _clean_label(label: str) -> str:
    try:  # the inbound gate: unstorable characters refused, bidi/zero-width removed, length checked whole
        label = check_text(label, label="The name", max_length=_LABEL_MAX)
    except InboundRefused as refused:
        raise LookupChangeRefused(refused.message) from None
    if not label:
        raise LookupChangeRefused("Enter the entry's name")
    return label


def add_entry(session: Session, *, list_key: str, label: str, now: datetime) -> LookupEntry:
    """A new entry at the end of the list (a new list when ``list_key`` has none yet).

    Its stored value is made from the label once and never changes: renaming later
    only changes what people read, so answers already given keep their meaning.
    """
    if not _LIST_KEY.fullmatch(list_key):
        raise LookupChangeRefused("A list name is lower-case letters, digits and underscores, like school_phase")
    label = _clean_label(label)
    entries = all_entries(session, list_key)
    if any(entry.label.casefold() == label.casefold() for entry in entries):
        raise LookupChangeRefused(f"The list already has {label!r}")
    from sen_portal.forms.designer import slug, unique_name  # the same naming as form questions

    value = unique_name(slug(label, fallback="entry")[:_VALUE_MAX], {entry.value for entry in entries})
    order = max((entry.sort_order for entry in entries), default=0) + _SORT_STEP
    entry = LookupEntry(list_key=list_key, value=value, label=label, sort_order=order, created_at=now, updated_at=now)
    session.add(entry)
    session.flush()
    return entry


def _entry(session: Session, list_key: str, value: str) -> LookupEntry:
    entry = session.exec(
        select(LookupEntry).where(LookupEntry.list_key == list_key, LookupEntry.value == value)
    ).first()
    if entry is None:
        raise LookupChangeRefused("That entry does not exist")
    return entry


def rename_entry(session: Session, *, list_key: str, value: str, label: str, now: datetime) -> LookupEntry:
    """A new label; the value stored on records stays the same."""
    entry = _entry(session, list_key, value)
    entry.label = _clean_label(label)
    entry.updated_at = now
    session.add(entry)
    session.flush()
    return entry


def set_retired(session: Session, *, list_key: str, value: str, retired: bool, now: datetime) -> LookupEntry:
    """Retire (no longer offered; old records still show it) or bring back an entry."""
    entry = _entry(session, list_key, value)
    entry.is_active = not retired
    entry.updated_at = now
    session.add(entry)
    session.flush()
    return entry
