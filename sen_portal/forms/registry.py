"""The closed registry: every field type a definition may use, and how each reads and shows answers.

Adding a type means a model in field_models.py (or schema.py), its name in
``schema.FIELD_TYPES`` and a handler here; the check at the bottom refuses to
import if the three ever disagree, so an unknown type cannot reach a page.
"""

from __future__ import annotations

import typing
from typing import Any

from sen_portal.forms.field_models import LEAF_MODELS
from sen_portal.forms.fields.address import ADDRESS
from sen_portal.forms.fields.choice import CHECKBOXES, RADIOS, SELECT, TYPEAHEAD, YES_NO
from sen_portal.forms.fields.common import FieldType
from sen_portal.forms.fields.dates import DATE
from sen_portal.forms.fields.documents import DOCUMENT_SLOT, GUIDANCE
from sen_portal.forms.fields.identifiers import NHS_NUMBER, UPN
from sen_portal.forms.fields.text import EMAIL, LONG_TEXT, NUMBER, TEXT, UK_PHONE
from sen_portal.forms.schema import FIELD_TYPES, GroupField

# The group's own rules (item counts, member paths) live in the walker; its entry is here so
# that "known types" and message-key checks treat it like every other type.
GROUP = FieldType(
    type="group", kind="group", condition_target=False, message_keys=frozenset({"min_items", "max_items"})
)

REGISTRY: dict[str, FieldType] = {
    handler.type: handler
    for handler in (
        TEXT,
        LONG_TEXT,
        EMAIL,
        UK_PHONE,
        NUMBER,
        DATE,
        YES_NO,
        RADIOS,
        CHECKBOXES,
        SELECT,
        TYPEAHEAD,
        ADDRESS,
        UPN,
        NHS_NUMBER,
        DOCUMENT_SLOT,
        GUIDANCE,
        GROUP,
    )
}


def field_type(type_name: str) -> FieldType:
    """The handler of a type; KeyError for a type outside the closed set."""
    return REGISTRY[type_name]


def known_types() -> tuple[str, ...]:
    return FIELD_TYPES


def _model_tag(model: type[Any]) -> str:
    (tag,) = typing.get_args(model.model_fields["type"].annotation)
    return str(tag)


# type -> its pydantic model, for messages that list a field's allowed keys.
_MODELS: tuple[type[Any], ...] = (*LEAF_MODELS, GroupField)
MODELS: dict[str, type[Any]] = {_model_tag(model): model for model in _MODELS}


def _check_closed() -> None:
    handlers, declared, modelled = set(REGISTRY), set(FIELD_TYPES), set(MODELS)
    if not handlers == declared == modelled:
        raise RuntimeError(f"field types disagree: handlers {handlers}, FIELD_TYPES {declared}, models {modelled}")


_check_closed()
