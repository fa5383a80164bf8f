"""Checks that need the whole definition: unique names, conditions on real earlier fields, message keys.

Each problem starts with where it is ("sections[2].fields[4] (name 'nhs_number')")
so whoever edits the YAML, or the form builder showing it, can go straight there.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from sen_portal.forms.conditions import impossible_values
from sen_portal.forms.fields.common import Lookups
from sen_portal.forms.registry import REGISTRY
from sen_portal.forms.schema import FormDefinition, GroupField


def did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def located_fields(definition: FormDefinition) -> Iterator[tuple[str, Any, GroupField | None]]:
    """Every field with its location, group members right after their group."""
    for s_index, section in enumerate(definition.sections):
        for f_index, item in enumerate(section.fields):
            path = f"sections[{s_index}].fields[{f_index}]"
            yield f"{path} (name {item.name!r})", item, None
            if isinstance(item, GroupField):
                for m_index, member in enumerate(item.fields):
                    yield f"{path}.fields[{m_index}] (name {member.name!r})", member, item


def definition_problems(definition: FormDefinition) -> list[str]:
    problems: list[str] = []
    section_keys: dict[str, int] = {}
    for index, section in enumerate(definition.sections):
        if section.key in section_keys:
            first = section_keys[section.key]
            problems.append(
                f"sections[{index}] (key {section.key!r}): duplicate section key (first used at sections[{first}])"
            )
        section_keys.setdefault(section.key, index)

    top_level = {item.name: item for section in definition.sections for item in section.fields}
    in_groups = {m.name: g.name for g in top_level.values() if isinstance(g, GroupField) for m in g.fields}
    seen: dict[str, str] = {}  # top-level name -> where it was first defined
    member_seen: dict[str, str] = {}
    earlier_top: dict[str, Any] = {}
    earlier_members: dict[str, Any] = {}
    for where, item, group in located_fields(definition):
        names = member_seen if group else seen  # group members are unique within their group
        if item.name in names:
            problems.append(f"{where}: duplicate field name {item.name!r} (first used at {names[item.name]})")
        names.setdefault(item.name, where.split(" ")[0])
        problems += _message_problems(where, item)
        if group is None:
            member_seen, earlier_members = {}, {}
            problems += _condition_problems(where, item, {}, set(), earlier_top, top_level, in_groups)
            earlier_top.setdefault(item.name, item)
        else:
            siblings = {member.name for member in group.fields}
            problems += _condition_problems(where, item, earlier_members, siblings, earlier_top, top_level, {})
            earlier_members.setdefault(item.name, item)
    return problems


def _message_problems(where: str, item: Any) -> list[str]:
    allowed = REGISTRY[item.type].message_keys
    unknown = sorted(set(getattr(item, "messages", {}) or {}) - allowed)
    if not unknown:
        return []
    hint = did_you_mean(unknown[0], allowed)
    return [f"{where}: unknown message key {unknown[0]!r}{hint}; {item.type} fields have: {', '.join(sorted(allowed))}"]


def _condition_problems(
    where: str,
    item: Any,
    local_earlier: dict[str, Any],
    local_names: set[str],
    outer_earlier: dict[str, Any],
    outer_names: dict[str, Any],
    in_groups: dict[str, str],
) -> list[str]:
    condition = item.show_if
    if condition is None:
        return []
    name = condition.field
    if name == item.name:
        return [f"{where}: show_if refers to the field itself"]
    # A sibling in the same group item shadows a form-level field of the same name.
    target = local_earlier.get(name) if name in local_names else outer_earlier.get(name)
    if target is None:
        if name in local_names or name in outer_names:
            return [
                f"{where}: show_if refers to {name!r}, which comes after it; a condition can only use an earlier answer"
            ]
        if name in in_groups:
            return [f"{where}: show_if refers to {name!r}, a question inside the group {in_groups[name]!r}"]
        hint = did_you_mean(name, [*local_names, *outer_names])
        return [f"{where}: show_if refers to field {name!r}, which does not exist{hint}"]
    if not REGISTRY[target.type].condition_target:
        return [f"{where}: show_if cannot depend on {name!r}, a {target.type} field"]
    impossible = impossible_values(condition, target)
    if impossible:
        options = getattr(target, "options", None)
        known = f"; its values are: {', '.join(o.value for o in options)}" if options else ""
        if target.type == "yes_no":
            known = "; its values are: yes, no"
        shown = ", ".join(repr(value) for value in impossible)
        return [f"{where}: show_if value {shown} can never be an answer to {name!r}{known}"]
    return []


def lookup_problems(definition: FormDefinition, lookups: Lookups) -> list[str]:
    """Lookup lists a definition names that ``lookups`` lacks, and slots whose document_type is not listed.

    For publishing a form: the shapes are checked at load, but which lists and
    document types exist is only known to the database.
    """
    problems: list[str] = []
    for where, item, _group in located_fields(definition):
        key = getattr(item, "lookup", None)
        if key and key not in lookups:
            problems.append(f"{where}: lookup list {key!r} does not exist{did_you_mean(key, lookups)}")
        if item.type == "document_slot":
            types = lookups.get("document_type")
            if types is None:
                problems.append(f"{where}: lookup list 'document_type' does not exist")
            elif item.document_type not in types:
                hint = did_you_mean(item.document_type, types)
                problems.append(f"{where}: document_type {item.document_type!r} is not in the document_type list{hint}")
    return problems
