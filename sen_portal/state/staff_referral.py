"""One referral, for council staff: answers, documents, timeline, assignment and status changes."""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import asdict

import reflex as rx
from reflex_base.utils.form import FormData

from sen_portal import routes
from sen_portal.services.casework import staff_cases
from sen_portal.services.referrals.referral_workflow import SentReferralNotFound, WorkflowRefused
from sen_portal.state.auth import CurrentUser, NotSignedIn, sign_in_redirect
from sen_portal.state.form_errors import FormErrorsMixin
from sen_portal.state.staff_base import StaffState

log = logging.getLogger(__name__)


def _values(form_data: FormData) -> dict[str, str]:
    return {str(k)[:40]: str(v)[:2000] for k, v in list(form_data.multi_items())[:20] if isinstance(v, str)}


class StaffReferralState(FormErrorsMixin, StaffState):
    referral_id: str = ""
    not_found: bool = False
    view: dict[str, str] = {}
    overdue: bool = False
    summary: list[dict[str, str]] = []
    documents: list[dict[str, str]] = []
    timeline: list[dict[str, str]] = []
    caseworkers: list[dict[str, str]] = []
    next_statuses: list[dict[str, str]] = []
    duplicates: list[dict[str, str]] = []
    message: str = ""
    form_key: int = 0  # bumped after a change so the uncontrolled forms redraw empty

    async def _show(self, user: CurrentUser, *, opened: bool = True) -> None:
        try:
            found = await asyncio.to_thread(
                functools.partial(staff_cases.referral, self._actor(user), self.referral_id, opened=opened)
            )
        except SentReferralNotFound:
            self.not_found, self.loaded = True, True
            self.summary = self.documents = self.timeline = []
            return
        lists = {"summary", "documents", "timeline", "caseworkers", "next_statuses", "duplicates", "overdue"}
        self.view = {key: str(value) for key, value in asdict(found).items() if key not in lists}
        self.overdue = found.overdue
        self.summary, self.documents, self.timeline = found.summary, found.documents, found.timeline
        self.caseworkers, self.next_statuses, self.duplicates = found.caseworkers, found.next_statuses, found.duplicates
        self.not_found, self.loaded = False, True

    @rx.event
    async def load(self):
        """/staff/referral?id=...: the referral read-only, and what staff can do next (opening it is audited)."""
        self.referral_id = self.router.url.query_parameters.get("id", "")[:32]
        self.errors, self.message = {}, ""
        user, redirect = await self._open()
        if user is None:
            return redirect
        try:
            await self._show(user)
        except WorkflowRefused:
            self.refused = True
        return None

    async def _act(self, action, done: str):
        """Run one change as the signed-in staff member, then redraw the page from the database."""
        try:
            user = await self._staff()
        except NotSignedIn:
            return sign_in_redirect(f"{routes.STAFF_REFERRAL}?id={self.referral_id}")
        try:
            await asyncio.to_thread(action, self._actor(user))
        except WorkflowRefused as refused:
            self.message = ""
            return self.show_errors(refused.errors)
        except SentReferralNotFound:
            self.not_found = True
            return None
        self.errors, self.message = {}, done
        self.form_key += 1
        await self._show(user, opened=False)
        return None

    @rx.event
    async def assign(self, form_data: FormData):
        """Give the referral to the chosen caseworker ("" = nobody)."""
        caseworker = staff_cases.parse_caseworker(_values(form_data).get("caseworker", ""))
        public_id = self.referral_id
        return await self._act(
            lambda actor: staff_cases.assign(actor, public_id, caseworker), "The caseworker has been changed."
        )

    @rx.event
    async def assign_to_me(self):
        """Take the referral on."""
        public_id = self.referral_id
        return await self._act(
            lambda actor: staff_cases.assign(actor, public_id, actor.user_id), "The referral is assigned to you."
        )

    @rx.event
    async def change_status(self, form_data: FormData):
        """Move the referral on (only the next statuses the workflow allows; declining needs a reason)."""
        values = _values(form_data)
        to_status, public_id = values.get("to_status", ""), self.referral_id
        return await self._act(
            lambda actor: staff_cases.change_status(
                actor,
                public_id,
                to_status=to_status,
                note=values.get("note", ""),
                reason=values.get("reason", ""),
            ),
            "The status has been changed.",
        )
