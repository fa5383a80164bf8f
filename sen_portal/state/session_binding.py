"""One identity: every tab's page state belongs to the session cookie, never to the tab token.

Reflex keeps each tab's state on the server keyed by the *client token* (client-chosen, in the
websocket URL) and hands it to whichever socket presents that token. Our user is the *session
cookie*. This module makes the two one, in one place that every event passes through:

* ``SessionBindingMiddleware`` is a Reflex event middleware (``app.add_middleware``). Reflex runs
  it in ``BaseStateEventProcessor._execute_event`` for **every** event, ``hydrate_and_load`` and
  the on-load chain included, under the state lock, *after* the event's router data (the
  websocket handshake's headers, or the upload request's, see api/upload_gate.py) has been merged
  into the state and *before* any handler runs or any delta is emitted.
* It resolves the request's own cookie (one database read per event, cached for the rest of the
  event in a context variable so ``AuthState._require_user`` does not read again) and compares the
  session id with ``SessionBindingState._bound_session_id``, a backend-only var (never sent to the
  browser). No session, or a different one: every var of every state of this token is reset to its
  default (all substates, loaded or not; a state class added tomorrow is covered because the walk
  starts at the root and follows ``get_substates()``), then the event proceeds as signed out.

Sign-out, disabling, expiry and a password reset all end the session row, so the next event on any
tab, on any worker, finds no session and resets. Sign-out also resets at once (``reset_all_states``
from the sign-out handler) so nothing rests on disk until then.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import reflex as rx
from reflex.middleware import Middleware
from reflex_base.event import get_hydrate_event
from sqlalchemy.exc import DBAPIError

from sen_portal.config import get_settings
from sen_portal.db import session_scope
from sen_portal.services.auth import sessions
from sen_portal.services.auth.sessions import token_from_cookie_header
from sen_portal.services.auth.two_factor_policy import must_set_up_authenticator

if TYPE_CHECKING:
    from reflex.app import App
    from reflex.state import BaseState, StateUpdate
    from reflex_base.event import Event

logger = logging.getLogger(__name__)

SIGNED_OUT = 0  # the bound session id of a state built without a session


@dataclass(frozen=True)
class CurrentUser:
    id: int
    email: str
    role: str
    first_name: str
    last_name: str
    needs_authenticator: bool = False
    approval_status: str = "approved"
    session_id: int = SIGNED_OUT

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email


def resolve_session(token: str) -> CurrentUser | None:
    """The user behind a session cookie token (one database read), or None."""
    if not token:
        return None
    with session_scope() as db:
        found = sessions.resolve_with_id(db, token=token, settings=get_settings())
        if found is None or found[0].id is None:
            return None
        user, session_id = found
        return CurrentUser(
            user.id,
            user.email,
            user.role,
            user.first_name,
            user.last_name,
            needs_authenticator=must_set_up_authenticator(user, get_settings()),
            approval_status=user.approval_status,
            session_id=session_id,
        )


# (cookie token, who it resolved to) for the event running in this task. Reflex runs each event in
# its own asyncio task, so this never leaks into another event; a new event resolves again.
_resolved_this_event: contextvars.ContextVar[tuple[str, CurrentUser | None] | None] = contextvars.ContextVar(
    "sen_portal_resolved_session", default=None
)


async def user_for_cookie(cookie_header: str) -> CurrentUser | None:
    """The session's user for this event: resolved once per event, then reused."""
    token = token_from_cookie_header(cookie_header)
    cached = _resolved_this_event.get()
    if cached is not None and cached[0] == token:
        return cached[1]
    user = await asyncio.to_thread(resolve_session, token) if token else None
    _resolved_this_event.set((token, user))
    return user


def forget_resolved_session() -> None:
    """After a handler ends sessions, the rest of its event must look the cookie up again."""
    _resolved_this_event.set(None)


class SessionBindingState(rx.State):
    """Which session this tab's state was built for (backend-only: never in a delta)."""

    _bound_session_id: int = SIGNED_OUT


def _state_classes(root_cls: type[BaseState]) -> list[type[BaseState]]:
    """Every state class under the root (ours, and any added later), Reflex's own excepted."""
    found: list[type[BaseState]] = []
    pending = list(root_cls.get_substates())
    while pending:
        cls = pending.pop()
        pending.extend(cls.get_substates())
        if not cls.__module__.startswith(("reflex.", "reflex_")):
            found.append(cls)
    return found


async def reset_all_states(root: BaseState) -> None:
    """Reset every var of every state of this token to its default, loading those not in memory.

    ``BaseState.reset`` only walks substates already loaded; the Redis manager loads substates on
    demand, so an unloaded one would otherwise come back from storage with the old user's data.
    """
    for cls in _state_classes(type(root)):
        state = await root.get_state(cls)
        for name, field in cls.__fields__.items():
            if field._owner is cls and not name.startswith("rx_router") and name != "router_data":
                setattr(state, name, field.default_value())


class SessionBindingMiddleware(Middleware):
    """Binds page state to the request's session before any handler runs (see the module docstring)."""

    async def preprocess(self, app: App, state: BaseState, event: Event) -> StateUpdate | None:
        root = state._get_root_state()
        try:
            user = await user_for_cookie(root.router.headers.cookie)
        except DBAPIError:
            # The database is unreachable, so nobody can be checked. A hydrate would send the whole
            # stored state, so it fails closed (emptied as for a stranger). Any other event runs: every
            # handler checks the session again and cannot, and says "try again" in its own words when
            # it can (ReferralState.submit) instead of emptying the page the person is looking at.
            logger.warning("session check failed: database unreachable (event %s)", event.name)
            if event.name == get_hydrate_event(state):
                await reset_all_states(root)
                (await root.get_state(SessionBindingState))._bound_session_id = SIGNED_OUT
            return None
        session_id = user.session_id if user else SIGNED_OUT
        binding = await root.get_state(SessionBindingState)
        if binding._bound_session_id != session_id:
            if binding._bound_session_id != SIGNED_OUT:
                logger.info("page state reset: its session is no longer the request's (event %s)", event.name)
            await reset_all_states(root)
            binding._bound_session_id = session_id
        return None
