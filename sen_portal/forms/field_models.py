"""Pydantic models of the answerable field types (the leaves of a form definition).

Every model forbids unknown keys, so a typo in a definition ("lable") fails at
load instead of being silently ignored. Models are frozen: a loaded definition
is shared between requests and must never change under them.

``type`` has no default on purpose: it is the discriminator of the field union,
and a dump that left it out would not load again.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

_SNAKE_CASE = re.compile(r"[a-z][a-z0-9_]*")
_PREFILL_KEY = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
# Hard ceilings keep a hostile or mistaken definition from asking the portal to store novels.
TEXT_HARD_LIMIT = 1_000
LONG_TEXT_HARD_LIMIT = 20_000
FILES_HARD_LIMIT = 20


def _snake_case(value: str) -> str:
    if not _SNAKE_CASE.fullmatch(value) or len(value) > 60:
        raise ValueError(
            f"{value!r} must be snake_case: lower-case letters, digits and underscores, starting with a letter,"
            " at most 60 characters"
        )
    return value


# Definition text is shown on pages and kept as YAML: control characters and the Unicode line and
# paragraph separators have no place in either (YAML even reads some of them as line breaks).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _printable(value: str) -> str:
    if _UNPRINTABLE.search(value):
        raise ValueError("text must not contain control characters")
    return value


def _prefill_key(value: str) -> str:
    if not _PREFILL_KEY.fullmatch(value) or len(value) > 100:
        raise ValueError(f"{value!r} must be a dotted key like 'account.first_name'")
    return value


FieldName = Annotated[str, AfterValidator(_snake_case)]
Text = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_printable)]
LongText = Annotated[str, Field(max_length=10_000), AfterValidator(_printable)]
ShortText = Annotated[str, Field(max_length=500), AfterValidator(_printable)]
Message = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_printable)]
Scalar = str | int | float | bool


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ShowIf(Strict):
    """Show a field only when an earlier answer has one of the given values.

    ``equals: x`` is shorthand for ``in: [x]``. For a checkboxes answer the
    condition holds when any of the values is ticked. Values are compared after
    the target's own normalisation, so ``equals: "YES"`` matches a yes/no "yes".
    """

    field: FieldName
    equals: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in", min_length=1, max_length=100)

    @model_validator(mode="after")
    def _one_of_equals_or_in(self) -> ShowIf:
        if (self.equals is None) == (self.in_ is None):
            raise ValueError("give exactly one of 'equals' or 'in'")
        return self

    @property
    def values(self) -> list[Scalar]:
        return [self.equals] if self.in_ is None and self.equals is not None else list(self.in_ or [])


class Option(Strict):
    value: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_printable)]
    label: Text
    hint: LongText = ""


class FieldBase(Strict):
    name: FieldName
    show_if: ShowIf | None = None


class QuestionBase(FieldBase):
    """What every answerable field has; ``messages`` overrides the default error wording per rule."""

    label: Text
    hint: LongText = ""
    required: bool = True
    messages: dict[str, Message] = Field(default_factory=dict)
    # Where a journey may take a starting value from, e.g. "account.email"; see answers.prefill().
    prefill: Annotated[str, AfterValidator(_prefill_key)] | None = None


def _unique_options(options: list[Option]) -> list[Option]:
    seen: set[str] = set()
    for option in options:
        if option.value in seen:
            raise ValueError(f"option value {option.value!r} appears more than once")
        seen.add(option.value)
    return options


Options = Annotated[list[Option], Field(min_length=1, max_length=500), AfterValidator(_unique_options)]
Autocomplete = Annotated[str, Field(min_length=1, max_length=60), AfterValidator(_printable)] | None


class TextField(QuestionBase):
    type: Literal["text"]
    max_length: int = Field(default=200, ge=1, le=TEXT_HARD_LIMIT)
    autocomplete: Autocomplete = None


class LongTextField(QuestionBase):
    type: Literal["long_text"]
    max_length: int = Field(default=5_000, ge=1, le=LONG_TEXT_HARD_LIMIT)
    rows: int = Field(default=5, ge=2, le=30)


class EmailField(QuestionBase):
    type: Literal["email"]
    autocomplete: Autocomplete = None


class UkPhoneField(QuestionBase):
    type: Literal["uk_phone"]
    autocomplete: Autocomplete = None


class NumberField(QuestionBase):
    type: Literal["number"]
    min: int | float | None = None
    max: int | float | None = None
    integer_only: bool = False

    @model_validator(mode="after")
    def _min_not_above_max(self) -> NumberField:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is more than max ({self.max})")
        return self


class DateField(QuestionBase):
    type: Literal["date"]
    in_past: bool = False
    in_future: bool = False
    not_before: date | None = None
    not_after: date | None = None
    min_age_years: int | None = Field(default=None, ge=0, le=150)
    max_age_years: int | None = Field(default=None, ge=0, le=150)

    @model_validator(mode="after")
    def _rules_can_all_hold(self) -> DateField:
        if self.in_past and self.in_future:
            raise ValueError("a date cannot be both in_past and in_future")
        if self.not_before and self.not_after and self.not_before > self.not_after:
            raise ValueError("not_before is later than not_after")
        low, high = self.min_age_years, self.max_age_years
        if low is not None and high is not None and low > high:
            raise ValueError("min_age_years is more than max_age_years")
        return self


def _yes_no_word(value: object) -> object:
    # YAML 1.1 loaders and JSON clients may send booleans; the stored answer is the word.
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


class YesNoField(QuestionBase):
    type: Literal["yes_no"]
    # The answer that lets the user continue (e.g. consent must be "yes"); its message key is must_equal.
    # The published JSON Schema accepts the booleans too: YAML reads an unquoted `yes` as true.
    must_equal: (
        Annotated[
            Literal["yes", "no"],
            BeforeValidator(_yes_no_word),
            WithJsonSchema({"enum": ["yes", "no", True, False]}),
        ]
        | None
    ) = None


class RadiosField(QuestionBase):
    type: Literal["radios"]
    options: Options
    must_equal: str | None = None

    @model_validator(mode="after")
    def _must_equal_is_an_option(self) -> RadiosField:
        if self.must_equal is not None and self.must_equal not in {o.value for o in self.options}:
            raise ValueError(f"must_equal {self.must_equal!r} is not one of the option values")
        return self


class CheckboxesField(QuestionBase):
    type: Literal["checkboxes"]
    options: Options
    min_selections: int = Field(default=0, ge=0, le=500)
    max_selections: int | None = Field(default=None, ge=1, le=500)

    @model_validator(mode="after")
    def _selection_limits_fit(self) -> CheckboxesField:
        top = self.max_selections if self.max_selections is not None else len(self.options)
        if self.min_selections > top or top > len(self.options):
            raise ValueError("min_selections/max_selections do not fit the number of options")
        return self


class ListChoiceBase(QuestionBase):
    """A choice from inline options or from a lookup list that staff maintain (exactly one of them)."""

    options: Options | None = None
    lookup: FieldName | None = None

    @model_validator(mode="after")
    def _options_or_lookup(self) -> ListChoiceBase:
        if (self.options is None) == (self.lookup is None):
            raise ValueError("give exactly one of 'options' or 'lookup'")
        return self


class SelectField(ListChoiceBase):
    type: Literal["select"]


class TypeaheadField(ListChoiceBase):
    type: Literal["typeahead"]
    # When true, text that matches no option is kept as typed (e.g. a school outside the area).
    allow_free_text: bool = False
    max_length: int = Field(default=200, ge=1, le=TEXT_HARD_LIMIT)


class AddressField(QuestionBase):
    type: Literal["address"]


class UpnField(QuestionBase):
    type: Literal["upn"]
    allow_temporary: bool = True


class NhsNumberField(QuestionBase):
    type: Literal["nhs_number"]


class DocumentSlotField(QuestionBase):
    """A place to attach documents of one type; the answer is the list of stored document ids."""

    type: Literal["document_slot"]
    document_type: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_printable)]
    min_files: int = Field(default=1, ge=1, le=FILES_HARD_LIMIT)
    max_files: int = Field(default=5, ge=1, le=FILES_HARD_LIMIT)

    @model_validator(mode="after")
    def _min_not_above_max(self) -> DocumentSlotField:
        if self.min_files > self.max_files:
            raise ValueError(f"min_files ({self.min_files}) is more than max_files ({self.max_files})")
        return self


class GuidanceField(FieldBase):
    """Text shown between questions; it has no answer."""

    type: Literal["guidance"]
    heading: ShortText = ""
    text: Annotated[str, Field(min_length=1, max_length=10_000), AfterValidator(_printable)]

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must not be blank")
        return value


LEAF_MODELS: tuple[type[FieldBase], ...] = (
    TextField,
    LongTextField,
    EmailField,
    UkPhoneField,
    NumberField,
    DateField,
    YesNoField,
    RadiosField,
    CheckboxesField,
    SelectField,
    TypeaheadField,
    AddressField,
    UpnField,
    NhsNumberField,
    DocumentSlotField,
    GuidanceField,
)
