"""My requests: the signed-in professional's drafts and sent requests."""

from __future__ import annotations

import asyncio

import reflex as rx

from sen_portal.db import session_scope
from sen_portal.services.referrals import drafts as referrals
from sen_portal.services.referrals.referral_workflow import status_label
from sen_portal.state.auth import AuthState, sign_in_redirect


def _rows(user_id: int) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    with session_scope() as db:
        summaries = referrals.list_own(db, user_id=user_id)
        forms = [{"key": v.form_key, "title": v.title} for v in referrals.live_forms(db)]
    rows = [
        {
            "public_id": s.public_id,
            "reference": s.reference or "Not sent yet",
            "title": s.title,
            "child": s.child_name or "Not given yet",
            "status": status_label(s.status),
            "is_draft": "yes" if s.status == "draft" else "",
            "date": (s.submitted_at or s.updated_at).strftime("%-d %B %Y"),
        }
        for s in summaries
    ]
    return rows, forms


class MyRequestsState(AuthState):
    rows: list[dict[str, str]] = []
    forms: list[dict[str, str]] = []

    @rx.event
    async def load(self):
        """List the user's requests (their own only)."""
        user = await self._signed_in()
        if user is None:
            return sign_in_redirect(self.router.url.path)
        self.rows, self.forms = await asyncio.to_thread(_rows, user.id)
        return None
