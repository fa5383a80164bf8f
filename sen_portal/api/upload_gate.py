"""``POST /_upload`` answers to the upload request's own session cookie, never to the tab token alone.

Reflex's upload endpoint finds the tab's state by the ``Reflex-Client-Token`` header and enqueues
the upload handler with *no* router data of its own, so the handler used to see the cookie of the
tab's last websocket: anyone who learnt a token could upload as its owner without any cookie.

This ASGI middleware (inside the Starlette app of api/app.py, so it wraps Reflex's routes) does two
things for every upload request, before a byte of the body is read:

1. **Refuses** with 401 and an audit line, writing nothing, when the request's cookie resolves to
   no session, or to a session other than the one the tab's state is bound to
   (``SessionBindingState._bound_session_id``, see state/session_binding.py).
2. **Hands the request's own headers to the event**: it runs Reflex's endpoint under an
   ``EventContext`` whose router data is this request's (headers with its cookie, token, client
   address). Reflex forks the upload event's context from it and merges that router data into the
   state before the event middleware runs, so the same per-event binding check that guards every
   websocket event sees *this* request's cookie, and the handler's ``_require_user`` does too.
   Only the router data is replaced; the context is otherwise Reflex's own root context.

A registry keyed by client token was the alternative; it is ambiguous when two uploads for one
token overlap, whereas a context variable belongs to exactly this request.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging

from reflex.istate.manager.token import BaseStateToken
from reflex_base.constants import RouteVar
from reflex_base.event.context import EventContext
from reflex_base.registry import RegistrationContext
from starlette.types import ASGIApp, Receive, Scope, Send

from sen_portal.db import session_scope
from sen_portal.services.platform import audit

logger = logging.getLogger(__name__)

UPLOAD_PATH = "/_upload"


def _headers(scope: Scope) -> dict[str, str]:
    decoded: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        decoded[name] = f"{decoded[name]}{'; ' if name == 'cookie' else ', '}{value}" if name in decoded else value
    return decoded


async def _bound_session_of(client_token: str) -> int | None:
    """The session id the tab's state is bound to (None when there is no such state or app)."""
    from sen_portal.state.session_binding import SessionBindingState

    try:
        app = RegistrationContext.get().app
    except LookupError:
        return None
    root = await app.state_manager.get_state(BaseStateToken(ident=client_token, cls=SessionBindingState))
    binding = await root.get_state(SessionBindingState)
    return binding._bound_session_id


def _audit_refusal(*, user_id: int | None, email: str, handler: str, client_ip: str, reason: str) -> None:
    with session_scope() as db:
        audit.record(
            db,
            action=audit.AuditAction.ACCESS_REFUSED,
            actor_user_id=user_id,
            actor_email=email,
            object_type="upload",
            object_id=handler[-64:],
            client_ip=client_ip,
            outcome="refused",
            detail={"reason": reason},
        )
    logger.warning("upload refused (%s) from %s", reason, client_ip)


async def _refuse(send: Send) -> None:
    body = json.dumps({"detail": "Sign in again to upload files."}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [(b"content-type", b"application/json"), (b"cache-control", b"no-store")],
        }
    )
    await send({"type": "http.response.body", "body": body})


class UploadGate:
    """ASGI middleware: see the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("path") != UPLOAD_PATH:
            await self.app(scope, receive, send)
            return
        from sen_portal.state.session_binding import user_for_cookie

        headers = _headers(scope)
        client_token = headers.get("reflex-client-token", "")[:100]
        client_ip = (scope.get("client") or ("",))[0] or ""
        user = await user_for_cookie(headers.get("cookie", ""))
        reason = ""
        if user is None:
            reason = "no session"
        elif not client_token or await _bound_session_of(client_token) != user.session_id:
            reason = "not this tab's session"
        if reason:
            await asyncio.to_thread(
                _audit_refusal,
                user_id=user.id if user else None,
                email=user.email if user else "",
                handler=headers.get("reflex-event-handler", "")[:200],
                client_ip=client_ip,
                reason=reason,
            )
            await _refuse(send)
            return
        router_data = {RouteVar.HEADERS: headers, RouteVar.CLIENT_TOKEN: client_token, RouteVar.CLIENT_IP: client_ip}
        context = EventContext.set(dataclasses.replace(EventContext.get(), router_data=router_data))
        try:
            await self.app(scope, receive, send)
        finally:
            EventContext.reset(context)
