"""One question's settings in the designer: a new question of each type, its editable settings, and edits.

The settings a type has come from the engine's own pydantic model of that type
(``registry.MODELS``), so every type in the closed registry is editable and a
setting added to a model shows up in the designer without touching this file
(as a plain text box until ``_SETTINGS`` says better). Values arrive as the page
sends them (strings, booleans) and are converted where that is unambiguous;
anything else is stored as typed, so the engine's loader reports it beside the
question instead of the designer guessing.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from sen_portal.forms.registry import MODELS

Data = dict[str, Any]

# key -> (what the page calls it, how it is edited). Order here is the order on the page.
_SETTINGS: dict[str, tuple[str, str]] = {
    "label": ("Question", "text"),
    "heading": ("Heading", "text"),
    "text": ("Text", "textarea"),
    "hint": ("Hint text", "textarea"),
    "required": ("An answer is required", "bool"),
    "item_label": ("Name of one item (for example, Parent or carer)", "text"),
    "add_label": ("Add another button text", "text"),
    "min_items": ("Fewest items", "int"),
    "max_items": ("Most items", "int"),
    "options": ("Options, one per line (value | label, or just the label)", "options"),
    "lookup": ("Or take the options from a lookup list", "lookup"),
    "allow_free_text": ("Allow an answer that is not in the list", "bool"),
    "must_equal": ("The only answer that lets people continue (leave blank for any)", "text"),
    "min_selections": ("Fewest options to tick", "int"),
    "max_selections": ("Most options to tick", "int"),
    "max_length": ("Most characters", "int"),
    "rows": ("Height of the box in lines", "int"),
    "min": ("Smallest number", "number"),
    "max": ("Largest number", "number"),
    "integer_only": ("Whole numbers only", "bool"),
    "in_past": ("Must be in the past", "bool"),
    "in_future": ("Must be in the future", "bool"),
    "not_before": ("Not before (YYYY-MM-DD)", "text"),
    "not_after": ("Not after (YYYY-MM-DD)", "text"),
    "min_age_years": ("Youngest age in years (for dates of birth)", "int"),
    "max_age_years": ("Oldest age in years (for dates of birth)", "int"),
    "document_type": ("Document type", "document_type"),
    "min_files": ("Fewest files", "int"),
    "max_files": ("Most files", "int"),
    "allow_temporary": ("Allow a temporary UPN", "bool"),
    "autocomplete": ("Autocomplete token (for example, given-name)", "text"),
    "messages": ("Error messages, one per line as rule: message (for example, required: Enter the name)", "messages"),
}
# Settings the designer does not offer: identity, structure, and wording overrides kept as authored.
_NOT_EDITED = {"name", "type", "fields", "prefill", "show_if"}
SHOW_IF_FIELD, SHOW_IF_VALUES = "show_if_field", "show_if_values"
_DEFAULT_OPTIONS = [{"value": "option_1", "label": "Option 1"}, {"value": "option_2", "label": "Option 2"}]


def new_field(field_type: str, *, name: str, label: str, document_type: str = "other") -> Data:
    """The smallest question of ``field_type`` that loads (KeyError for a type outside the registry)."""
    if field_type not in MODELS:
        raise KeyError(field_type)
    item: Data = {"name": name, "type": field_type, "label": label}
    if field_type in ("radios", "checkboxes", "select", "typeahead"):
        item["options"] = copy.deepcopy(_DEFAULT_OPTIONS)
    elif field_type == "document_slot":
        item["document_type"] = document_type
    elif field_type == "guidance":
        item = {"name": name, "type": field_type, "heading": label, "text": "Write the guidance here."}
    elif field_type == "group":
        item.update(item_label=label, fields=[{"name": "item_name", "type": "text", "label": "Name"}])
    return item


def setting_keys(field_type: str) -> list[str]:
    model = MODELS[field_type]
    keys = [key for key in model.model_fields if key not in _NOT_EDITED]
    return sorted(keys, key=lambda key: list(_SETTINGS).index(key) if key in _SETTINGS else len(_SETTINGS))


def _kind(key: str) -> str:
    return _SETTINGS.get(key, (key, "text"))[1]


def _required_key(field_type: str, key: str) -> bool:
    return MODELS[field_type].model_fields[key].is_required()


def _default(field_type: str, key: str) -> Any:
    info = MODELS[field_type].model_fields[key]
    return None if info.is_required() else info.get_default(call_default_factory=True)


def apply_changes(item: Mapping[str, Any], changes: Mapping[str, Any]) -> Data:
    """``item`` with ``changes`` applied; keys a type does not have (and name/type) are ignored."""
    new = copy.deepcopy(dict(item))
    field_type = str(new.get("type", ""))
    if field_type not in MODELS:
        return new
    keys = setting_keys(field_type)
    for key in keys:  # options before lookup: choosing a list replaces inline options
        if key in changes:
            _apply(new, field_type, key, changes[key])
    if SHOW_IF_FIELD in changes:
        _apply_show_if(new, str(changes[SHOW_IF_FIELD]), str(changes.get(SHOW_IF_VALUES, "")))
    return new


def _apply(item: Data, field_type: str, key: str, raw: Any) -> None:
    kind = _kind(key)
    if kind == "bool":
        value: Any = raw is True or str(raw).lower() in ("true", "on", "yes", "1")
    elif kind == "options":
        value = parse_options(str(raw), item.get("options") or [])
    elif kind == "messages":
        value = parse_messages(str(raw))
    else:
        text = str(raw).strip()
        value = _number(text, whole=kind == "int") if kind in ("int", "number") and text else text
    if key == "lookup" and value:
        item.pop("options", None)
    if key == "options" and not value and item.get("lookup"):
        item.pop("options", None)
        return
    if (value == "" or value == [] or value == _default(field_type, key)) and not _required_key(field_type, key):
        item.pop(key, None)
    else:
        item[key] = value


def _number(text: str, *, whole: bool) -> Any:
    try:
        return int(text)
    except ValueError:
        pass
    if not whole:
        try:
            return float(text)
        except ValueError:
            pass
    return text  # kept as typed: the loader says what is wrong with it, beside the question


def parse_options(text: str, existing: list[Mapping[str, Any]]) -> list[Data]:
    """One option per line, ``value | label`` or just the label (its value then comes from the label).

    A label-only line that matches an existing option keeps that option's value, so
    rewording the list line by line never changes what old answers mean; an option's
    hint (not shown in the box) stays with its value.
    """
    by_label = {str(o.get("label", "")): str(o.get("value", "")) for o in existing if isinstance(o, Mapping)}
    hints = {str(o.get("value", "")): o["hint"] for o in existing if isinstance(o, Mapping) and o.get("hint")}
    options: list[Data] = []
    taken: set[str] = set()
    for line in text.splitlines():
        if not line.strip():
            continue
        if "|" in line:
            value, label = (part.strip() for part in line.split("|", 1))
        else:
            label = line.strip()
            value = by_label.get(label) or _option_value(label, taken)
        options.append({"value": value, "label": label} | ({"hint": hints[value]} if value in hints else {}))
        taken.add(value)
    return options


def _option_value(label: str, taken: set[str]) -> str:
    from sen_portal.forms.designer import slug, unique_name  # designer imports this module

    return unique_name(slug(label, fallback="option"), taken)


def parse_messages(text: str) -> Data:
    """``required: Enter the child's name`` lines -> {rule: message}; the loader checks the rule names."""
    messages: Data = {}
    for line in text.splitlines():
        rule, _, message = line.partition(":")
        if rule.strip() or message.strip():
            messages[rule.strip()] = message.strip()
    return messages


