"""Answers chosen from a list: yes_no, radios, checkboxes, select and typeahead.

Stored values are the options' ``value`` strings (never labels), so staff can
reword a label without touching stored answers. Lists kept by staff (``lookup``)
are not known at load time: their membership is a check, needing the allowed
values passed in, while inline options are checked when parsing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sen_portal.forms.field_models import (
    CheckboxesField,
    RadiosField,
    SelectField,
    TypeaheadField,
    YesNoField,
)
from sen_portal.forms.fields.common import (
    CheckContext,
    DisplayContext,
    FieldType,
    Invalid,
    as_text,
    clean_line,
    message,
    plural,
)

YES_NO_OPTIONS = (("yes", "Yes"), ("no", "No"))
_YES_NO_LABELS = dict(YES_NO_OPTIONS)


def _word(raw: Any) -> str:
    text = as_text(raw)
    return clean_line(text)[:200] if text is not None else ""


def _parse_yes_no(field: YesNoField, raw: Any) -> str:
    if isinstance(raw, bool):  # JSON clients and YAML 1.1 send booleans
        return "yes" if raw else "no"
    word = _word(raw).lower()
    if word not in _YES_NO_LABELS:
        raise Invalid(message(field, "invalid", "Select yes or no"))
    return word


def _must_equal(field: YesNoField | RadiosField, value: str, context: CheckContext) -> list[str]:
    if field.must_equal is None or value == field.must_equal:
        return []
    answer = option_label(field, field.must_equal, DisplayContext())
    return [message(field, "must_equal", "You must answer ‘{answer}’ to continue", answer=answer)]


YES_NO = FieldType(
    type="yes_no",
    parse=_parse_yes_no,
    check=_must_equal,
    display=lambda field, value, context: _YES_NO_LABELS.get(value, str(value)),
    to_input=lambda field, raw: _parse_yes_no(field, raw) if isinstance(raw, bool) else _word(raw).lower(),
    required_default="Select yes or no",
    message_keys=frozenset({"required", "invalid", "must_equal"}),
)


def option_label(field: Any, value: str, context: DisplayContext) -> str:
    """The label people see for a stored value; the value itself when no label is known."""
    if field.type == "yes_no":
        return _YES_NO_LABELS.get(value, value)
    for option in getattr(field, "options", None) or ():
        if option.value == value:
            return option.label
    lookup = getattr(field, "lookup", None)
    labels = context.lookups.get(lookup) if lookup else None
    if isinstance(labels, Mapping):
        return str(labels.get(value, value))
    return value


def _parse_radio(field: RadiosField, raw: Any) -> str:
    value = _word(raw)
    if value not in {option.value for option in field.options}:
        raise Invalid(message(field, "invalid", "Select {label_lower}"))
    return value


RADIOS = FieldType(
    type="radios",
    parse=_parse_radio,
    check=_must_equal,
    display=lambda field, value, context: option_label(field, value, context),
    required_default="Select {label_lower}",
    message_keys=frozenset({"required", "invalid", "must_equal"}),
)


def _ticked(raw: Any) -> list[str]:
    items = raw if isinstance(raw, list | tuple) else [raw]
    return [_word(item) for item in items[:500] if _word(item)]


def _parse_checkboxes(field: CheckboxesField, raw: Any) -> list[str]:
    chosen = set(_ticked(raw))
    known = [option.value for option in field.options]
    if not chosen <= set(known):
        raise Invalid(message(field, "invalid", "Select {label_lower}"))
    return [value for value in known if value in chosen]  # the options' order, each once


def _selection_rules(field: CheckboxesField, value: list[str], context: CheckContext) -> list[str]:
    if len(value) < field.min_selections:
        wording = f"Select at least {plural(field.min_selections, 'option')}"
        return [message(field, "min_selections", wording, min=field.min_selections)]
    if field.max_selections is not None and len(value) > field.max_selections:
        wording = f"Select no more than {plural(field.max_selections, 'option')}"
        return [message(field, "max_selections", wording, max=field.max_selections)]
    return []


CHECKBOXES = FieldType(
    type="checkboxes",
    parse=_parse_checkboxes,
    check=_selection_rules,
    display=lambda field, value, context: "\n".join(option_label(field, item, context) for item in value),
    to_input=lambda field, raw: _ticked(raw) if raw is not None else [],
    is_empty=lambda raw: not _ticked(raw) if raw is not None else True,
    required_default="Select {label_lower}",
    message_keys=frozenset({"required", "invalid", "min_selections", "max_selections"}),
)


def _not_in_list(field: SelectField | TypeaheadField) -> str:
    return message(field, "invalid", "Select {label_lower} from the list")


def _parse_list_choice(field: SelectField | TypeaheadField, raw: Any) -> str:
    typed = isinstance(field, TypeaheadField)
    value = clean_line(as_text(raw) or "") if typed else _word(raw)
    limit = field.max_length if isinstance(field, TypeaheadField) else 100  # option values are at most 100
    if len(value) > limit:
        raise Invalid(
            message(field, "max_length", "{label} must be {max_length} characters or fewer", max_length=limit)
        )
    if field.options is None:
        return value  # a staff-kept list: membership is a check, with the allowed values passed in
    values = {option.value for option in field.options}
    if value in values:
        return value
    if isinstance(field, TypeaheadField):
        # Someone who types a whole option's name without picking it from the menu still means it.
        by_label = {option.label.casefold(): option.value for option in field.options}
        if value.casefold() in by_label:
            return by_label[value.casefold()]
        if field.allow_free_text:
            return value
    raise Invalid(_not_in_list(field))


def _lookup_member(field: SelectField | TypeaheadField, value: str, context: CheckContext) -> list[str]:
    key = _checked_lookup(field)
    if key is None or value in context.lookups[key]:  # validate() makes sure the list was passed in
        return []
    return [_not_in_list(field)]


def _checked_lookup(field: SelectField | TypeaheadField) -> str | None:
    if isinstance(field, TypeaheadField) and field.allow_free_text:
        return None
    return field.lookup


SELECT = FieldType(
    type="select",
    parse=_parse_list_choice,
    check=_lookup_member,
    display=lambda field, value, context: option_label(field, value, context),
    required_default="Select {label_lower}",
    message_keys=frozenset({"required", "invalid"}),
    lookup_checked=_checked_lookup,
)

TYPEAHEAD = FieldType(
    type="typeahead",
    parse=_parse_list_choice,
    check=_lookup_member,
    display=lambda field, value, context: option_label(field, value, context),
    message_keys=frozenset({"required", "invalid", "max_length"}),
    lookup_checked=_checked_lookup,
)
