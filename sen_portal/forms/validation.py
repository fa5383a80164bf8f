"""validate() for "Save and continue" and submit, clean() for what is stored.

Errors have the WTForms shape ``{path: [message, ...]}`` in page order, where
a path is a field name, or ``"group[index].member"`` for a member of a
repeatable group (the group's own count errors are under the group's name).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sen_portal.forms.evaluation import council_today, evaluate
from sen_portal.forms.fields.common import CheckContext, Lookups
from sen_portal.forms.registry import REGISTRY
from sen_portal.forms.schema import FormDefinition, GroupField, Section

Errors = dict[str, list[str]]
DOCUMENT_TYPE_LIST = "document_type"  # the lookup list that document slots' document_type values come from


class MissingLookupListError(ValueError):
    """validate() was asked to check answers against a lookup list it was not given (a programming error)."""


def validate(
    definition: FormDefinition,
    answers: Mapping[str, Any] | None,
    *,
    section_key: str | None = None,
    lookups: Lookups | None = None,
    today: date | None = None,
) -> Errors:
    """Messages for every visible field in error: one section's (Save and continue) or the whole form's (submit).

    ``lookups`` maps a lookup list key to its allowed values (a value -> label
    mapping works too); every list the checked fields need must be present, see
    ``lookup_keys``. ``today`` defaults to today in England. Raises KeyError for
    an unknown ``section_key`` and MissingLookupListError for a missing list.
    """
    sections = [definition.section(section_key)] if section_key is not None else list(definition.sections)
    lookups = lookups or {}
    missing = sorted(lookup_keys(definition, sections=sections, checked_only=True) - set(lookups))
    if missing:
        raise MissingLookupListError(f"validate() needs the allowed values of lookup list(s) {', '.join(missing)}")
    context = CheckContext(today=today or council_today(), lookups=lookups)
    errors: Errors = {}
    checked = {section.key for section in sections}
    for evaluated in evaluate(definition, answers, context=context, check_sections=checked, lookups=lookups):
        if evaluated.errors:
            errors[evaluated.path] = evaluated.errors
        for members in evaluated.items:
            for member in members:
                if member.errors:
                    errors[member.path] = member.errors
    return errors


def clean(
    definition: FormDefinition, answers: Mapping[str, Any] | None, *, lookups: Lookups | None = None
) -> dict[str, Any]:
    """The answers to store: visible fields only, each in its normalised form, nothing unknown.

    With ``lookups`` (value -> label dicts), a lookup list's label typed out in
    full is stored as its value, so reports can count by value.

    Hidden fields' answers, keys the form does not have and answers that cannot
    be read as their type are dropped; readable answers that break a rule (too
    long, not in the past) are kept so validate() can still report them.
    ``clean(clean(a)) == clean(a)``.
    """
    return {
        evaluated.path: evaluated.value
        for evaluated in evaluate(definition, answers, lookups=lookups)
        if evaluated.value is not None
    }


def lookup_keys(
    definition: FormDefinition, *, sections: Iterable[Section] | None = None, checked_only: bool = False
) -> set[str]:
    """The lookup lists a form uses (typeahead/select lists and the document_type list of its slots).

    With ``checked_only``, only the lists validate() checks answers against:
    what a caller must pass as ``lookups``.
    """
    keys: set[str] = set()
    for section in definition.sections if sections is None else sections:
        for item in section.fields:
            for leaf in item.fields if isinstance(item, GroupField) else [item]:
                checked = REGISTRY[leaf.type].lookup_checked(leaf)
                if checked:
                    keys.add(checked)
                lookup = getattr(leaf, "lookup", None)  # only choice fields have one
                if not checked_only and lookup:
                    keys.add(lookup)
                if not checked_only and leaf.type == "document_slot":
                    keys.add(DOCUMENT_TYPE_LIST)
    return keys