def messages_text(messages: Any) -> str:
    return "\n".join(f"{rule}: {text}" for rule, text in messages.items()) if isinstance(messages, Mapping) else ""


def options_text(options: Any) -> str:
    if not isinstance(options, list):
        return ""
    return "\n".join(f"{o.get('value', '')} | {o.get('label', '')}" for o in options if isinstance(o, Mapping))


def _apply_show_if(item: Data, target: str, values_text: str) -> None:
    values = [value.strip() for value in re.split(r"[,\n]", values_text) if value.strip()]
    if not target:
        item.pop("show_if", None)
    elif len(values) == 1:
        item["show_if"] = {"field": target, "equals": values[0]}
    else:
        # No values yet is stored as an empty list, which the loader reports beside the question.
        item["show_if"] = {"field": target, "in": values}


def show_if_text(item: Mapping[str, Any]) -> tuple[str, str]:
    condition = item.get("show_if")
    if not isinstance(condition, Mapping):
        return "", ""
    values = condition.get("in") if "in" in condition else [condition.get("equals")]
    return str(condition.get("field", "")), ", ".join(str(v) for v in values or [] if v is not None)


def editor_settings(
    item: Mapping[str, Any],
    *,
    targets: list[dict[str, str]],
    lookup_lists: list[str],
    document_types: list[dict[str, str]],
) -> list[dict[str, Any]]:
    """What the question editor page draws: one flat dict per setting (same keys for every kind)."""
    field_type = str(item.get("type", ""))
    rows: list[dict[str, Any]] = []
    for key in setting_keys(field_type):
        label, kind = _SETTINGS.get(key, (key.replace("_", " ").capitalize(), "text"))
        value = item.get(key)
        if value is None and kind == "bool":
            value = _default(field_type, key)
        choices: list[dict[str, str]] = []
        if kind == "lookup":
            choices = [{"value": "", "label": "No list: use the options above"}] + [
                {"value": k, "label": k.replace("_", " ").capitalize()} for k in lookup_lists
            ]
        elif kind == "document_type":
            choices = document_types
        if kind == "options":
            shown = options_text(value)
        elif kind == "messages":
            shown = messages_text(value)
        else:
            shown = "" if value is None else str(value)
        rows.append({"key": key, "label": label, "kind": kind, "value": shown, "checked": value is True})
        rows[-1]["choices"] = _keeping(choices, shown)
    field, values = show_if_text(item)
    always = [{"value": "", "label": "Always show this question"}]
    rows.append(
        {"key": SHOW_IF_FIELD, "label": "Show only when this earlier answer…", "kind": "choice", "value": field}
        | {"checked": False, "choices": _keeping(always + targets, field)}
    )
    rows.append(
        {"key": SHOW_IF_VALUES, "label": "…is one of (separate values with commas)", "kind": "text", "value": values}
        | {"checked": False, "choices": []}
    )
    return rows


def _keeping(choices: list[dict[str, str]], current: str) -> list[dict[str, str]]:
    """``choices`` plus the current value when it is not among them (a retired document type, a condition
    on a question that has moved below): saving the page must never change it silently."""
    if not choices or not current or any(choice["value"] == current for choice in choices):
        return choices
    return [*choices, {"value": current, "label": f"{current} (not available here: choose another)"}]


def changes_from_form(field_type: str, entries: Mapping[str, str]) -> Data:
    """A submitted editor form as changes: an unticked box sends nothing, which means "off"."""
    if field_type not in MODELS:
        return {}
    changes: Data = {
        key: entries[key] for key in (*setting_keys(field_type), SHOW_IF_FIELD, SHOW_IF_VALUES) if key in entries
    }
    for key in setting_keys(field_type):
        if _kind(key) == "bool" and key not in entries:
            changes[key] = False
    return changes
