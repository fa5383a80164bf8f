"""Editing a form's draft: the outline page (sections, questions, add/move/remove) and one item's settings.

Every change is one call to ``designer_journey.apply_edit``, which saves the draft,
audits the change and returns the engine's problems; the page shows each one
beside the question it is about. Nothing here needs JavaScript: plain forms and
buttons, so every control works by keyboard.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx
from reflex_base.utils.form import FormData

from sen_portal import routes
from sen_portal.models import UserRole
from sen_portal.services.form_admin import designer_journey as journey
from sen_portal.state.auth import AuthState, CurrentUser, sign_in_redirect
from sen_portal.state.designer_base import DesignerBase, form_entries


class FormEditorState(DesignerBase, AuthState):
    form_key: str = ""
    not_found: bool = False
    title: str = ""
    description: str = ""
    reference_prefix: str = ""
    version: int = 0
    rows: list[dict[str, str]] = []
    form_problems: list[str] = []
    problem_count: int = 0
    history: list[dict[str, str]] = []
    # Bumped on every reload so uncontrolled inputs (default_value) redraw with the saved text.
    revision: int = 0
    # Bumped only after a successful change, to empty the "add" boxes. Not on page loads: a load that
    # lands after someone started typing must not wipe what they typed.
    changes_made: int = 0
    type_choices: list[dict[str, str]] = journey.TYPE_CHOICES
    # The item page: one section or question of the draft.
    item_path: str = ""
    item_kind: str = ""
    item_heading: str = ""
    item_type: str = ""
    item_name: str = ""
    settings: list[dict[str, Any]] = []
    item_problems: list[str] = []
    move_targets: list[dict[str, str]] = []

    async def _reload(self, user: CurrentUser) -> None:
        try:
            view = await asyncio.to_thread(journey.editor_view, self._actor(user), self.form_key)
        except journey.FormNotFound:
            self.not_found = True
            return
        self.not_found = False
        self.title, self.description, self.reference_prefix = view.title, view.description, view.reference_prefix
        self.version, self.rows, self.form_problems = view.version, view.rows, view.form_problems
        self.problem_count, self.history = view.problem_count, view.history
        self.revision += 1

    @rx.event
    async def load(self):
        """/staff/forms/edit?key=..: the draft's outline (a draft is started from the live version if none)."""
        user = await self._signed_in(UserRole.ADMIN)
        if user is None:
            return sign_in_redirect(self.router.url.path)
        self.form_key, self.errors, self.message = self._query("key"), {}, ""
        await self._reload(user)
        return None

    async def _edit(self, operation: str, values: dict[str, str], done: str) -> list[rx.event.EventSpec]:
        user = await self._admin()
        if user is None:
            return []
        try:
            found = await asyncio.to_thread(journey.apply_edit, self._actor(user), self.form_key, operation, values)
        except journey.DesignRefused as refused:
            if journey.STALE in refused.errors.get("operation", []):
                await self._reload(user)  # show the draft as it is now
            return self.show_errors(refused.errors)
        except journey.FormNotFound:
            self.not_found = True
            return []
        self.errors = {}
        self.changes_made += 1
        await self._reload(user)
        left = f" The draft has {len(found)} problem{'s' if len(found) != 1 else ''} to fix before publishing."
        self.message = done + (left if found else "")
        return []

    @rx.event
    async def save_details(self, form_data: FormData):
        """The form's title, reference prefix and description."""
        return await self._edit("details", form_entries(form_data), "Form details saved.")

    @rx.event
    async def add_section(self, form_data: FormData):
        """A new section at the end, with one question to start from."""
        return await self._edit("add_section", form_entries(form_data), "Section added.")

    @rx.event
    async def add_question(self, form_data: FormData):
        """A new question at the end of a section or a repeatable group."""
        values = form_entries(form_data)
        return await self._edit("add_field", values, f"Question added: {values.get('label', '')[:100]}.")

    @rx.event
    async def change(self, operation: str, path: str, name: str):
        """Move up, move down or remove a section or question (``name``: what the page showed at ``path``)."""
        if operation not in ("up", "down", "remove"):
            return None
        done = {"up": "Moved up.", "down": "Moved down.", "remove": "Removed."}[operation]
        return await self._edit(operation, {"path": str(path)[:12], "expect": str(name)[:60]}, done)

    # ---- one section or question ----------------------------------------------------------------
    async def _load_item(self, user: CurrentUser) -> None:
        try:
            view = await asyncio.to_thread(journey.item_view, self._actor(user), self.form_key, self.item_path)
        except (journey.FormNotFound, journey.DesignRefused, ValueError):
            self.not_found = True
            return
        self.not_found = False
        self.item_kind, self.item_heading, self.item_type = view.kind, view.heading, view.type_label
        self.item_name, self.settings, self.item_problems = view.name, view.settings, view.problems
        self.move_targets = view.sections
        self.revision += 1

    @rx.event
    async def load_item(self):
        """/staff/forms/item?key=..&at=2.4: every setting of one section or question."""
        user = await self._signed_in(UserRole.ADMIN)
        if user is None:
            return sign_in_redirect(self.router.url.path)
        self.form_key, self.item_path = self._query("key"), self._query("at", 12)
        self.errors, self.message = {}, ""
        await self._load_item(user)
        return None

    @rx.event
    async def save_item(self, form_data: FormData):
        """Save the settings; back to the outline when the engine has nothing to say about this item."""
        user = await self._admin()
        if user is None:
            return None
        operation = "update_section" if self.item_kind == "section" else "update_field"
        values = {**form_entries(form_data), "path": self.item_path, "expect": self.item_name}
        try:
            await asyncio.to_thread(journey.apply_edit, self._actor(user), self.form_key, operation, values)
        except journey.DesignRefused as refused:
            return self.show_errors(refused.errors)
        except journey.FormNotFound:
            self.not_found = True
            return None
        await self._load_item(user)
        if self.item_problems:
            self.message = "Saved, but there are problems to fix."
            return self.show_errors({"item-problems": self.item_problems[:1]})
        return rx.redirect(f"{routes.STAFF_FORM_EDIT}?key={self.form_key}")

    @rx.event
    async def move_to_section(self, form_data: FormData):
        """Move the question being edited to the end of another section, then show the outline."""
        values = {**form_entries(form_data), "path": self.item_path, "expect": self.item_name}
        events = await self._edit("move_to_section", values, "Question moved to another section.")
        if self.errors:
            return events
        return rx.redirect(f"{routes.STAFF_FORM_EDIT}?key={self.form_key}")
