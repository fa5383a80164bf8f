"""The shape of a form definition: pydantic models with a discriminated union on ``type``.

A definition is a document (YAML for shipped forms, JSON in the database for
versions staff publish). These models check each piece on its own; checks that
need the whole form (unique names, conditions pointing at real fields) live in
``checks.py`` and run from ``loading.load_definition``, which is the only way a
definition should be read.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from sen_portal.forms.field_models import (
    AddressField,
    CheckboxesField,
    DateField,
    DocumentSlotField,
    EmailField,
    FieldBase,
    GuidanceField,
    LongText,
    LongTextField,
    Message,
    NhsNumberField,
    NumberField,
    RadiosField,
    SelectField,
    ShortText,
    Strict,
    Text,
    TextField,
    TypeaheadField,
    UkPhoneField,
    UpnField,
    YesNoField,
)

_SLUG = re.compile(r"[a-z][a-z0-9_-]*")
GROUP_HARD_LIMIT = 100


def _slug(value: str) -> str:
    if not _SLUG.fullmatch(value) or len(value) > 60:
        raise ValueError(f"{value!r} must be a slug: lower-case letters, digits, '-' and '_', starting with a letter")
    return value


def _reference_prefix(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{2,6}", value):
        raise ValueError(f"{value!r} must be 2 to 6 capital letters, like 'EHC'")
    return value


Slug = Annotated[str, AfterValidator(_slug)]

# Fields allowed inside a repeatable group: every type except group itself. One level of
# repetition is all the journeys need, and nested lists would make error paths and pages unreadable.
MemberField = Annotated[
    TextField
    | LongTextField
    | EmailField
    | UkPhoneField
    | NumberField
    | DateField
    | YesNoField
    | RadiosField
    | CheckboxesField
    | SelectField
    | TypeaheadField
    | AddressField
    | UpnField
    | NhsNumberField
    | DocumentSlotField
    | GuidanceField,
    Field(discriminator="type"),
]


class GroupField(FieldBase):
    """A repeatable set of questions ("Add another parent or carer"); its answer is a list of dicts."""

    type: Literal["group"]
    label: Text
    hint: LongText = ""
    item_label: Text  # "Parent or carer": headings read "Parent or carer 1", "Parent or carer 2"
    add_label: ShortText = ""  # defaults to "Add another <item_label>"
    min_items: int = Field(default=0, ge=0, le=GROUP_HARD_LIMIT)
    max_items: int = Field(default=10, ge=1, le=GROUP_HARD_LIMIT)
    messages: dict[str, Message] = Field(default_factory=dict)
    fields: Annotated[list[MemberField], Field(min_length=1, max_length=50)]

    @model_validator(mode="after")
    def _min_not_above_max(self) -> GroupField:
        if self.min_items > self.max_items:
            raise ValueError(f"min_items ({self.min_items}) is more than max_items ({self.max_items})")
        return self

    @property
    def add_another_label(self) -> str:
        return self.add_label or f"Add another {self.item_label[:1].lower()}{self.item_label[1:]}"


SectionField = Annotated[
    TextField
    | LongTextField
    | EmailField
    | UkPhoneField
    | NumberField
    | DateField
    | YesNoField
    | RadiosField
    | CheckboxesField
    | SelectField
    | TypeaheadField
    | AddressField
    | UpnField
    | NhsNumberField
    | DocumentSlotField
    | GuidanceField
    | GroupField,
    Field(discriminator="type"),
]


class Section(Strict):
    """One step of the journey: a page with its own "Save and continue"."""

    key: Slug
    title: Text
    description: LongText = ""
    fields: Annotated[list[SectionField], Field(min_length=1, max_length=200)]


class FormDefinition(Strict):
    key: Slug
    title: Text
    version: int = Field(ge=1)
    reference_prefix: Annotated[str, AfterValidator(_reference_prefix)]
    description: LongText = ""
    sections: Annotated[list[Section], Field(min_length=1, max_length=50)]

    def section(self, key: str) -> Section:
        """The section with this key; KeyError when there is none."""
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)


# Every type a definition may use, in the order error messages list them. registry.py checks at
# import that each has exactly one handler, so the set of types is closed in one place.
FIELD_TYPES: tuple[str, ...] = (
    "text",
    "long_text",
    "email",
    "uk_phone",
    "number",
    "date",
    "yes_no",
    "radios",
    "checkboxes",
    "select",
    "typeahead",
    "address",
    "upn",
    "nhs_number",
    "document_slot",
    "guidance",
    "group",
)

AnswerField = (
    TextField
    | LongTextField
    | EmailField
    | UkPhoneField
    | NumberField
    | DateField
    | YesNoField
    | RadiosField
    | CheckboxesField
    | SelectField
    | TypeaheadField
    | AddressField
    | UpnField
    | NhsNumberField
    | DocumentSlotField
)
