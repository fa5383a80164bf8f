"""Forms list (create, copy, import, export, archive) and the publish page: thin orchestrators, admins only."""

from __future__ import annotations

import asyncio
import logging

import reflex as rx
from reflex_base.utils.form import FormData

from sen_portal import routes
from sen_portal.forms.loading import MAX_DEFINITION_BYTES
from sen_portal.models import UserRole
from sen_portal.services.form_admin import designer_journey as journey
from sen_portal.state.auth import AuthState, sign_in_redirect
from sen_portal.state.designer_base import DesignerBase, form_entries

log = logging.getLogger(__name__)


class FormsListState(DesignerBase, AuthState):
    forms: list[dict[str, str]] = []
    archiving: str = ""  # the form whose archiving waits for confirmation
    archiving_title: str = ""

    async def _refresh(self) -> None:
        self.forms = await asyncio.to_thread(journey.forms_overview)

    @rx.event
    async def load(self):
        """/staff/forms: every form with its live, draft and archived versions."""
        user = await self._signed_in(UserRole.ADMIN)
        if user is None:
            return sign_in_redirect(self.router.url.path)
        self.errors, self.message = {}, ""
        await self._refresh()
        return None

    @rx.event
    async def create(self, form_data: FormData):
        """Start a new form (blank or a copy) as a draft, then open it in the editor."""
        user = await self._admin()
        if user is None:
            return None
        values = form_entries(form_data)
        try:
            key = await asyncio.to_thread(
                journey.create,
                self._actor(user),
                title=values.get("title", ""),
                reference_prefix=values.get("reference_prefix", ""),
                copy_from=values.get("copy_from", ""),
            )
        except journey.DesignRefused as refused:
            return self.show_errors(refused.errors)
        return rx.redirect(f"{routes.STAFF_FORM_EDIT}?key={key}")

    @rx.event
    async def import_definition(self, form_data: FormData):
        """A pasted YAML definition becomes its form's draft, checked exactly as shipped forms are."""
        user = await self._admin()
        if user is None:
            return None
        # A whole definition (the EHC request is about 20 kB); the loader refuses anything over its own cap.
        text = form_entries(form_data, limit=MAX_DEFINITION_BYTES + 1).get("definition", "")
        if not text.strip():
            return self.show_errors({"definition": ["Paste a form definition"]})
        try:
            key = await asyncio.to_thread(journey.import_definition, self._actor(user), text)
        except journey.DesignRefused as refused:
            return self.show_errors({"definition": ["; ".join(refused.errors.get("definition", []))[:2000]]})
        return rx.redirect(f"{routes.STAFF_FORM_EDIT}?key={key}")

    @rx.event
    async def export(self, form_key: str, version: str):
        """Download a version's definition as YAML (to import into another portal)."""
        user = await self._admin()
        version = str(version)
        if user is None or not (version.isascii() and version.isdecimal() and len(version) < 10):
            return None
        try:
            text = await asyncio.to_thread(journey.export, str(form_key)[:60], int(version))
        except journey.FormNotFound:
            return None
        return rx.download(data=text, filename=f"{str(form_key)[:60]}-v{int(version)}.yaml")

    @rx.event
    async def ask_archive(self, form_key: str):
        """First step of archiving: ask (a live form disappearing from "Start a new request" is a big change)."""
        if await self._admin() is None:
            return None
        chosen = next((f for f in self.forms if f["key"] == str(form_key)), None)
        self.archiving, self.archiving_title = (chosen["key"], chosen["title"]) if chosen else ("", "")
        return None

    @rx.event
    async def cancel_archive(self) -> None:
        """Keep the form as it is."""
        self.archiving, self.archiving_title = "", ""

    @rx.event
    async def archive(self):
        """Take the form being confirmed off "Start a new request" (requests already begun carry on)."""
        user = await self._admin()
        if user is None or not self.archiving:
            return None
        try:
            await asyncio.to_thread(journey.archive, self._actor(user), self.archiving)
        except journey.FormNotFound:
            return None
        self.archiving, self.archiving_title = "", ""
        await self._refresh()
        self.message = "The form has been archived. Professionals can no longer start it."
        return None


class PublishState(DesignerBase, AuthState):
    form_key: str = ""
    version: int = 0
    changes: list[str] = []
    problems: list[str] = []
    not_found: bool = False

    @rx.event
    async def load(self):
        """/staff/forms/publish?key=..: what changed since the live version, and what stops publishing."""
        user = await self._signed_in(UserRole.ADMIN)
        if user is None:
            return sign_in_redirect(self.router.url.path)
        self.form_key, self.message, self.errors = self._query("key"), "", {}
        try:
            self.version, self.changes, self.problems = await asyncio.to_thread(journey.publish_view, self.form_key)
            self.not_found = False
        except journey.FormNotFound:
            self.not_found = True
        return None

    @rx.event
    async def publish(self, _form: dict | None = None):
        """Make the draft live; refused (and shown) while the engine reports any problem."""
        user = await self._admin()
        if user is None:
            return None
        try:
            number = await asyncio.to_thread(journey.publish, self._actor(user), self.form_key)
        except journey.DesignRefused as refused:
            self.problems = refused.errors.get("publish", [])
            return self.show_errors({"publish": ["Fix the problems below before publishing"]})
        except journey.FormNotFound:
            self.not_found = True
            return None
        log.info("form %s: version %s published by user %s", self.form_key, number, user.id)
        self.message = f"Version {number} is live. New requests use it from now on."
        self.changes, self.problems = [], []
        return None

    @rx.event
    async def discard(self, _form: dict | None = None):
        """Throw the draft away; the live version stays as it is."""
        user = await self._admin()
        if user is None:
            return None
        try:
            await asyncio.to_thread(journey.discard, self._actor(user), self.form_key)
        except (journey.FormNotFound, journey.DesignRefused):
            return None
        return rx.redirect(routes.STAFF_FORMS)
