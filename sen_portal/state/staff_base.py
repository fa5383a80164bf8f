"""What every staff page shares: the role check on each handler and the acting member of staff."""

from __future__ import annotations

import reflex as rx

from sen_portal import client_ip
from sen_portal.models import UserRole
from sen_portal.services.audit import Actor
from sen_portal.state.auth import STAFF_ROLES, AuthState, CurrentUser, NotSignedIn, sign_in_redirect


class StaffState(AuthState):
    """Base for staff pages. ``refused`` is set when a signed-in non-staff user opens one (audited)."""

    refused: bool = False
    loaded: bool = False
    is_admin: bool = False  # shows the audit log link (the audit page checks the role itself)

    async def _staff(self, *roles: str) -> CurrentUser:
        """The signed-in staff member or NotSignedIn; a professional is refused and audited (AuthState)."""
        return await self._require_user(*(roles or STAFF_ROLES))

    def _actor(self, user: CurrentUser) -> Actor:
        return Actor(user_id=user.id, email=user.email, client_ip=client_ip.of_router(self.router))

    async def _open(self, *roles: str) -> tuple[CurrentUser | None, rx.event.EventSpec | None]:
        """For on_load: (user, None), or (None, redirect to sign-in), or (None, None) after showing "no access"."""
        self.loaded = False
        try:
            user = await self._staff(*roles)
        except NotSignedIn:
            if await self._current_user() is None:
                return None, sign_in_redirect(self.router.url.path or "/staff")
            self.refused = True
            self.signed_in = True
            return None, None
        self.refused = False
        self.signed_in = True
        self.display_name = user.display_name
        self.is_staff = True
        await self._show_in_header(user)
        self.is_admin = user.role == UserRole.ADMIN
        return user, None
