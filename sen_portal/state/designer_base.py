"""What every form designer page shares: admins only, the actor for the audit log, query parameters."""

from __future__ import annotations

from collections.abc import Mapping

from sen_portal import client_ip
from sen_portal.models import UserRole
from sen_portal.services.audit import Actor
from sen_portal.state.auth import AuthState, CurrentUser, NotSignedIn
from sen_portal.state.form_errors import FormErrorsMixin


class DesignerBase(FormErrorsMixin, mixin=True):
    """Mixed into each designer state (with AuthState), so every page keeps its own message and errors.

    Every handler calls ``_admin`` first: the browser can send any event to any handler.
    """

    message: str = ""

    def _query(self, key: str, limit: int = 64) -> str:
        return self.router.url.query_parameters.get(key, "")[:limit]

    async def _admin(self) -> CurrentUser | None:
        """The signed-in admin, or None (anyone else is refused, and audited by ``_require_user``)."""
        assert isinstance(self, AuthState)  # every designer state is also an AuthState
        try:
            return await self._require_user(UserRole.ADMIN)
        except NotSignedIn:
            return None

    def _actor(self, user: CurrentUser) -> Actor:
        return Actor(user_id=user.id, email=user.email, client_ip=client_ip.of_router(self.router))


def form_entries(form_data: Mapping[str, object] | None, *, limit: int = 20_000) -> dict[str, str]:
    """A submitted form as name -> last value, bounded (a hand-made event may send anything)."""
    entries: dict[str, str] = {}
    for name, value in (form_data or {}).items():
        if isinstance(value, str) and len(entries) < 200:
            entries[str(name)[:100]] = value[:limit]
    return entries
