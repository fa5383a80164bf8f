"""The draft as the outline page draws it: one flat list of rows for a single ``rx.foreach``.

Rows are sections, questions, group members and the "add a question" forms, in
page order; every row has every key (empty when it does not apply), because the
browser reads them all. Pure functions of the definition and its problems.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sen_portal.forms import designer as design
from sen_portal.forms.registry import REGISTRY
from sen_portal.forms.schema import FIELD_TYPES

TYPE_LABELS = {
    "text": "Short text",
    "long_text": "Long text",
    "email": "Email address",
    "uk_phone": "UK phone number",
    "number": "Number",
    "date": "Date",
    "yes_no": "Yes or no",
    "radios": "One choice (radio buttons)",
    "checkboxes": "Several choices (checkboxes)",
    "select": "One choice from a list (drop-down)",
    "typeahead": "One choice from a long list (type to search)",
    "address": "UK address (with postcode finder)",
    "upn": "Unique pupil number (UPN)",
    "nhs_number": "NHS number",
    "document_slot": "Documents to upload",
    "guidance": "Guidance text (no answer)",
    "group": "Repeatable group of questions",
}
TYPE_CHOICES = [{"value": t, "label": TYPE_LABELS.get(t, t)} for t in FIELD_TYPES]


def _row(kind: str, path: str, **values: str) -> dict[str, str]:
    base = dict.fromkeys(("title", "type_label", "name", "problem", "condition", "required", "indent"), "")
    return {**base, "kind": kind, "path": path, **values}


def outline_rows(data: Mapping[str, Any], placed: dict[str, list[str]]) -> list[dict[str, str]]:
    """The draft as one flat list of rows (sections, questions, group members, "add" forms) for one foreach."""
    rows: list[dict[str, str]] = []
    for s_index, section in enumerate(design.sections(data)):
        path = str(s_index)
        title, key = str(section.get("title", "")), str(section.get("key", ""))
        rows.append(_row("section", path, title=title, name=key, problem=_first(placed, path)))
        for f_index, item in enumerate(section.get("fields") or []):
            rows.append(_question_row(f"{s_index}.{f_index}", item, placed, ""))
            if item.get("type") == "group":
                for m_index, member in enumerate(item.get("fields") or []):
                    rows.append(_question_row(f"{s_index}.{f_index}.{m_index}", member, placed, "yes"))
                group_name = str(item.get("name", ""))
                rows.append(
                    _row("add_member", f"{s_index}.{f_index}", title=str(item.get("label", "")), name=group_name)
                )
        rows.append(_row("add_question", path, title=title, name=key))
    return rows


def _question_row(path: str, item: Mapping[str, Any], placed: dict[str, list[str]], indent: str) -> dict[str, str]:
    condition = item.get("show_if") if isinstance(item.get("show_if"), Mapping) else None
    answered = REGISTRY.get(str(item.get("type")))
    return _row(
        "question",
        path,
        title=str(item.get("label") or item.get("heading") or item.get("name", "")),
        type_label=TYPE_LABELS.get(str(item.get("type")), str(item.get("type"))),
        name=str(item.get("name", "")),
        problem=_first(placed, path),
        condition=f"Shown only when {condition.get('field')} is {condition.get('equals', condition.get('in'))}"
        if condition
        else "",
        required="Required" if answered and answered.kind == "answer" and item.get("required", True) else "",
        indent=indent,
    )


def _first(placed: dict[str, list[str]], path: str) -> str:
    return "; ".join(placed.get(path, []))
