"""Dates entered as day, month and year (GOV.UK date input), stored as ISO "2016-03-05".

Reading follows the GOV.UK date input guidance: say which part is missing
("must include a month"), accept month names ("March", "mar"), require a
4-digit year, then say "must be a real date". Rules that depend on today
(in_past, ages) are checks, so ``clean()`` keeps a well-formed date that breaks
them and ``validate()`` reports it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sen_portal.forms.field_models import DateField
from sen_portal.forms.fields.common import CheckContext, FieldType, Invalid, as_text, message

PARTS = ("day", "month", "year")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_NUMBERS = {name.lower(): number for number, name in enumerate(MONTHS, start=1)}
_MONTH_NUMBERS.update({name[:3].lower(): number for number, name in enumerate(MONTHS, start=1)})
_MONTH_NUMBERS["sept"] = 9
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def format_date(value: date) -> str:
    """GOV.UK style: "5 March 2016" (no leading zero, month in full)."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _parts(raw: Any) -> dict[str, str]:
    if isinstance(raw, datetime):
        raw = raw.date()
    if isinstance(raw, date):
        return {"day": str(raw.day), "month": str(raw.month), "year": str(raw.year)}
    if isinstance(raw, str):
        match = _ISO.fullmatch(raw.strip())
        if match:
            year, month, day = match.groups()
            return {"day": str(int(day)), "month": str(int(month)), "year": year}
        return {"day": "", "month": "", "year": ""}
    if isinstance(raw, dict):
        return {part: (as_text(raw.get(part)) or "").strip()[:20] for part in PARTS}
    return {"day": "", "month": "", "year": ""}


def _is_empty(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, dict):
        return not any((as_text(raw.get(part)) or "").strip() for part in PARTS)
    return False


def _parse(field: DateField, raw: Any) -> str:
    if isinstance(raw, datetime):
        return raw.date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    real_date = message(field, "invalid", "{label} must be a real date")
    if isinstance(raw, str):  # a stored answer; inputs send parts
        text = raw.strip()
        if not _ISO.fullmatch(text):
            raise Invalid(real_date)
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise Invalid(real_date) from None
    if not isinstance(raw, dict):
        raise Invalid(real_date)
    parts = _parts(raw)
    missing = [part for part in PARTS if not parts[part]]
    if missing:
        words = " and ".join(missing) if len(missing) < 3 else "day, month and year"
        raise Invalid(message(field, "incomplete", "{label} must include a {missing}", missing=words))
    day = int(parts["day"]) if parts["day"].isdigit() and parts["day"].isascii() else None
    month_text = parts["month"].lower()
    month = int(month_text) if month_text.isdigit() and month_text.isascii() else _MONTH_NUMBERS.get(month_text)
    if not (parts["year"].isdigit() and parts["year"].isascii() and len(parts["year"]) == 4):
        raise Invalid(message(field, "year_digits", "Year must include 4 numbers"))
    if day is None or month is None:
        raise Invalid(real_date)
    try:
        return date(int(parts["year"]), month, day).isoformat()
    except ValueError:
        raise Invalid(real_date) from None


def age_in_years(born: date, on: date) -> int:
    """Completed years between ``born`` and ``on`` (a birthday on 29 February counts from 1 March)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _rules(field: DateField, value: str, context: CheckContext) -> list[str]:
    when, today = date.fromisoformat(value), context.today
    problems: list[str] = []
    if field.in_past and not when < today:
        problems.append(message(field, "in_past", "{label} must be in the past"))
    if field.in_future and not when > today:
        problems.append(message(field, "in_future", "{label} must be in the future"))
    if field.not_before and when < field.not_before:
        limit = format_date(field.not_before)
        problems.append(message(field, "not_before", "{label} must be the same as or after {date}", date=limit))
    if field.not_after and when > field.not_after:
        limit = format_date(field.not_after)
        problems.append(message(field, "not_after", "{label} must be the same as or before {date}", date=limit))
    if when <= today:  # ages only mean something for dates that have happened
        age = age_in_years(when, today)
        if field.min_age_years is not None and age < field.min_age_years:
            problems.append(
                message(field, "min_age", "{label} must be at least {years} years ago", years=field.min_age_years)
            )
        if field.max_age_years is not None and age > field.max_age_years:
            default = "{label} must be for someone aged {years} or under"
            problems.append(message(field, "max_age", default, years=field.max_age_years))
    return problems[:1]  # one message at a time, the most basic first (GOV.UK)


DATE = FieldType(
    type="date",
    parse=_parse,
    check=_rules,
    display=lambda field, value, context: format_date(date.fromisoformat(value)),
    to_input=lambda field, raw: _parts(raw),
    is_empty=_is_empty,
    message_keys=frozenset(
        {
            "required",
            "incomplete",
            "invalid",
            "year_digits",
            "in_past",
            "in_future",
            "not_before",
            "not_after",
            "min_age",
            "max_age",
        }
    ),
)
