"""What changed between two versions of a form, in words staff can check before publishing.

Sections are matched by ``key`` and questions by ``name`` (both stable), so a
reworded label reads as "changed", never as one question removed and another
added; a moved question reads as "moved".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_FORM_KEYS = ("title", "reference_prefix", "description")


def _questions(data: Mapping[str, Any]) -> dict[str, tuple[str, int, str, dict[str, Any]]]:
    """name -> (section key, position, group name or "", the question) for every question."""
    found: dict[str, tuple[str, int, str, dict[str, Any]]] = {}
    position = 0
    for section in data.get("sections") or []:
        for item in section.get("fields") or []:
            found[str(item.get("name"))] = (str(section.get("key")), position, "", item)
            position += 1
            for member in item.get("fields") or [] if item.get("type") == "group" else []:
                found[f"{item.get('name')}.{member.get('name')}"] = (str(section.get("key")), position, "", member)
                position += 1
    return found


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _title(item: Mapping[str, Any]) -> str:
    return str(item.get("label") or item.get("heading") or item.get("name"))


def describe_changes(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[str]:
    """One line per change from ``before`` (the live version; None for a new form) to ``after``."""
    if before is None:
        count = sum(len(s.get("fields") or []) for s in after.get("sections") or [])
        sections = len(after.get("sections") or [])
        return [f"A new form: {_count(sections, 'section')}, {_count(count, 'question')}"]
    lines: list[str] = []
    for key in _FORM_KEYS:
        if before.get(key) != after.get(key):
            lines.append(f"Form {key.replace('_', ' ')} changed to {after.get(key)!r}")
    old_sections = {str(s.get("key")): s for s in before.get("sections") or []}
    new_sections = {str(s.get("key")): s for s in after.get("sections") or []}
    for key, section in new_sections.items():
        if key not in old_sections:
            lines.append(f"Section added: {section.get('title')!r}")
        elif {k: v for k, v in section.items() if k != "fields"} != {
            k: v for k, v in old_sections[key].items() if k != "fields"
        }:
            lines.append(f"Section {section.get('title')!r}: title or description changed")
    lines += [f"Section removed: {s.get('title')!r}" for k, s in old_sections.items() if k not in new_sections]
    if list(old_sections) != [k for k in new_sections if k in old_sections] + [
        k for k in old_sections if k not in new_sections
    ]:
        lines.append("Sections reordered")
    old, new = _questions(before), _questions(after)
    kept_old = [name for name in old if name in new]
    kept_new = [name for name in new if name in old]
    for name, (section_key, _pos, _g, item) in new.items():
        where = new_sections.get(section_key, {}).get("title", section_key)
        if name not in old:
            lines.append(f"Question added to {where!r}: {_title(item)!r} ({item.get('type')}, stored as {name})")
            continue
        changed = sorted(k for k in set(item) | set(old[name][3]) if item.get(k) != old[name][3].get(k))
        if changed:
            lines.append(f"Question {_title(item)!r} changed: {', '.join(changed)}")
        if old[name][0] != section_key:
            lines.append(f"Question {_title(item)!r} moved to {where!r}")
    for name, (_s, _p, _g, item) in old.items():
        if name not in new:
            lines.append(f"Question removed: {_title(item)!r} (answers stay on earlier requests)")
    if kept_old != kept_new:
        lines.append("Questions reordered")
    return lines
