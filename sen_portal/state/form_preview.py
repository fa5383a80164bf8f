"""Preview of a draft exactly as professionals will see it: the same renderer and the same validation.

Answers live only in this page's memory: nothing is saved, no request is
started, no reference is used and no email is sent. "Check this page" runs the
engine's ``validate`` for the section, as "Save and continue" does for real.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx
from reflex_base.utils.form import FormData

from sen_portal.forms import (
    FormDefinition,
    FormDefinitionError,
    add_group_item,
    load_definition,
    lookup_problems,
    remove_group_item,
    render_plan,
    set_answer,
    validate,
)
from sen_portal.models import UserRole
from sen_portal.services.form_admin import designer_journey as designer
from sen_portal.services.referrals import referral_journey as journey
from sen_portal.state.auth import AuthState, sign_in_redirect
from sen_portal.state.designer_base import DesignerBase
from sen_portal.state.referral import _as_answer, _form_entries


class FormPreviewState(DesignerBase, AuthState):
    form_key: str = ""
    not_found: bool = False
    problems: list[str] = []
    form_title: str = ""
    section_key: str = ""
    section_title: str = ""
    section_description: str = ""
    step_number: int = 0
    step_count: int = 0
    plan: list[dict[str, Any]] = []
    sections: list[dict[str, str]] = []
    address_options: dict[str, list[dict[str, str]]] = {}
    address_messages: dict[str, str] = {}
    documents: list[dict[str, str]] = []
    _data: dict[str, Any] = {}
    _lookups: dict[str, dict[str, str]] = {}
    _answers: dict[str, Any] = {}
    _errors: dict[str, list[str]] = {}
    _found_addresses: dict[str, dict[str, dict[str, str]]] = {}

    def _definition(self) -> FormDefinition | None:
        try:
            definition = load_definition(self._data)
        except FormDefinitionError as error:
            self.problems = list(error.problems)
            return None
        # A list the portal does not have cannot be drawn or checked (validate() would refuse it).
        self.problems = lookup_problems(definition, self._lookups)
        return None if self.problems else definition

    def _show(self, definition: FormDefinition, section_key: str) -> None:
        keys = [section.key for section in definition.sections]
        self.section_key = section_key if section_key in keys else keys[0]
        section = definition.section(self.section_key)
        self.form_title, self.section_title = definition.title, section.title
        self.section_description = section.description or ""
        self.step_number, self.step_count = keys.index(self.section_key) + 1, len(keys)
        self.sections = [{"key": s.key, "title": s.title} for s in definition.sections]
        self._replan(definition)

    def _replan(self, definition: FormDefinition) -> None:
        self.plan = render_plan(definition, self.section_key, self._answers, errors=self._errors, lookups=self._lookups)

    @rx.event
    async def load(self):
        """/staff/forms/preview?key=..[&section=..]: the draft (or live version) drawn for a professional."""
        user = await self._signed_in(UserRole.ADMIN)
        if user is None:
            return sign_in_redirect(self.router.url.path)
        self.form_key, self.errors, self.message, self.problems = self._query("key"), {}, "", []
        try:
            self._data, self._lookups = await asyncio.to_thread(designer.preview_data, self.form_key)
        except designer.FormNotFound:
            self.not_found = True
            return None
        self.not_found, self._answers, self._errors = False, {}, {}
        definition = self._definition()
        if definition is not None:
            self._show(definition, self._query("section"))
        return None

    async def _ready(self) -> FormDefinition | None:
        user = await self._admin()
        return None if user is None or not self._data else self._definition()

    @rx.event
    async def set_value(self, path: str, value: str) -> None:
        """A text answer left its field (kept in memory only)."""
        await self._apply(str(path)[:200], value, replan=False)

    @rx.event
    async def choose(self, path: str, value: str) -> None:
        """A choice changed: dependent questions show or hide at once."""
        await self._apply(str(path)[:200], value, replan=True)

    async def _apply(self, path: str, value: Any, *, replan: bool) -> None:
        definition = await self._ready()
        if definition is None:
            return
        try:
            self._answers = set_answer(definition, self._answers, path, _as_answer(value))
        except (ValueError, KeyError, IndexError, TypeError):
            return
        if replan:
            self._replan(definition)

    @rx.event
    async def add_item(self, group: str) -> None:
        """ "Add another ..." in a repeatable group."""
        definition = await self._ready()
        if definition is None:
            return
        try:
            self._answers = add_group_item(definition, self._answers, str(group))
        except (ValueError, KeyError):
            return
        self._replan(definition)

    @rx.event
    async def remove_item(self, group: str, index: int) -> None:
        """Remove one item of a repeatable group."""
        definition = await self._ready()
        if definition is None:
            return
        try:
            self._answers = remove_group_item(definition, self._answers, str(group), int(index))
        except (ValueError, KeyError, IndexError):
            return
        self._replan(definition)

    @rx.event
    def remove_document(self, _document_id: str) -> None:
        """Documents cannot be uploaded in a preview (nothing is stored), so there is nothing to remove."""

    @rx.event
    async def find_address(self, path: str):
        """The postcode finder works as it does for professionals (it only reads the address list)."""
        definition = await self._ready()
        if definition is None:
            return None
        path = str(path)[:200]
        found = await asyncio.to_thread(journey.find_addresses, self._answers, path)
        self.address_options = {**self.address_options, path: found.options}
        self.address_messages = {**self.address_messages, path: found.message}
        self._found_addresses = {**self._found_addresses, path: found.by_uprn}
        self._errors = {k: v for k, v in self._errors.items() if k != path} | (
            {path: [found.error]} if found.error else {}
        )
        self._replan(definition)
        return None

    @rx.event
    async def choose_address(self, path: str, uprn: str) -> None:
        """Fill an address field from an address the finder offered."""
        definition = await self._ready()
        chosen = self._found_addresses.get(str(path), {}).get(str(uprn))
        if definition is None or chosen is None:
            return
        for part, value in {**chosen, "uprn": str(uprn)}.items():
            try:
                self._answers = set_answer(definition, self._answers, f"{path}.{part}", value)
            except (ValueError, KeyError, IndexError, TypeError):
                return
        self._replan(definition)

    @rx.event
    async def check_section(self, form_data: FormData):
        """Validate this section exactly as "Save and continue" would; on success show the next one."""
        definition = await self._ready()
        if definition is None:
            return None
        self._answers = journey.merge_submitted(
            definition, self.section_key, self._answers, _form_entries(form_data), self._lookups
        )
        self._errors = validate(definition, self._answers, section_key=self.section_key, lookups=self._lookups)
        if self._errors:
            self._replan(definition)
            return self.show_errors(self._errors)
        self.errors = {}
        keys = [section.key for section in definition.sections]
        position = keys.index(self.section_key)
        if position + 1 < len(keys):
            self.message = f"No problems on “{self.section_title}”. This is the next section."
            self._show(definition, keys[position + 1])
        else:
            self.message = "No problems: a professional could now check their answers and send the request."
            self._replan(definition)
        return rx.call_script("window.scrollTo(0, 0)")

    @rx.event
    async def go_to(self, section_key: str) -> None:
        """Jump to a section of the preview."""
        definition = await self._ready()
        if definition is None:
            return
        self._errors, self.errors, self.message = {}, {}, ""
        self._show(definition, str(section_key)[:60])
