"""The audit log, for administrators: filter by action, person, object and dates."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import reflex as rx
from reflex_base.utils.form import FormData

from sen_portal import routes
from sen_portal.db import session_scope
from sen_portal.models import UserRole
from sen_portal.services.platform import audit
from sen_portal.state.auth import NotSignedIn, sign_in_redirect
from sen_portal.state.form_errors import FormErrorsMixin
from sen_portal.state.staff_base import StaffState

PAGE_SIZE = 50
ACTION_OPTIONS = [{"value": "", "label": "Any action"}] + [
    {"value": a.value, "label": a.value.replace("_", " ").capitalize()} for a in audit.AuditAction
]


def _day(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip()[:10]).replace(tzinfo=UTC) if text.strip() else None
    except ValueError:
        return None


def _search(filters: audit.AuditFilter, page: int) -> tuple[list[dict[str, str]], int, int, int]:
    with session_scope() as db:
        found = audit.search(db, filters, page=page, page_size=PAGE_SIZE)
        rows = [
            {
                "when": e.occurred_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
                "who": e.actor_email or (str(e.actor_user_id) if e.actor_user_id else "—"),
                "action": e.action,
                "object": f"{e.object_type} {e.object_id}".strip(),
                "outcome": e.outcome,
                "ip": e.client_ip,
                "detail": json.dumps(e.detail, sort_keys=True) if e.detail else "",
            }
            for e in found.events
        ]
        return rows, found.total, found.page, found.page_count


def _filters_from(values: dict[str, str]) -> audit.AuditFilter:
    until = _day(values.get("until", ""))
    return audit.AuditFilter(
        action=values.get("action", "")[:60],
        actor_email=values.get("email", ""),
        object_id=values.get("object_id", "")[:64],
        since=_day(values.get("since", "")),
        until=until + timedelta(days=1) if until else None,  # "to" includes the whole day
    )


class StaffAuditState(FormErrorsMixin, StaffState):
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    page_count: int = 1
    action_options: list[dict[str, str]] = ACTION_OPTIONS
    _filter_values: dict[str, str] = {}

    async def _refresh(self):
        try:
            await self._staff(UserRole.ADMIN)
        except NotSignedIn:
            return sign_in_redirect(routes.STAFF_AUDIT)
        filters = _filters_from(self._filter_values)
        self.rows, self.total, self.page, self.page_count = await asyncio.to_thread(_search, filters, self.page)
        self.loaded = True
        return None

    @rx.event
    async def load(self):
        """Open the audit log (administrators only), newest first."""
        user, redirect = await self._open(UserRole.ADMIN)
        if user is None:
            return redirect
        self._filter_values, self.page, self.errors = {}, 1, {}
        return await self._refresh()

    @rx.event
    async def apply_filters(self, form_data: FormData):
        """Filter the log; dates are whole days ("to" includes the day itself)."""
        values = {str(k): str(v)[:254] for k, v in form_data.multi_items() if isinstance(v, str)}
        errors = {
            name: ["Enter a real date, like 2026-11-27"]
            for name in ("since", "until")
            if values.get(name, "").strip() and _day(values[name]) is None
        }
        if errors:
            return self.show_errors(errors)
        self.errors = {}
        self._filter_values = {key: values.get(key, "") for key in ("action", "email", "object_id", "since", "until")}
        self.page = 1
        return await self._refresh()

    @rx.event
    async def go_to_page(self, page: int):
        """Another page of the same results."""
        try:
            self.page = min(max(1, int(page)), 100_000)  # an absurd page would overflow OFFSET
        except (TypeError, ValueError):
            self.page = 1
        return await self._refresh()
