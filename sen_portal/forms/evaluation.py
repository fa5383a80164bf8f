"""One pass over a form and its answers, shared by validate, clean, render_plan and summary_rows.

Fields are visited in form order. Each visible field's raw answer is parsed
(and, for the sections being checked, its rules run); the parsed values of
visible fields are what later conditions see. Hidden fields are skipped
entirely, so they are never required, never checked and never stored.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sen_portal.forms.conditions import is_visible
from sen_portal.forms.fields.common import (
    CheckContext,
    Invalid,
    Lookups,
    cannot_store,
    clean_line,
    holds_unstorable,
    message,
    plural,
)
from sen_portal.forms.registry import REGISTRY
from sen_portal.forms.schema import GROUP_HARD_LIMIT, FormDefinition, GroupField, Section

_COUNCIL_TIME = ZoneInfo("Europe/London")


def council_today(now: datetime | None = None) -> date:
    """Today in England: "in the past" must not flip at midnight UTC during British Summer Time.

    ``now`` (aware) lets services pass their injected clock, so tests can move "today".
    """
    return (now or datetime.now(_COUNCIL_TIME)).astimezone(_COUNCIL_TIME).date()


@dataclass
class Evaluated:
    """A visible field: where it is, what was given, what it parsed to, and what is wrong with it."""

    path: str  # the answer's address and error key: "child_first_name", "parents[0].name"
    section: Section
    field: Any
    raw: Any
    value: Any = None  # the stored form; None when unanswered or unreadable
    errors: list[str] = field(default_factory=list)
    items: list[list[Evaluated]] = field(default_factory=list)  # a group's visible members, per item
    group_label: str = ""  # "Parent or carer 1" for a group member


def evaluate(
    definition: FormDefinition,
    answers: Mapping[str, Any] | None,
    *,
    context: CheckContext | None = None,
    check_sections: Collection[str] = (),
    lookups: Lookups | None = None,
) -> list[Evaluated]:
    """The visible fields of the whole form, in order; with ``context``, errors for ``check_sections``.

    ``lookups`` with value -> label mappings let a lookup list's label, typed
    out in full, count as its value (see ``_lookup_value``).
    """
    answers = answers if isinstance(answers, Mapping) else {}
    lookups = lookups or {}
    top_fields = {f.name: f for section in definition.sections for f in section.fields}
    values: dict[str, Any] = {}
    visited: list[Evaluated] = []
    for section in definition.sections:
        checking = context if section.key in check_sections else None
        for item in section.fields:
            if not is_visible(item, values, top_fields):
                continue
            raw = answers.get(item.name)
            if isinstance(item, GroupField):
                visited.append(_group(item, raw, section, values, top_fields, checking, lookups))
                continue
            evaluated = Evaluated(path=item.name, section=section, field=item, raw=raw)
            if REGISTRY[item.type].kind == "answer":
                evaluated.value, evaluated.errors = _answer(item, raw, checking, lookups)
                if evaluated.value is not None:
                    values[item.name] = evaluated.value
            visited.append(evaluated)
    return visited


def _lookup_value(item: Any, raw: Any, lookups: Lookups) -> Any:
    """The value whose label ``raw`` spells out, for fields on a lookup list; else ``raw`` as it is.

    A type-ahead offers labels, so a label can arrive where a value belongs
    (typed in full, or picked by a browser's own suggestion list).
    """
    labels = lookups.get(getattr(item, "lookup", None) or "")
    if not isinstance(labels, Mapping) or not isinstance(raw, str) or raw in labels:
        return raw
    wanted = clean_line(raw).casefold()
    return next((value for value, label in labels.items() if str(label).casefold() == wanted), raw)


def _answer(item: Any, raw: Any, context: CheckContext | None, lookups: Lookups) -> tuple[Any, list[str]]:
    handler = REGISTRY[item.type]
    if holds_unstorable(raw):  # the inbound gate, for every field type: refused, never silently dropped
        return None, [cannot_store(item)] if context else []
    raw = _lookup_value(item, raw, lookups)
    value = None
    if not handler.is_empty(raw):
        try:
            value = handler.parse(item, raw)
        except Invalid as problem:
            return None, problem.messages if context else []
        if handler.is_empty(value):  # e.g. only control characters were typed
            value = None
    if value is None:
        missing = context is not None and item.required
        return None, [message(item, "required", handler.required_default)] if missing else []
    return value, handler.check(item, value, context) if context else []


def _group(
    group: GroupField,
    raw: Any,
    section: Section,
    outer_values: Mapping[str, Any],
    outer_fields: Mapping[str, Any],
    context: CheckContext | None,
    lookups: Lookups,
) -> Evaluated:
    raw_items = raw[:GROUP_HARD_LIMIT] if isinstance(raw, list) else []
    member_fields = {member.name: member for member in group.fields}
    evaluated = Evaluated(path=group.name, section=section, field=group, raw=raw)
    stored: list[dict[str, Any]] = []
    for index, raw_item in enumerate(raw_items):
        given = raw_item if isinstance(raw_item, Mapping) else {}
        local: dict[str, Any] = {}
        members: list[Evaluated] = []
        for member in group.fields:
            if not is_visible(member, local, member_fields, outer_values, outer_fields):
                continue
            path = f"{group.name}[{index}].{member.name}"
            entry = Evaluated(path=path, section=section, field=member, raw=given.get(member.name))
            entry.group_label = f"{group.item_label} {index + 1}"
            if REGISTRY[member.type].kind == "answer":
                entry.value, entry.errors = _answer(member, entry.raw, context, lookups)
                if entry.value is not None:
                    local[member.name] = entry.value
            members.append(entry)
        evaluated.items.append(members)
        stored.append(local)
    evaluated.value = stored or None
    if context is not None:
        evaluated.errors = _count_errors(group, len(raw) if isinstance(raw, list) else 0)
    return evaluated


def _count_errors(group: GroupField, count: int) -> list[str]:
    if count < group.min_items:
        wording = f"{{label}} must include at least {plural(group.min_items, 'entry', 'entries')}"
        return [message(group, "min_items", wording, min_items=group.min_items)]
    if count > group.max_items:
        wording = f"{{label}} can include at most {plural(group.max_items, 'entry', 'entries')}"
        return [message(group, "max_items", wording, max_items=group.max_items)]
    return []
