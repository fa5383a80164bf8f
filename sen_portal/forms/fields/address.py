"""Postal addresses: {line1, line2, town, postcode, uprn}, as the address finder or manual entry fills them.

Parsing only tidies the parts (so ``clean()`` never throws away a half-typed
address); the GOV.UK address-pattern rules are checks. The postcode is stored
in its canonical form when it is a real one. ``uprn`` is kept only when it is
1-12 digits: it comes from the finder, never from the user's keyboard.
"""

from __future__ import annotations

from typing import Any

from sen_portal.forms.field_models import AddressField
from sen_portal.forms.fields.common import CheckContext, FieldType, Invalid, as_text, clean_line, message
from sen_portal.inbound.postcodes import normalise_postcode, postcode_error

ADDRESS_PARTS = ("line1", "line2", "town", "postcode", "uprn")
_TYPED_PARTS = ("line1", "line2", "town", "postcode")
LINE_MAX = 100


def _part(raw: dict[str, Any], key: str) -> str:
    return clean_line(as_text(raw.get(key)) or "")  # never cut: the length rule reports a long line


def _is_empty(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, dict):
        return not any(_part(raw, key) for key in _TYPED_PARTS)
    return isinstance(raw, str) and not raw.strip()


def _parse(field: AddressField, raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise Invalid(message(field, "required", "Enter {label_lower}"))
    parts = {key: _part(raw, key) for key in ADDRESS_PARTS}
    parts["postcode"] = normalise_postcode(parts["postcode"]) or parts["postcode"]
    uprn = parts["uprn"]
    parts["uprn"] = uprn if uprn.isascii() and uprn.isdigit() and len(uprn) <= 12 else ""
    return parts


def _rules(field: AddressField, value: dict[str, str], context: CheckContext) -> list[str]:
    problems: list[str] = []
    if not value["line1"]:
        problems.append(message(field, "line1", "Enter address line 1, typically the building and street"))
    if not value["town"]:
        problems.append(message(field, "town", "Enter town or city"))
    wrong_postcode = postcode_error(value["postcode"])
    if wrong_postcode:
        problems.append(message(field, "postcode", wrong_postcode))
    for key, name in (("line1", "Address line 1"), ("line2", "Address line 2"), ("town", "Town or city")):
        if len(value[key]) > LINE_MAX:
            problems.append(message(field, "max_length", f"{name} must be {LINE_MAX} characters or fewer"))
    return problems


def one_line(value: dict[str, str]) -> str:
    """The parts people read, in order: "12 High Street, Hanley, Stoke-on-Trent, ST1 1AA"."""
    return ", ".join(value[key] for key in _TYPED_PARTS if value.get(key))


def _to_input(field: AddressField, raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        return dict.fromkeys(ADDRESS_PARTS, "")
    return {key: as_text(raw.get(key)) or "" for key in ADDRESS_PARTS}


ADDRESS = FieldType(
    type="address",
    parse=_parse,
    check=_rules,
    display=lambda field, value, context: one_line(value),
    to_input=_to_input,
    is_empty=_is_empty,
    message_keys=frozenset({"required", "line1", "town", "postcode", "max_length"}),
    condition_target=False,
)
