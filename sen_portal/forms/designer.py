"""The form designer's operations: pure functions from a definition (plain data) to a new one.

A draft being designed is often not a valid form yet (a new section has no
questions), so the designer works on the plain data a FormVersion stores and
asks the engine's own loader what is wrong after every edit (``problems``): the
same rules that load shipped YAML decide whether a draft can be published.

Names are where answers are stored. A question's ``name`` (and a section's
``key``) is made from its label once, when it is added, kept unique, and never
changed again: editing a label never touches the name. ``reserved`` names (used
by any earlier version of the form) are never handed out again, so an old answer
can never be read as the answer to a different question.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Collection, Mapping
from typing import Any

from sen_portal.forms.designer_fields import apply_changes, new_field
from sen_portal.forms.loading import FormDefinitionError, load_definition

Data = dict[str, Any]
# "2" is the third section; "2.4" its fifth question; "2.4.1" the second question of that group.
Path = tuple[int, ...]
_LOCATION = re.compile(r"^sections\[(\d+)\](?:\.fields\[(\d+)\])?(?:\.fields\[(\d+)\])?")
NAME_MAX = 60


class DesignError(ValueError):
    """An edit that cannot be applied at all (no such section or question, a group inside a group)."""


def slug(label: str, *, separator: str = "_", fallback: str = "question") -> str:
    """``"Does the child have an EHC plan?"`` -> ``does_the_child_have_an_ehc_plan``."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    text = separator.join(words)[: NAME_MAX - 4].strip(separator)
    if not text:
        return fallback
    return text if text[0].isalpha() else f"{fallback}{separator}{text}"[: NAME_MAX - 4]


def unique_name(base: str, taken: Collection[str], *, separator: str = "_") -> str:
    """``base``, or ``base_2``, ``base_3`` ... whichever is not taken."""
    if base not in taken:
        return base
    number = 2
    while f"{base}{separator}{number}" in taken:
        number += 1
    return f"{base}{separator}{number}"


def path_from_text(text: str) -> Path:
    """ "2.4.1" -> (2, 4, 1); DesignError for anything else."""
    parts = str(text).split(".")
    if not 1 <= len(parts) <= 3 or not all(part.isdigit() and len(part) < 4 for part in parts):
        raise DesignError(f"{text!r} is not a place in the form")
    return tuple(int(part) for part in parts)


def path_text(path: Path) -> str:
    return ".".join(str(part) for part in path)


# ---- reading -------------------------------------------------------------------------------------


def sections(data: Mapping[str, Any]) -> list[Data]:
    value = data.get("sections")
    return value if isinstance(value, list) else []


def _fields_of(container: Mapping[str, Any]) -> list[Data]:
    value = container.get("fields")
    return value if isinstance(value, list) else []


def item_at(data: Mapping[str, Any], path: Path) -> Data:
    """The section (one index) or question (two or three) at ``path``; DesignError if there is none."""
    try:
        node: Any = sections(data)[path[0]]
        for index in path[1:]:
            node = _fields_of(node)[index]
    except (IndexError, TypeError):
        raise DesignError(f"there is nothing at {path_text(path)}") from None
    if not isinstance(node, dict):
        raise DesignError(f"there is nothing at {path_text(path)}")
    return node


def field_names(data: Mapping[str, Any]) -> set[str]:
    """Every question name in the form, group members included (for reserving across versions)."""
    names: set[str] = set()
    for section in sections(data):
        for item in _fields_of(section):
            names.add(str(item.get("name", "")))
            names.update(str(member.get("name", "")) for member in _fields_of(item))
    return names - {""}


def problems(data: Mapping[str, Any]) -> list[str]:
    """What the engine's loader says is wrong with this definition ([] when it loads)."""
    try:
        load_definition(data)
    except FormDefinitionError as error:
        return list(error.problems)
    return []


def problems_by_place(found: list[str]) -> dict[str, list[str]]:
    """Problems keyed by where they are: "" (the form), "2" (a section), "2.4" or "2.4.1" (a question)."""
    placed: dict[str, list[str]] = {}
    for problem in found:
        match = _LOCATION.match(problem)
        place = path_text(tuple(int(p) for p in match.groups() if p is not None)) if match else ""
        placed.setdefault(place, []).append(problem)
    return placed


# ---- editing -------------------------------------------------------------------------------------


def blank_definition(*, key: str, title: str, reference_prefix: str) -> Data:
    """A new form: one section with one question, so it loads as soon as its title and prefix do."""
    data: Data = {"key": key, "title": title, "version": 1, "reference_prefix": reference_prefix, "sections": []}
    data = add_section(data, title="First section")
    return add_field(data, (0,), field_type="text", label="First question")


