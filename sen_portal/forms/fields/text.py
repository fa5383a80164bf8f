"""Typed-in answers: text, long_text, email, uk_phone and number."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sen_portal.forms.field_models import (
    LONG_TEXT_HARD_LIMIT,
    EmailField,
    LongTextField,
    NumberField,
    TextField,
    UkPhoneField,
)
from sen_portal.forms.fields.common import (
    CheckContext,
    DisplayContext,
    FieldType,
    Invalid,
    as_text,
    clean_line,
    clean_paragraphs,
    message,
)
from sen_portal.inbound.emails import EMAIL_FORMAT, normalise_email
from sen_portal.inbound.phones import PHONE_FORMAT, normalise_uk_phone

# Beyond this many characters nothing is kept at all, whatever the field allows: the cap on what
# one answer may cost us to store. Within it, a too-long answer is kept so the user can shorten it.
_KEEP_AT_MOST = LONG_TEXT_HARD_LIMIT
# Numbers this large are not answers to any question on our forms, and refusing them early stops
# "1e999999999" from becoming a gigantic int.
_NUMBER_DIGITS = 15


def _too_long(field: Any, limit: int) -> str:
    return message(field, "max_length", "{label} must be {max_length} characters or fewer", max_length=limit)


def _text(field: TextField | LongTextField, raw: Any, *, multiline: bool) -> str:
    text = as_text(raw)
    if text is None:
        raise Invalid(message(field, "required", "Enter {label_lower}"))
    if len(text) > _KEEP_AT_MOST:
        raise Invalid(_too_long(field, field.max_length))
    return clean_paragraphs(text) if multiline else clean_line(text)


def _length_rule(field: TextField | LongTextField, value: str, context: CheckContext) -> list[str]:
    return [_too_long(field, field.max_length)] if len(value) > field.max_length else []


def _as_is(field: Any, value: Any, context: DisplayContext) -> str:
    return str(value)


TEXT = FieldType(
    type="text",
    parse=lambda field, raw: _text(field, raw, multiline=False),
    check=_length_rule,
    display=_as_is,
    message_keys=frozenset({"required", "max_length"}),
)

LONG_TEXT = FieldType(
    type="long_text",
    parse=lambda field, raw: _text(field, raw, multiline=True),
    check=_length_rule,
    display=_as_is,
    message_keys=frozenset({"required", "max_length"}),
)


def _parse_email(field: EmailField, raw: Any) -> str:
    address = normalise_email(as_text(raw))
    if address is None:
        raise Invalid(message(field, "invalid", EMAIL_FORMAT))
    return address


EMAIL = FieldType(
    type="email",
    parse=_parse_email,
    display=_as_is,
    message_keys=frozenset({"required", "invalid"}),
)


def _parse_phone(field: UkPhoneField, raw: Any) -> str:
    number = normalise_uk_phone(as_text(raw))
    if number is None:
        raise Invalid(message(field, "invalid", PHONE_FORMAT))
    return number


UK_PHONE = FieldType(
    type="uk_phone",
    parse=_parse_phone,
    display=_as_is,
    message_keys=frozenset({"required", "invalid"}),
)


def _parse_number(field: NumberField, raw: Any) -> int | float:
    text = as_text(raw)
    not_a_number = message(field, "invalid", "{label} must be a number")
    if text is None or len(text) > 40:
        raise Invalid(not_a_number)
    try:
        # Commas and spaces are how people group thousands ("1,200"); neither changes the number.
        number = Decimal(text.replace(",", "").replace(" ", "").strip())
    except InvalidOperation:
        raise Invalid(not_a_number) from None
    if not number.is_finite():
        raise Invalid(not_a_number)
    if number != 0 and number.adjusted() >= _NUMBER_DIGITS:
        raise Invalid(_too_large(field, number))
    whole = number == number.to_integral_value()
    if field.integer_only and not whole:
        raise Invalid(message(field, "integer", "{label} must be a whole number"))
    return int(number) if whole else float(number)


def _too_large(field: NumberField, number: Decimal) -> str:
    """A huge number is out of range: said in the definition's own range wording when it has a bound.

    The question's label is often a whole question ("How many ... have been completed?"); its
    range message is the short, specific wording the form's author wrote for exactly this.
    """
    bound = field.max if number > 0 else field.min
    if "too_large" not in field.messages and bound is not None:
        beyond = bound + 1 if number > 0 else bound - 1
        problems = _number_rules(field, beyond, None)  # type: ignore[arg-type]  # context is not used
        if problems:
            return problems[0]
    return message(field, "too_large", "{label} must be a smaller number")


def _number_rules(field: NumberField, value: int | float, context: CheckContext) -> list[str]:
    low, high = field.min, field.max
    if low is not None and high is not None and not low <= value <= high:
        params = {"min": _number_text(low), "max": _number_text(high)}
        return [message(field, "range", "{label} must be between {min} and {max}", **params)]
    if low is not None and value < low:
        return [message(field, "min", "{label} must be {min} or more", min=_number_text(low))]
    if high is not None and value > high:
        return [message(field, "max", "{label} must be {max} or less", max=_number_text(high))]
    return []


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return format(Decimal(str(value)), "f") if isinstance(value, float) else str(value)


def _number_input(raw: Any) -> str:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return _number_text(raw)
    return raw if isinstance(raw, str) else ""  # what was typed, to be corrected


NUMBER = FieldType(
    type="number",
    parse=_parse_number,
    check=_number_rules,
    display=lambda field, value, context: _number_text(value),
    to_input=lambda field, raw: _number_input(raw),
    message_keys=frozenset({"required", "invalid", "integer", "too_large", "range", "min", "max"}),
)
