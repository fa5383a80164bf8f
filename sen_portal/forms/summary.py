"""Rows for "Check your answers" and for staff reading a referral (GOV.UK summary list).

One row per visible question, in form order, each value written the way
people read it ("5 March 2016", "Yes", option labels, one-line addresses).
Multi-value answers (checkboxes, file names, long text) keep their line
breaks: show them with ``white-space: pre-line``. Group members carry a
``group_label`` ("Parent or carer 1") so a page can put each item in its own card.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sen_portal.forms.evaluation import Evaluated, evaluate
from sen_portal.forms.fields.common import DisplayContext, Lookups
from sen_portal.forms.registry import REGISTRY
from sen_portal.forms.schema import FormDefinition, GroupField

NOT_PROVIDED = "Not provided"
NONE_ADDED = "None"


def display_value(field: Any, value: Any, context: DisplayContext | None = None) -> str:
    """One stored answer written for people; "Not provided" when there is none."""
    if value is None:
        return NOT_PROVIDED
    return REGISTRY[field.type].display(field, value, context or DisplayContext())


def summary_rows(
    definition: FormDefinition,
    answers: Mapping[str, Any] | None,
    *,
    lookups: Lookups | None = None,
    document_names: Mapping[str, str] | None = None,
) -> list[dict[str, str]]:
    """[{section_key, section_title, name, label, value, group_label}] for every visible question.

    ``section_key`` is where the "Change" link goes (the section's page, with
    ``#name`` to land on the field). ``lookups`` with value -> label mappings
    turn lookup values into labels; ``document_names`` (id -> file name) lists
    files by name instead of "2 files". Include retired lookup entries when
    showing old referrals, so their labels still appear.
    """
    context = DisplayContext(lookups=lookups or {}, document_names=document_names or {})
    rows: list[dict[str, str]] = []
    for item in evaluate(definition, answers):
        if isinstance(item.field, GroupField):
            if not item.items:
                rows.append(_row(item, NONE_ADDED))
            for members in item.items:
                rows.extend(_row(m, display_value(m.field, m.value, context)) for m in members if _answers(m))
        elif _answers(item):
            rows.append(_row(item, display_value(item.field, item.value, context)))
    return rows


def _answers(item: Evaluated) -> bool:
    return REGISTRY[item.field.type].kind == "answer"


def _row(item: Evaluated, value: str) -> dict[str, str]:
    return {
        "section_key": item.section.key,
        "section_title": item.section.title,
        "name": item.path,
        "label": item.field.label,
        "value": value,
        "group_label": item.group_label,
    }
