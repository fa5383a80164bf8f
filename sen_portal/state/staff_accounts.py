"""Staff > Accounts: approve or reject new professionals; admins disable and re-enable accounts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import reflex as rx

from sen_portal.config import get_settings
from sen_portal.db import session_scope
from sen_portal.models import UserAccount, UserRole
from sen_portal.services.accounts import account_vetting as vetting
from sen_portal.state.auth import CurrentUser, NotSignedIn, sign_in_redirect
from sen_portal.state.form_errors import FormErrorsMixin
from sen_portal.state.staff_base import StaffState


def _row(user: UserAccount) -> dict[str, str]:
    status = (
        "Disabled" if not user.is_active else {"pending": "Waiting for approval"}.get(user.approval_status, "Active")
    )
    return {
        "id": str(user.id),
        "name": user.full_name or "(no name given)",
        "email": user.email,
        "organisation": user.organisation,
        "role": user.professional_role_other or user.professional_role or user.role.capitalize(),
        "registered": user.created_at.strftime("%d %b %Y"),
        "status": status,
        "is_active": "yes" if user.is_active else "",
    }


class StaffAccountsState(FormErrorsMixin, StaffState):
    pending: list[dict[str, str]] = []
    search_text: str = ""
    found: list[dict[str, str]] = []
    searched: bool = False
    rejecting_id: str = ""
    rejecting_name: str = ""
    reject_reason: str = ""
    message: str = ""

    def _refresh(self) -> None:
        """Reload both lists (after every decision, so colleagues' decisions show too)."""
        # Only admins search accounts (disabling is theirs); a caseworker's hand-set search text is ignored.
        search = self.search_text if self.is_admin else ""

        def load() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
            with session_scope() as db:
                pending = [_row(user) for user in vetting.pending_accounts(db)]
                found = [_row(user) for user in vetting.find_accounts(db, text=search)] if search else []
                return pending, found

        self.pending, self.found = load()

    @rx.event
    async def load(self):
        """Staff only; professionals are refused (and the refusal audited)."""
        user, redirect = await self._open()
        if user is None:
            return redirect
        self.errors, self.message, self.rejecting_id = {}, "", ""
        await asyncio.to_thread(self._refresh)
        self.loaded = True
        return None

    async def _decide(self, decision: Callable[[Any, CurrentUser], None], done: str, *roles: str):
        try:
            user = await self._staff(*roles)
        except NotSignedIn:
            return sign_in_redirect(self.router.url.path)

        def run() -> str:
            try:
                with session_scope() as db:
                    decision(db, user)
            except vetting.VettingError as error:
                return str(error)
            self._refresh()
            return ""

        problem = await asyncio.to_thread(run)
        self.message = "" if problem else done
        return self.show_errors({"accounts": [problem]}) if problem else None

    @rx.event
    async def approve(self, user_id: str):
        """Approve a waiting account (emailed)."""
        target = _id(user_id)
        return await self._decide(
            lambda db, me: vetting.approve(db, user_id=target, actor=self._actor(me), settings=get_settings()),
            "Account approved. We have emailed the person.",
        )

    @rx.event
    def start_reject(self, user_id: str, name: str):
        """Ask for the reason (the form below the table gets focus)."""
        self.rejecting_id, self.rejecting_name, self.reject_reason = user_id, name, ""
        self.errors = {}
        return rx.call_script("setTimeout(() => document.getElementById('reject-reason')?.focus(), 50)")

    @rx.event
    def set_reject_reason(self, value: str):
        self.reject_reason = value[: vetting.REASON_MAX + 100]
        self.clear_error("reject-reason")

    @rx.event
    def cancel_reject(self):
        self.rejecting_id = ""
        self.errors = {}

    @rx.event
    async def reject(self, _form: dict | None = None):
        """Reject with the reason given (emailed; the account is closed)."""
        if not self.reject_reason.strip():
            return self.show_errors({"reject-reason": ["Enter the reason, so the person knows what to do next"]})
        target, reason = _id(self.rejecting_id), self.reject_reason
        events = await self._decide(
            lambda db, me: vetting.reject(
                db, user_id=target, actor=self._actor(me), reason=reason, settings=get_settings()
            ),
            "Account rejected. We have emailed the person with your reason.",
        )
        if not self.errors:
            self.rejecting_id = ""
        return events

    @rx.event
    def set_search_text(self, value: str):
        self.search_text = value[:100]

    @rx.event
    async def search(self, _form: dict | None = None):
        """Find accounts by email or name (three characters or more)."""
        try:
            await self._require_user(UserRole.ADMIN)
        except NotSignedIn:
            return sign_in_redirect(self.router.url.path)
        if len(self.search_text.strip()) < 3:
            self.found, self.searched = [], False
            return self.show_errors({"search-text": ["Enter at least 3 characters of an email address or name"]})
        self.errors, self.searched = {}, True
        await asyncio.to_thread(self._refresh)
        return None

    @rx.event
    async def set_active(self, user_id: str, active: bool):
        """Disable (every session ends at once) or re-enable an account. Admins only."""
        target = _id(user_id)
        return await self._decide(
            lambda db, me: vetting.set_active(db, user_id=target, active=active is True, actor=self._actor(me)),
            "Account re-enabled." if active else "Account disabled. Its sessions have ended.",
            UserRole.ADMIN,
        )


def _id(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0
