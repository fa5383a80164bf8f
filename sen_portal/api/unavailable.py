"""A page opened while the database is down says the portal is unavailable.

Pages are drawn in the browser and filled by their on-load handlers; with PostgreSQL down those fail
and the page would show an empty shell ("step 0 of 0") with only a toast. So a full page load (a
GET for HTML, not an asset, the websocket or an API route) first checks the database — one pooled
``SELECT 1``, next to the page's own queries — and while it cannot be reached answers 503 with the
GOV.UK "Sorry, the service is unavailable" page, which the browser shows instead. Pages already
open are handled by the event handlers ("try again", state/errors.py).
"""

from __future__ import annotations

import asyncio
import html
import time
from typing import Any

from sen_portal import routes
from sen_portal.api.health import _database_ok
from sen_portal.config import get_settings

Scope = dict[str, Any]
# Non-page paths (Reflex's socket and uploads, our API routes, monitoring, the dev mailbox) and the
# pages that need no database, which stay readable during an outage (how to contact the SEN team).
NOT_PAGES = ("/_", "/api/", "/health", "/metrics", "/documents/", "/dev/")
NO_DATABASE_PAGES = {routes.ACCESSIBILITY, routes.PRIVACY, routes.CONTACT}
# An outage is remembered briefly, so page loads during it do not each wait on a database that hangs
# rather than refuses. Success is never remembered: a page opened a moment after the database went
# down must say so, not draw the empty form.
OUTAGE_REMEMBERED_SECONDS = 2.0


class DatabaseCheck:
    """Whether the database answers now (a known outage is re-checked at most every 2 seconds)."""

    def __init__(self) -> None:
        self._down_since_check = float("-inf")

    async def ok(self) -> bool:
        if time.monotonic() - self._down_since_check < OUTAGE_REMEMBERED_SECONDS:
            return False
        ok = await asyncio.to_thread(_database_ok)
        if not ok:
            self._down_since_check = time.monotonic()
        return ok


def is_page_load(scope: Scope) -> bool:
    if scope["type"] != "http" or scope["method"] != "GET":
        return False
    path: str = scope["path"]
    last = path.rsplit("/", 1)[-1]
    if (
        path.startswith(NOT_PAGES) or path.rstrip("/") in NO_DATABASE_PAGES or "." in last
    ):  # assets have extensions; routes do not
        return False
    accept = dict(scope["headers"]).get(b"accept", b"")
    return b"text/html" in accept


def unavailable_page() -> bytes:
    settings = get_settings()
    service, council = html.escape(settings.service_name), html.escape(settings.council_name)
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>Sorry, the service is unavailable – {service}</title>
<link rel="stylesheet" href="/portal.css"></head>
<body><main id="main-content">
<h1>Sorry, the service is unavailable</h1>
<p>The {service} is unavailable just now. Nothing you have saved or sent has been lost.</p>
<p>Try again in a few minutes: reload this page.</p>
<p>If you need to contact the SEN team urgently, contact {council}.</p>
</main></body></html>
""".encode()


class UnavailablePageMiddleware:
    """ASGI middleware (pure, so streamed uploads and websockets pass through untouched)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.database = DatabaseCheck()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if is_page_load(scope) and not await self.database.ok():
            body = unavailable_page()
            headers = [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"retry-after", b"60"),
            ]
            await send({"type": "http.response.start", "status": 503, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
