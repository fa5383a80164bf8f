"""Use cases behind the form designer pages: each opens its own unit of work and returns plain data.

The Reflex states stay thin (check the admin, call one function here off the
event loop, show the result). Edits go through ``form_designer.edit_draft``, so
each one is saved, stamped with who made it and audited, and comes back with the
engine's problems for the page to show beside the question concerned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sen_portal.db import session_scope
from sen_portal.forms import designer as design
from sen_portal.forms.designer_fields import changes_from_form, editor_settings
from sen_portal.forms.registry import REGISTRY
from sen_portal.services.form_admin import form_designer as forms
from sen_portal.services.form_admin import form_exchange as exchange
from sen_portal.services.form_admin import form_overview as overview
from sen_portal.services.form_admin.designer_outline import TYPE_CHOICES, TYPE_LABELS, outline_rows
from sen_portal.services.form_admin.form_designer import DesignRefused, FormNotFound
from sen_portal.services.lookups import lists as lookups
from sen_portal.services.platform.audit import Actor
from sen_portal.services.referrals import drafts as referrals
from sen_portal.services.referrals.statutory_dates import COUNCIL_TIMEZONE

__all__ = ["TYPE_CHOICES", "Actor", "DesignRefused", "FormNotFound"]


@dataclass
class EditorView:
    form_key: str
    title: str
    description: str
    reference_prefix: str
    version: int
    rows: list[dict[str, str]]
    form_problems: list[str]
    problem_count: int
    history: list[dict[str, str]]


@dataclass
class ItemView:
    path: str
    kind: str  # "section" or "question"
    heading: str
    type_label: str
    name: str
    settings: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    sections: list[dict[str, str]] = field(default_factory=list)  # where a question may move to


def forms_overview() -> list[dict[str, str]]:
    with session_scope() as session:
        rows = overview.list_forms(session)
    return [
        {
            "key": row.key,
            "title": row.title,
            "prefix": row.reference_prefix,
            "live": f"Version {row.live}" if row.live else "Not live",
            "draft": f"Version {row.draft}" if row.draft else "",
            "archived": ", ".join(str(n) for n in row.archived),
            # Council time: staff read "14:05" as the time on their own clock, summer or winter.
            "changed": f"{row.changed_at.astimezone(COUNCIL_TIMEZONE):%-d %B %Y %H:%M} by {row.changed_by or 'the system'}"
            if row.changed_at
            else "",
            "has_live": "yes" if row.live else "",
            "export_version": str(row.draft or row.live or (row.archived[-1] if row.archived else "")),
        }
        for row in rows
    ]


def create(actor: Actor, *, title: str, reference_prefix: str, copy_from: str) -> str:
    with session_scope() as session:
        return forms.create_form(
            session, title=title, reference_prefix=reference_prefix, copy_from=copy_from, actor=actor
        ).form_key


STALE = "Someone else has changed this form since you opened the page: check it and try again"


def _identity(item: Mapping[str, Any]) -> str:
    """What a page calls a section or question by: a section's key, a question's name (both never change)."""
    return str(item.get("name") or item.get("key") or "")


def editor_view(actor: Actor, form_key: str) -> EditorView:
    """The form's draft (started from the live version if there is none) as rows for the edit page."""
    with session_scope() as session:
        draft = forms.open_draft(session, form_key=form_key, actor=actor)
        data = draft.definition
        found = forms.publish_problems(session, draft)  # the engine, lookup lists and the prefix
        placed = design.problems_by_place(found)
        return EditorView(
            form_key=form_key,
            title=str(data.get("title", "")),
            description=str(data.get("description", "")),
            reference_prefix=str(data.get("reference_prefix", "")),
            version=draft.version,
            rows=outline_rows(data, placed),
            form_problems=placed.get("", []),
            problem_count=len(found),
            history=overview.history(session, form_key),
        )


