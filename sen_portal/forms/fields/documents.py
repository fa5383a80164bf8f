"""Document slots (the answer is the list of stored document ids) and guidance (no answer at all).

A slot checks only how many documents it holds. Whether an id names a real
document, owned by this user and of the slot's type, is the documents
service's question: it owns the files, and the form engine never touches them.
"""

from __future__ import annotations

import re
from typing import Any

from sen_portal.forms.field_models import DocumentSlotField
from sen_portal.forms.fields.common import CheckContext, DisplayContext, FieldType, Invalid, message, plural

# Document ids are random URL-safe tokens; anything else is not one of ours.
_DOCUMENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _ids(raw: Any) -> list[Any]:
    return list(raw[:100]) if isinstance(raw, list | tuple) else [raw]


def _parse(field: DocumentSlotField, raw: Any) -> list[str]:
    ids: list[str] = []
    for item in _ids(raw):
        if not isinstance(item, str) or not _DOCUMENT_ID.fullmatch(item):
            raise Invalid(message(field, "invalid", "Upload {label_lower} again"))
        if item not in ids:
            ids.append(item)
    return ids


def _count_rules(field: DocumentSlotField, value: list[str], context: CheckContext) -> list[str]:
    count = len(value)
    if count < field.min_files:  # never 0 here: an empty slot is "unanswered" and handled as required
        wording = f"Upload at least {plural(field.min_files, 'file')} for {{label_lower}}"
        return [message(field, "min_files", wording, min_files=field.min_files)]
    if count > field.max_files:
        wording = f"Upload no more than {plural(field.max_files, 'file')} for {{label_lower}}"
        return [message(field, "max_files", wording, max_files=field.max_files)]
    return []


def _display(field: DocumentSlotField, value: list[str], context: DisplayContext) -> str:
    if context.document_names and all(item in context.document_names for item in value):
        return "\n".join(context.document_names[item] for item in value)
    return plural(len(value), "file")


DOCUMENT_SLOT = FieldType(
    type="document_slot",
    parse=_parse,
    check=_count_rules,
    display=_display,
    to_input=lambda field, raw: [item for item in _ids(raw) if isinstance(item, str)] if raw is not None else [],
    required_default="Upload {label_lower}",
    message_keys=frozenset({"required", "invalid", "min_files", "max_files"}),
    condition_target=False,
)

GUIDANCE = FieldType(type="guidance", kind="guidance", condition_target=False, message_keys=frozenset())
