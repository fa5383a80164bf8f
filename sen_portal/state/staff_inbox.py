"""The staff inbox: filters, search, sort and pages over every sent referral."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import reflex as rx
from reflex_base.utils.form import FormData

from sen_portal import routes
from sen_portal.services import staff_cases
from sen_portal.services.referral_workflow import STATUS_LABELS, WorkflowRefused
from sen_portal.services.staff_inbox import InboxQuery
from sen_portal.services.statutory_dates import council_today
from sen_portal.state.auth import NotSignedIn, sign_in_redirect
from sen_portal.state.staff_base import StaffState

STATUS_OPTIONS = [{"value": "", "label": "Any status"}] + [
    {"value": value, "label": label} for value, label in STATUS_LABELS.items() if value != "draft"
]


class StaffInboxState(StaffState):
    rows: list[dict[str, str]] = []
    total: int = 0
    total_label: str = ""
    page: int = 1
    page_count: int = 1
    setting_options: list[str] = []
    status_options: list[dict[str, str]] = STATUS_OPTIONS
    status: str = ""
    mine: bool = False
    overdue: bool = False
    setting: str = ""
    search: str = ""
    sort: str = "received"
    direction: str = "desc"
    csv_href: str = routes.STAFF_INBOX_CSV
    form_key: int = 0

    def _params(self) -> dict[str, str]:
        return {
            "status": self.status,
            "mine": "1" if self.mine else "",
            "overdue": "1" if self.overdue else "",
            "setting": self.setting,
            "q": self.search,
            "sort": self.sort,
            "dir": self.direction,
            "page": str(self.page),
        }

    async def _refresh(self, user) -> None:
        query = InboxQuery.from_params(self._params(), me=user.id, today=council_today())
        view = await asyncio.to_thread(staff_cases.inbox, self._actor(user), query)
        self.rows, self.total, self.page, self.page_count = view.rows, view.total, view.page, view.page_count
        self.total_label = view.total_label
        self.setting_options = view.settings
        self.csv_href = f"{routes.STAFF_INBOX_CSV}?{urlencode(query.as_params())}"
        self.loaded = True

    async def _checked_refresh(self):
        try:
            user = await self._staff()
            await self._refresh(user)
        except (NotSignedIn, WorkflowRefused):
            return sign_in_redirect(routes.STAFF_INBOX)
        return None

    @rx.event
    async def load(self):
        """Open the inbox (staff only)."""
        user, redirect = await self._open()
        if user is None:
            return redirect
        try:
            await self._refresh(user)
        except WorkflowRefused:
            self.refused = True
        return None

    @rx.event
    async def apply_filters(self, form_data: FormData):
        """Show the first page of referrals matching the filters (one submit: no per-keystroke events)."""
        values = {str(k): str(v) for k, v in form_data.multi_items() if isinstance(v, str)}
        self.status = values.get("status", "")[:30]
        self.mine = values.get("mine", "") in ("1", "on", "true")
        self.overdue = values.get("overdue", "") in ("1", "on", "true")
        self.setting = values.get("setting", "")[:200]
        self.search = values.get("q", "").strip()[:100]
        self.sort = values.get("sort", "received")[:20]
        self.direction = "asc" if values.get("dir") == "asc" else "desc"
        self.page = 1
        return await self._checked_refresh()

    @rx.event
    async def clear_filters(self):
        """Back to every referral, newest first."""
        self.status, self.mine, self.overdue, self.setting, self.search = "", False, False, "", ""
        self.sort, self.direction, self.page = "received", "desc", 1
        self.form_key += 1  # the filter inputs are uncontrolled: a new key redraws them empty
        return await self._checked_refresh()

    @rx.event
    async def go_to_page(self, page: int):
        """Another page of the same results."""
        try:
            self.page = max(1, int(page))
        except (TypeError, ValueError):
            self.page = 1
        return await self._checked_refresh()
