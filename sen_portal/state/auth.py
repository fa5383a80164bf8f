"""Who is asking: every handler that touches user data calls ``_require_user``.

The session lives in an HttpOnly cookie that the websocket carries in its
headers (``router.headers.cookie``); it is looked up in the database once per
event (state/session_binding.py, which also resets the tab's state when the
cookie's session is not the one it was built for), so sign-out, "sign out of
all devices" and account disabling take effect at once on every worker. Page
guards are only a convenience redirect.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import quote

import reflex as rx

from sen_portal import client_ip, routes
from sen_portal.db import session_scope
from sen_portal.models.accounts import STAFF_ROLES
from sen_portal.routes import SIGN_OUT_ROUTE
from sen_portal.services.messaging import messages
from sen_portal.services.platform import audit
from sen_portal.state.session_binding import (
    CurrentUser,
    reset_all_states,
    user_for_cookie,
)

logger = logging.getLogger(__name__)


class NotSignedIn(Exception):
    """The caller has no valid session (or not the role the handler needs)."""


def unread_for(user_id: int) -> int:
    """Unread portal messages for the header (one small query, on page loads only)."""
    with session_scope() as db:
        return messages.unread_count_for_user(db, user_id=user_id)


def sign_in_redirect(path: str) -> rx.event.EventSpec:
    return rx.redirect(f"{routes.SIGN_IN}?next={quote(path, safe='/')}")


class HeaderState(rx.State):
    """What the header shows about the signed-in person: one copy for every page.

    Each page's state class is a separate Reflex substate with its own vars, so the header
    reads this one instead; AuthState keeps it current whenever a page checks the session.
    """

    display_name: str = ""
    is_staff: bool = False
    unread_messages: int = 0


class AuthState(rx.State):
    """Base for signed-in pages: the checks, and the header kept current (HeaderState)."""

    signed_in: bool = False
    display_name: str = ""
    is_staff: bool = False  # shows the "Staff" header link; every staff handler still checks the role
    unread_messages: int = 0

    async def _current_user(self) -> CurrentUser | None:
        # The binding middleware already resolved this event's cookie: no second database read.
        return await user_for_cookie(self.router.headers.cookie)

    async def _require_user(self, *roles: str) -> CurrentUser:
        """The signed-in user, or NotSignedIn. With ``roles``, the user must have one of them.

        A signed-in user without the role is refused *and* audited: a professional
        reaching a staff handler has hand-made an event or URL, which staff should see.
        """
        user = await self._current_user()
        if user is None:
            raise NotSignedIn
        if roles and user.role not in roles:
            await asyncio.to_thread(self._audit_refusal, user, roles)
            raise NotSignedIn
        if roles and user.needs_authenticator:
            # Staff pages wait until the required authenticator app is set up.
            raise NotSignedIn
        return user

    def _audit_refusal(self, user: CurrentUser, roles: tuple[str, ...]) -> None:
        with session_scope() as db:
            audit.record(
                db,
                action=audit.AuditAction.ACCESS_REFUSED,
                actor_user_id=user.id,
                actor_email=user.email,
                object_type="page",
                object_id=self.router.url.path or "",
                client_ip=client_ip.of_router(self.router),
                outcome="refused",
                detail={"state": self.get_full_name(), "needs_role": ",".join(sorted(roles)), "role": user.role},
            )
        logger.warning("refused user %s (role %s) at %s", user.id, user.role, self.router.url.path)

    async def _signed_in(self, *roles: str) -> CurrentUser | None:
        """The signed-in user with the header updated, or None (the caller redirects to sign-in)."""
        try:
            user = await self._require_user(*roles)
        except NotSignedIn:
            return None
        self.signed_in = True
        self.display_name = user.display_name
        self.is_staff = user.role in STAFF_ROLES
        self.unread_messages = await asyncio.to_thread(unread_for, user.id)
        await self._show_in_header(user, unread=self.unread_messages)  # one count query, not two
        return user

    async def _show_in_header(self, user: CurrentUser | None, *, unread: int | None = None) -> None:
        """Update the shared header (name, Staff link, unread count); ``None`` clears it."""
        header = await self.get_state(HeaderState)
        header.display_name = user.display_name if user else ""
        header.is_staff = user is not None and user.role in STAFF_ROLES
        if user is None:
            header.unread_messages = 0
        else:
            header.unread_messages = unread if unread is not None else await asyncio.to_thread(unread_for, user.id)

    @rx.event
    async def guard_signed_in(self):
        """on_load guard for pages that need a session: off to sign-in and back."""
        user = await self._current_user()
        self.signed_in = user is not None
        self.display_name = user.display_name if user else ""
        self.is_staff = user is not None and user.role in STAFF_ROLES
        await self._show_in_header(user)
        if user is None:
            return sign_in_redirect(self.router.url.path or routes.DASHBOARD)
        return None

    @rx.event
    async def sign_out(self):
        """End the session on the server (the route clears the cookie), then go home."""
        # Nothing of this session rests in the tab's stored state once it is over.
        await reset_all_states(self._get_root_state())
        return rx.call_script(
            f"fetch('{SIGN_OUT_ROUTE}', {{method: 'POST', credentials: 'same-origin'}})"
            f".finally(() => window.location.assign('{routes.SIGNED_OUT}'))"
        )
