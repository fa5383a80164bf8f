"""/unsubscribe?token=...: a page with a confirm button (mail scanners fetch links; only a person
clicks), no sign-in needed. The token is checked by the service on the click, not trusted from the page."""

from __future__ import annotations

import asyncio

import reflex as rx

from sen_portal import client_ip
from sen_portal.config import get_settings
from sen_portal.db import session_scope
from sen_portal.services import unsubscribe


def _unsubscribe(token: str, ip: str) -> unsubscribe.UnsubscribeResult:
    with session_scope() as db:
        return unsubscribe.unsubscribe(db, token=token, settings=get_settings(), client_ip=ip)


class UnsubscribeState(rx.State):
    # "confirm" | "done" | "invalid"
    stage: str = "confirm"
    masked_email: str = ""
    _token: str = ""

    @rx.event
    def load(self) -> None:
        """Keep the token server-side; a malformed one is refused without a button."""
        token = self.router.url.query_parameters.get("token", "")[:100]
        self._token = token
        self.masked_email = ""
        self.stage = "confirm" if unsubscribe.user_id_from(get_settings(), token) is not None else "invalid"

    @rx.event
    async def confirm(self, _form: dict | None = None) -> None:
        """The person clicked: turn maintenance emails off (idempotent)."""
        result = await asyncio.to_thread(_unsubscribe, self._token, client_ip.of_router(self.router))
        self.stage = "done" if result.ok else "invalid"
        self.masked_email = result.masked_email
