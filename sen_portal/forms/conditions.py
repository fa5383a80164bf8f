"""``show_if``: whether a field is shown, given the answers before it.

A condition names an earlier field (an earlier member of the same group item,
or an earlier field anywhere in the form); loading refuses anything else, which
also rules out cycles. A field whose target is itself hidden is hidden too,
because hidden answers never reach the values a condition sees.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sen_portal.forms.field_models import ShowIf
from sen_portal.forms.fields.common import Invalid
from sen_portal.forms.registry import REGISTRY


def _as_stored(target: Any, value: Any) -> Any:
    """A condition value the way ``target`` stores answers ("YES" -> "yes", "3" -> 3); Invalid if it cannot be."""
    handler = REGISTRY[target.type]
    if target.type == "checkboxes":
        return handler.parse(target, [value])[0]  # a condition names one option; the answer is a list
    return handler.parse(target, value)


def impossible_values(condition: ShowIf, target: Any) -> list[Any]:
    """The condition's values that ``target`` could never hold (a load-time mistake)."""
    impossible = []
    for value in condition.values:
        try:
            _as_stored(target, value)
        except (Invalid, IndexError):
            impossible.append(value)
    return impossible


def condition_holds(condition: ShowIf, target: Any, value: Any) -> bool:
    """True when the target's stored ``value`` matches; a missing answer never matches."""
    if value is None:
        return False
    expected = []
    for wanted in condition.values:
        try:
            expected.append(_as_stored(target, wanted))
        except (Invalid, IndexError):
            continue
    if isinstance(value, list):
        return any(item in value for item in expected)
    return value in expected


def is_visible(
    field: Any,
    local_values: Mapping[str, Any],
    local_fields: Mapping[str, Any],
    outer_values: Mapping[str, Any] | None = None,
    outer_fields: Mapping[str, Any] | None = None,
) -> bool:
    """Whether ``field`` shows, looking its condition's target up in its own scope first, then the form's."""
    condition = field.show_if
    if condition is None:
        return True
    if condition.field in local_fields:
        return condition_holds(condition, local_fields[condition.field], local_values.get(condition.field))
    if outer_fields is not None and outer_values is not None and condition.field in outer_fields:
        return condition_holds(condition, outer_fields[condition.field], outer_values.get(condition.field))
    return False  # loading refuses conditions on unknown fields; never show what we cannot decide


def condition_targets(definition: Any) -> frozenset[str]:
    """The names some ``show_if`` looks at (form fields, or group members by their own name).

    Changing any other answer cannot show or hide anything, so a page need not be re-planned for it.
    """
    names: set[str] = set()
    for section in definition.sections:
        for field in section.fields:
            for item in (field, *getattr(field, "fields", ())):
                if item.show_if is not None:
                    names.add(item.show_if.field)
    return frozenset(names)


def may_change_visibility(definition: Any, path: str) -> bool:
    """Whether changing the answer at ``path`` ("looked_after", "parents[0].relationship") can show or hide a field."""
    targets = condition_targets(definition)
    root = path.split("[", 1)[0].split(".", 1)[0]
    member = path.rsplit(".", 1)[-1].split("[", 1)[0]
    return root in targets or member in targets
