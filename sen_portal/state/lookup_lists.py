"""The lookup lists page: add, rename, retire and bring back entries (admins only, every change audited)."""

from __future__ import annotations

import asyncio

import reflex as rx
from reflex_base.utils.form import FormData

from sen_portal.models import UserRole
from sen_portal.services.lookups import lookup_admin
from sen_portal.state.auth import AuthState, sign_in_redirect
from sen_portal.state.designer_base import DesignerBase, form_entries


class LookupListsState(DesignerBase, AuthState):
    rows: list[dict[str, str]] = []
    revision: int = 0
    changes_made: int = 0

    async def _refresh(self) -> None:
        self.rows = await asyncio.to_thread(lookup_admin.lists_view)
        self.revision += 1

    @rx.event
    async def load(self):
        """/staff/lookups: every list and its entries, retired ones included."""
        user = await self._signed_in(UserRole.ADMIN)
        if user is None:
            return sign_in_redirect(self.router.url.path)
        self.errors, self.message = {}, ""
        await self._refresh()
        return None

    async def _change(self, operation: str, values: dict[str, str], error_key: str):
        user = await self._admin()
        if user is None:
            return None
        try:
            said = await asyncio.to_thread(
                lambda: lookup_admin.change(
                    self._actor(user),
                    operation=operation,
                    list_key=values.get("list_key", "")[:50],
                    value=values.get("value", "")[:100],
                    label=values.get("label", ""),
                )
            )
        except lookup_admin.LookupChangeRefused as refused:
            return self.show_errors({error_key: [str(refused)]})
        self.errors, self.message = {}, said
        self.changes_made += 1  # empties the boxes (page loads do not, so typing is never wiped)
        await self._refresh()
        return None

    @rx.event
    async def add(self, form_data: FormData):
        """A new entry (its stored value is made from the name once and never changes)."""
        values = form_entries(form_data)
        list_key = values.get("list_key", "")[:50]
        # An error goes beside the box it came from: a list's own "New entry" box, or "Start a new list".
        known = any(row["list_key"] == list_key for row in self.rows)
        return await self._change("add", values, f"new-{list_key}" if known else "new-list")

    @rx.event
    async def rename(self, form_data: FormData):
        """A new name for an entry; requests that chose it keep the same stored value."""
        values = form_entries(form_data)
        return await self._change(
            "rename", values, "label-" + values.get("list_key", "")[:50] + "-" + values.get("value", "")[:100]
        )

    @rx.event
    async def retire(self, list_key: str, value: str, retired: bool):
        """Stop offering an entry (old requests still show it), or offer it again."""
        operation = "retire" if retired else "restore"
        return await self._change(operation, {"list_key": str(list_key), "value": str(value)}, "lookups")
