"""Changing a dict of answers the way a renderer needs to: by path, adding and removing group items, prefill.

Every function returns a new dict and leaves its input alone (a Reflex state
var must be reassigned to update the page). Paths are checked against the
definition: the browser can send any path, and only real fields may be set.

Paths: ``name``, ``name.part`` (a date's day/month/year, an address's
line1/line2/town/postcode/uprn), ``group[index].member`` and
``group[index].member.part``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sen_portal.forms.fields.address import ADDRESS_PARTS
from sen_portal.forms.fields.dates import PARTS as DATE_PARTS
from sen_portal.forms.registry import REGISTRY
from sen_portal.forms.schema import GROUP_HARD_LIMIT, FormDefinition, GroupField

_PATH = re.compile(
    r"(?P<name>[a-z][a-z0-9_]*)(?:\[(?P<index>\d{1,3})\]\.(?P<member>[a-z][a-z0-9_]*))?(?:\.(?P<part>[a-z0-9]+))?"
)
_PARTS = {"date": DATE_PARTS, "address": ADDRESS_PARTS}
_MAX_TEXT = 20_000


def _top_field(definition: FormDefinition, name: str) -> Any:
    for section in definition.sections:
        for item in section.fields:
            if item.name == name:
                return item
    raise KeyError(name)


def _plain(value: Any) -> Any:
    """Only what inputs send (text, a yes/no boolean, numbers, lists of text, parts as text), bounded in size."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value[:_MAX_TEXT]
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return [item[:_MAX_TEXT] for item in value[:500]]
    # A whole date or address at once (the address finder fills every part when one is picked).
    if isinstance(value, Mapping) and len(value) <= 10 and all(isinstance(v, str) for v in value.values()):
        return {str(key)[:20]: text[:500] for key, text in value.items()}
    raise TypeError(f"an answer cannot be a {type(value).__name__}")


def set_answer(definition: FormDefinition, answers: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """``answers`` with the answer at ``path`` replaced by ``value`` (as typed; validate/clean read it later).

    Raises ValueError for a malformed path or a part the field does not have,
    KeyError for a field the form does not have, IndexError for a group item
    that does not exist, TypeError for a value no input sends.
    """
    match = _PATH.fullmatch(path or "")
    if match is None:
        raise ValueError(f"not an answer path: {path!r}")
    name, index, member_name, part = match.group("name", "index", "member", "part")
    field = _top_field(definition, name)
    updated = dict(answers)
    if index is None:
        if isinstance(field, GroupField) or REGISTRY[field.type].kind != "answer":
            raise ValueError(f"{name!r} has no answer of its own")
        _put(updated, name, field, part, value)
        return updated
    if not isinstance(field, GroupField):
        raise ValueError(f"{name!r} is not a repeatable group")
    member = next((m for m in field.fields if m.name == member_name), None)
    if member is None or REGISTRY[member.type].kind != "answer":
        raise KeyError(f"{name}.{member_name}")
    items = _items(updated.get(name))
    if int(index) >= len(items):
        raise IndexError(f"{name} has no item {index}")
    items[int(index)] = dict(items[int(index)])
    _put(items[int(index)], member_name, member, part, value)
    updated[name] = items
    return updated


def _put(container: dict[str, Any], key: str, field: Any, part: str | None, value: Any) -> None:
    if part is None:
        container[key] = _plain(value)
        return
    if part not in _PARTS.get(field.type, ()):
        raise ValueError(f"{field.type} answers have no part {part!r}")
    if not isinstance(value, str):
        raise TypeError("a part of an answer is text")
    parts = REGISTRY[field.type].to_input(field, container.get(key))  # a stored ISO date becomes parts again
    parts[part] = value[:500]
    container[key] = parts


def _items(raw: Any) -> list[dict[str, Any]]:
    return [dict(item) if isinstance(item, Mapping) else {} for item in raw] if isinstance(raw, list) else []


def add_group_item(definition: FormDefinition, answers: Mapping[str, Any], group_name: str) -> dict[str, Any]:
    """``answers`` with an empty item added to the group; unchanged when the group is full."""
    group = _group(definition, group_name)
    items = _items(answers.get(group_name))
    updated = dict(answers)
    if len(items) < min(group.max_items, GROUP_HARD_LIMIT):
        updated[group_name] = [*items, {}]
    return updated


def remove_group_item(
    definition: FormDefinition, answers: Mapping[str, Any], group_name: str, index: int
) -> dict[str, Any]:
    """``answers`` without item ``index`` of the group; unchanged when there is no such item."""
    _group(definition, group_name)
    items = _items(answers.get(group_name))
    updated = dict(answers)
    if 0 <= index < len(items):
        updated[group_name] = items[:index] + items[index + 1 :]
    return updated


def _group(definition: FormDefinition, name: str) -> GroupField:
    field = _top_field(definition, name)
    if not isinstance(field, GroupField):
        raise ValueError(f"{name!r} is not a repeatable group")
    return field


def prefill(definition: FormDefinition, answers: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """``answers`` with each unanswered field that names a ``prefill`` key found in ``values`` filled from it.

    E.g. ``values={"account.email": user.email, ...}`` fills every field with
    ``prefill: account.email``; what the user already answered is kept.
    """
    updated = dict(answers)
    for section in definition.sections:
        for item in section.fields:
            key = getattr(item, "prefill", None)
            if not key or key not in values:
                continue
            handler = REGISTRY[item.type]
            if handler.is_empty(updated.get(item.name)) and not handler.is_empty(values[key]):
                updated[item.name] = values[key]
    return updated
