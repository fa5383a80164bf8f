"""What a generic renderer needs to draw a section: flat, JSON-serialisable dicts, one per visible field.

The Reflex page keeps the plan in a state var and draws it with ``rx.foreach``
and ``rx.match`` on ``type``; nothing in it needs Python at render time, so it
is precomputed here (labels with "(optional)", first error, options with
``selected``). Every entry has every key, with an empty value when it does not
apply, so the frontend sees one stable shape:

===============  =========================================================
name             answer path and input id ("parents[0].email"); error key
type             field type (see registry.FIELD_TYPES)
label            the question; ``heading`` for guidance
display_label    label + " (optional)" when the answer is optional
hint, required   as defined
errors, error    this field's messages, and the first one ("" when none)
value            what the inputs show: str; list[str] (checkboxes,
                 document_slot); {day, month, year} (date); {line1, line2,
                 town, postcode, uprn} (address); "" for guidance and group
value_label      the chosen option's label (radios, select, typeahead, yes_no)
options          [{value, label, hint, selected}] (inline options, yes/no,
                 or the lookup list when ``lookups`` carries it)
lookup           lookup list key ("" when none); allow_free_text
autocomplete     HTML autocomplete token; input_mode: "numeric", "decimal",
                 "email", "tel" or ""
max_length       characters allowed (0: no limit); rows (long_text)
text             guidance body (paragraphs separated by blank lines)
document_type    document_slot: list value; min_files, max_files
items            group: [{index, heading, fields: [entries like this]}]
item_label       group: "Parent or carer"; add_label "Add another ..."
min_items ...    group: min_items, max_items, can_add, can_remove
===============  =========================================================
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sen_portal.forms.evaluation import Evaluated, evaluate
from sen_portal.forms.fields.choice import YES_NO_OPTIONS, option_label
from sen_portal.forms.fields.common import DisplayContext, Lookups
from sen_portal.forms.registry import REGISTRY
from sen_portal.forms.schema import FormDefinition, GroupField

_INPUT_MODES = {"email": "email", "uk_phone": "tel", "nhs_number": "numeric"}
_CHOICE_TYPES = {"yes_no", "radios", "select", "typeahead"}


def optional_label(field: Any) -> str:
    """The label as GOV.UK shows it: "Preferred name (optional)" for an answer that may be left out."""
    label = getattr(field, "label", "") or getattr(field, "heading", "")
    if REGISTRY[field.type].kind == "answer" and not field.required:
        return f"{label} (optional)"
    return label


def steps(definition: FormDefinition) -> list[dict[str, Any]]:
    """The sections as journey steps: [{number, key, title, description}]."""
    return [
        {"number": number, "key": s.key, "title": s.title, "description": s.description}
        for number, s in enumerate(definition.sections, start=1)
    ]


def next_section_key(definition: FormDefinition, section_key: str) -> str | None:
    """The step after ``section_key`` (None after the last); KeyError for an unknown key."""
    keys = [section.key for section in definition.sections]
    position = keys.index(definition.section(section_key).key)
    return keys[position + 1] if position + 1 < len(keys) else None


def previous_section_key(definition: FormDefinition, section_key: str) -> str | None:
    keys = [section.key for section in definition.sections]
    position = keys.index(definition.section(section_key).key)
    return keys[position - 1] if position > 0 else None


def render_plan(
    definition: FormDefinition,
    section_key: str,
    answers: Mapping[str, Any] | None,
    *,
    errors: Mapping[str, list[str]] | None = None,
    lookups: Lookups | None = None,
) -> list[dict[str, Any]]:
    """The visible fields of one section, in order, ready to draw (see the module docstring).

    ``answers`` are the raw answers being edited (what the user typed is shown
    back, even when invalid) or stored ones; ``errors`` comes from validate().
    ``lookups`` fills the options of lookup-backed fields: pass value -> label
    dicts in display order (e.g. from ``services.lookups.active_options``).
    Visibility follows the answers, so re-plan after each change for live reveals.
    """
    definition.section(section_key)  # KeyError for a section the form does not have
    context = DisplayContext(lookups=lookups or {})
    errors = errors or {}
    return [_entry(item, errors, context) for item in evaluate(definition, answers) if item.section.key == section_key]


def _entry(item: Evaluated, errors: Mapping[str, list[str]], context: DisplayContext) -> dict[str, Any]:
    field, handler = item.field, REGISTRY[item.field.type]
    messages = list(errors.get(item.path, []))
    value = handler.to_input(field, item.raw) if handler.kind == "answer" else ""
    entry: dict[str, Any] = {
        "name": item.path,
        "type": field.type,
        "label": getattr(field, "label", "") or getattr(field, "heading", ""),
        "display_label": optional_label(field),
        "hint": getattr(field, "hint", ""),
        "required": bool(getattr(field, "required", False)),
        "errors": messages,
        "error": messages[0] if messages else "",
        "value": value,
        "value_label": option_label(field, value, context) if field.type in _CHOICE_TYPES and value else "",
        "options": _options(field, value, context.lookups),
        "lookup": getattr(field, "lookup", None) or "",
        "allow_free_text": bool(getattr(field, "allow_free_text", False)),
        "autocomplete": getattr(field, "autocomplete", None) or "",
        "input_mode": _input_mode(field),
        "max_length": getattr(field, "max_length", 0),
        "rows": getattr(field, "rows", 0),
        "text": getattr(field, "text", ""),
        "document_type": getattr(field, "document_type", ""),
        "min_files": getattr(field, "min_files", 0),
        "max_files": getattr(field, "max_files", 0),
        "items": [],
        "item_label": "",
        "add_label": "",
        "min_items": 0,
        "max_items": 0,
        "can_add": False,
        "can_remove": False,
    }
    if isinstance(field, GroupField):
        count = len(item.items)
        entry["required"] = field.min_items > 0
        entry["items"] = [
            {
                "index": index,
                "heading": f"{field.item_label} {index + 1}",
                "fields": [_entry(member, errors, context) for member in members],
            }
            for index, members in enumerate(item.items)
        ]
        entry.update(
            item_label=field.item_label,
            add_label=field.add_another_label,
            min_items=field.min_items,
            max_items=field.max_items,
            can_add=count < field.max_items,
            can_remove=count > field.min_items,
        )
    return entry


def _input_mode(field: Any) -> str:
    if field.type == "number":
        return "numeric" if field.integer_only else "decimal"
    return _INPUT_MODES.get(field.type, "")


def _options(field: Any, value: Any, lookups: Lookups) -> list[dict[str, Any]]:
    chosen = set(value) if isinstance(value, list) else {value} if isinstance(value, str) else set()
    if field.type == "yes_no":
        pairs: list[tuple[str, str, str]] = [(v, label, "") for v, label in YES_NO_OPTIONS]
    elif getattr(field, "options", None):
        pairs = [(o.value, o.label, o.hint) for o in field.options]
    elif getattr(field, "lookup", None) and field.lookup in lookups:
        values: Collection[str] = lookups[field.lookup]
        if isinstance(values, Mapping):  # value -> label, in display order: the useful kind
            pairs = [(v, str(label), "") for v, label in values.items()]
        else:  # bare values (a set has no order of its own, so sort it for a stable page)
            ordered = values if isinstance(values, list | tuple) else sorted(values)
            pairs = [(v, v, "") for v in ordered]
    else:
        return []
    return [{"value": v, "label": label, "hint": hint, "selected": v in chosen} for v, label, hint in pairs]