def apply_edit(actor: Actor, form_key: str, operation: str, values: Mapping[str, str]) -> list[str]:
    """One edit from the pages, by name; returns the engine's problems with the draft afterwards."""
    with session_scope() as session:
        reserved = forms.reserved_names(session, form_key)
        document_types = lookups.active_options(session, lookups.DOCUMENT_TYPE)
        first_type = document_types[0].value if document_types else "other"

        def apply(data: dict[str, Any]) -> dict[str, Any]:
            path = design.path_from_text(values.get("path", "0"))
            expected = values.get("expect", "")
            if expected and _identity(design.item_at(data, path)) != expected:
                # The page named what it showed at this place; someone else has changed the draft since.
                raise DesignRefused({"operation": [STALE]})
            if operation == "details":
                return design.set_form_details(
                    data,
                    title=values.get("title", ""),
                    description=values.get("description", ""),
                    reference_prefix=values.get("reference_prefix", ""),
                )
            if operation == "add_section":
                data = design.add_section(data, title=values.get("title", "") or "New section")
                new = (len(design.sections(data)) - 1,)
                return design.add_field(data, new, field_type="text", label="First question", reserved=reserved)
            if operation == "update_section":
                return design.update_section(
                    data, path, title=values.get("title", ""), description=values.get("description", "")
                )
            if operation == "add_field":
                field_type = values.get("field_type", "")
                if field_type not in REGISTRY:
                    raise DesignRefused({"field_type": ["Choose the type of question"]})
                label = values.get("label", "").strip()
                if not label:
                    raise DesignRefused({f"label-{values.get('path', '')}": ["Enter the question"]})
                return design.add_field(
                    data, path, field_type=field_type, label=label, reserved=reserved, document_type=first_type
                )
            if operation == "update_field":
                item = design.item_at(data, path)
                return design.update_field(data, path, changes_from_form(str(item.get("type")), values))
            if operation in ("up", "down"):
                return design.move(data, path, -1 if operation == "up" else 1)
            if operation == "remove":
                return design.remove(data, path)
            if operation == "move_to_section":
                target = values.get("section", "")
                if not target.isdigit():
                    raise DesignRefused({"section": ["Choose a section"]})
                return design.move_to_section(data, path, int(target))
            raise DesignRefused({"operation": ["That change is not possible"]})

        try:
            draft, _found = forms.edit_draft(
                session,
                form_key=form_key,
                change=f"{operation} at {values['path']}" if values.get("path") else operation,
                apply=apply,
                actor=actor,
            )
        except design.DesignError as error:
            raise DesignRefused({"operation": [str(error)]}) from None
        return forms.publish_problems(session, draft)


def _setting(key: str, label: str, kind: str, value: Any) -> dict[str, Any]:
    # Every row has every key: the page reads them all, and a missing one is undefined in the browser.
    return {"key": key, "label": label, "kind": kind, "value": str(value or ""), "checked": False, "choices": []}


def item_view(actor: Actor, form_key: str, path_text: str) -> ItemView:
    """One section or question of the draft, with every setting its type has."""
    with session_scope() as session:
        draft = forms.open_draft(session, form_key=form_key, actor=actor)
        data = draft.definition
        path = design.path_from_text(path_text)
        item = design.item_at(data, path)
        placed = design.problems_by_place(forms.publish_problems(session, draft))
        if len(path) == 1:
            return ItemView(
                path_text,
                "section",
                str(item.get("title", "")),
                "Section",
                str(item.get("key", "")),
                [
                    _setting("title", "Section title", "text", item.get("title")),
                    _setting("description", "Text under the heading", "textarea", item.get("description")),
                ],
                placed.get(path_text, []),
            )
        document_types = [
            {"value": o.value, "label": o.label} for o in lookups.active_options(session, "document_type")
        ]
        settings = editor_settings(
            item,
            targets=design.condition_targets(data, path),
            lookup_lists=lookups.list_keys(session),
            document_types=document_types,
        )
        heading = str(item.get("label") or item.get("heading") or item.get("name", ""))
        problems = [
            p
            for place, found in placed.items()
            if place == path_text or place.startswith(path_text + ".")
            for p in found
        ]
        others = [
            {"value": str(index), "label": str(section.get("title", ""))}
            for index, section in enumerate(design.sections(data))
            if index != path[0] and len(path) == 2
        ]
        return ItemView(
            path_text,
            "question",
            heading,
            TYPE_LABELS.get(str(item.get("type")), ""),
            str(item.get("name", "")),
            settings,
            problems,
            others,
        )


def publish_view(form_key: str) -> tuple[int, list[str], list[str]]:
    """(draft version, changes since the live version, problems that stop publishing)."""
    with session_scope() as session:
        draft = forms.draft_of(session, form_key)
        if draft is None:
            raise FormNotFound(form_key)
        return (
            draft.version,
            forms.changes_since_live(session, form_key=form_key),
            forms.publish_problems(session, draft),
        )


def publish(actor: Actor, form_key: str) -> int:
    with session_scope() as session:
        return forms.publish_draft(session, form_key=form_key, actor=actor).version


def archive(actor: Actor, form_key: str) -> None:
    with session_scope() as session:
        forms.archive_form(session, form_key=form_key, actor=actor)


def discard(actor: Actor, form_key: str) -> None:
    with session_scope() as session:
        forms.discard_draft(session, form_key=form_key, actor=actor)


def export(form_key: str, number: int) -> str:
    with session_scope() as session:
        return exchange.export_yaml(session, form_key=form_key, number=number)


def import_definition(actor: Actor, text: str) -> str:
    with session_scope() as session:
        return exchange.import_yaml(session, text=text, actor=actor).form_key


def preview_data(form_key: str) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    """The draft's definition (or the live one when there is no draft) and the lookup lists, read-only."""
    with session_scope() as session:
        version = forms.draft_of(session, form_key) or referrals.live_version(session, form_key=form_key)
        if version is None:
            raise FormNotFound(form_key)
        return dict(version.definition), referrals.lookup_values(session)
