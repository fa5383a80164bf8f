"""The signed-in home page."""

from __future__ import annotations

import asyncio

import reflex as rx

from sen_portal.db import session_scope
from sen_portal.models import ApprovalStatus
from sen_portal.services.auth import sessions
from sen_portal.services.auth.sessions import token_from_cookie_header
from sen_portal.state.auth import STAFF_ROLES, AuthState, NotSignedIn, sign_in_redirect


class DashboardState(AuthState):
    """Dashboard display data (loaded after the session check)."""

    email: str = ""
    role: str = ""
    other_sessions_message: str = ""
    awaiting_approval: bool = False
    is_staff: bool = False

    @rx.event
    async def load(self):
        """Check the session, then show who is signed in."""
        user = await self._signed_in()
        if user is None:
            return sign_in_redirect(self.router.url.path)
        self.email = user.email
        self.role = user.role
        self.awaiting_approval = user.approval_status == ApprovalStatus.PENDING
        self.is_staff = user.role in STAFF_ROLES
        self.other_sessions_message = ""
        return None

    @rx.event
    async def sign_out_everywhere(self):
        """End every other session of this user (this device stays signed in)."""
        try:
            user = await self._require_user()
        except NotSignedIn:
            return sign_in_redirect(self.router.url.path)
        keep = token_from_cookie_header(self.router.headers.cookie)

        def end_others() -> int:
            with session_scope() as db:
                return sessions.end_all(db, user_id=user.id, keep_token=keep)

        ended = await asyncio.to_thread(end_others)
        self.other_sessions_message = f"Signed out of {ended} other device{'s' if ended != 1 else ''}."
        return None
