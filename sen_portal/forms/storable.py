"""What of a draft's raw answers may be written to the database, field by field.

Drafts keep answers *as typed* (nothing is lost to a validation error), so the raw values
reach a JSON column. A value that cannot be stored there -- text the inbound gate refuses
(lone surrogates, NUL, ...), a number that is not finite (bare ``NaN`` is not JSON), keys an
object type does not define (``__proto__`` on an address) -- must not stop the other fields
being saved: that one field is left out (its error is shown beside it by validate()) and
the rest of the section is stored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sen_portal.forms.fields.common import holds_unstorable
from sen_portal.forms.registry import REGISTRY
from sen_portal.forms.schema import FormDefinition, GroupField
from sen_portal.inbound import only_keys


def _storable_scalar(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, str | int | bool)


def _object_keys(field: Any) -> tuple[str, ...]:
    """The parts an object-shaped answer has (address: line1...; date: day, month, year), or () for none.

    Read from the type's own input shape, so a new object type needs no change here.
    """
    shape = REGISTRY[field.type].to_input(field, {})
    return tuple(shape) if isinstance(shape, dict) else ()


def _storable_value(field: Any, value: Any) -> tuple[bool, Any]:
    """(keep?, the value reduced to what its type defines)."""
    if holds_unstorable(value):
        return False, None
    if isinstance(value, Mapping):
        keys = _object_keys(field)
        if not keys:
            return False, None  # this type never answers with an object
        reduced = only_keys(value, keys)
        return all(_storable_scalar(part) for part in reduced.values()), reduced
    if isinstance(value, list):
        kept = [item for item in value if _storable_scalar(item)]
        return len(kept) == len(value), kept
    return _storable_scalar(value), value


def storable_answers(definition: FormDefinition, answers: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """(the answers safe to store, the paths left out). Keys the form does not have are left out too."""
    fields = {f.name: f for section in definition.sections for f in section.fields}
    stored: dict[str, Any] = {}
    left_out: list[str] = []
    for name, value in answers.items():
        field = fields.get(name)
        if field is None:
            continue
        if isinstance(field, GroupField):
            stored[name] = _group(field, value, left_out)
            continue
        keep, reduced = _storable_value(field, value)
        if keep:
            stored[name] = reduced
        else:
            left_out.append(name)
    return stored, left_out


def _group(group: GroupField, value: Any, left_out: list[str]) -> list[dict[str, Any]]:
    members = {m.name: m for m in group.fields}
    items: list[dict[str, Any]] = []
    for index, item in enumerate(value if isinstance(value, list) else []):
        kept: dict[str, Any] = {}
        for name, member_value in (item if isinstance(item, Mapping) else {}).items():
            member = members.get(name)
            if member is None:
                continue
            keep, reduced = _storable_value(member, member_value)
            if keep:
                kept[name] = reduced
            else:
                left_out.append(f"{group.name}[{index}].{name}")
        items.append(kept)
    return items