def set_form_details(data: Mapping[str, Any], *, title: str, description: str, reference_prefix: str) -> Data:
    new = copy.deepcopy(dict(data))
    new.update(title=title.strip(), reference_prefix=reference_prefix.strip().upper())
    _set_optional(new, "description", description.strip())
    return new


def add_section(data: Mapping[str, Any], *, title: str) -> Data:
    new = copy.deepcopy(dict(data))
    taken = {str(section.get("key", "")) for section in sections(new)}
    key = unique_name(slug(title, separator="-", fallback="section"), taken, separator="-")
    new.setdefault("sections", []).append({"key": key, "title": title.strip(), "fields": []})
    return new


def update_section(data: Mapping[str, Any], path: Path, *, title: str, description: str) -> Data:
    """New wording for a section; its ``key`` (used in page addresses) stays as it was."""
    new = copy.deepcopy(dict(data))
    section = item_at(new, path[:1])
    section["title"] = title.strip()
    _set_optional(section, "description", description.strip())
    return new


def add_field(
    data: Mapping[str, Any],
    parent: Path,
    *,
    field_type: str,
    label: str,
    reserved: Collection[str] = (),
    document_type: str = "other",
) -> Data:
    """Add a question at the end of a section (``parent`` = (s,)) or of a group (``(s, f)``)."""
    new = copy.deepcopy(dict(data))
    container = item_at(new, parent)
    if len(parent) == 2 and container.get("type") != "group":
        raise DesignError("questions can only be added to a section or a repeatable group")
    if len(parent) == 2 and field_type == "group":
        raise DesignError("a repeatable group cannot contain another group")
    if len(parent) > 2:
        raise DesignError("questions can only be added to a section or a repeatable group")
    # Group members only need to be unique in their group, but form-wide names read better in exports.
    taken = field_names(new) | set(reserved)
    name = unique_name(slug(label), taken)
    item = new_field(field_type, name=name, label=label.strip(), document_type=document_type)
    if field_type == "group":
        item["fields"][0]["name"] = unique_name(slug(item["fields"][0]["label"]), taken | {name})
    container.setdefault("fields", []).append(item)
    return new


def update_field(data: Mapping[str, Any], path: Path, changes: Mapping[str, Any]) -> Data:
    """Apply edited settings (as the page sends them: strings and booleans); ``name``/``type`` never change."""
    if len(path) < 2:
        raise DesignError("that is a section, not a question")
    new = copy.deepcopy(dict(data))
    item = item_at(new, path)
    updated = apply_changes(item, changes)
    _container_of(new, path)[path[-1]] = updated
    return new


def move(data: Mapping[str, Any], path: Path, offset: int) -> Data:
    """Move a section or question up (-1) or down (+1) among its siblings; no-op at either end."""
    new = copy.deepcopy(dict(data))
    item_at(new, path)
    siblings = _container_of(new, path)
    index, target = path[-1], path[-1] + offset
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
    return new


def move_to_section(data: Mapping[str, Any], path: Path, section_index: int) -> Data:
    """Move a question (not a group member) to the end of another section; its name goes with it."""
    if len(path) != 2:
        raise DesignError("only a section's own questions can move to another section")
    new = copy.deepcopy(dict(data))
    item = item_at(new, path)
    target = item_at(new, (section_index,))
    del _container_of(new, path)[path[-1]]
    target.setdefault("fields", []).append(item)
    return new


def remove(data: Mapping[str, Any], path: Path) -> Data:
    """Remove a section or question. Conditions that pointed at it are reported by ``problems``."""
    new = copy.deepcopy(dict(data))
    item_at(new, path)
    del _container_of(new, path)[path[-1]]
    return new


def condition_targets(data: Mapping[str, Any], path: Path) -> list[dict[str, str]]:
    """The questions a question at ``path`` may depend on: earlier answers that conditions can use."""
    from sen_portal.forms.registry import REGISTRY  # here: the registry imports every field module

    targets: list[dict[str, str]] = []

    def offer(item: Mapping[str, Any]) -> None:
        handler = REGISTRY.get(str(item.get("type", "")))
        if handler is not None and handler.condition_target and item.get("name"):
            targets.append({"value": str(item["name"]), "label": str(item.get("label") or item["name"])})

    for s_index, section in enumerate(sections(data)):
        for f_index, item in enumerate(_fields_of(section)):
            if (s_index, f_index) >= tuple(path[:2]):
                if len(path) == 3 and (s_index, f_index) == tuple(path[:2]):
                    for member in _fields_of(item)[: path[2]]:
                        offer(member)
                return targets
            offer(item)
    return targets


def _container_of(data: Data, path: Path) -> list[Data]:
    if len(path) == 1:
        return sections(data)
    return _fields_of(item_at(data, path[:-1]))


def _set_optional(target: Data, key: str, value: str) -> None:
    if value:
        target[key] = value
    else:
        target.pop(key, None)
