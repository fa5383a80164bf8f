"""``POST /api/unsubscribe?token=...``: RFC 8058 one-click unsubscribe, as mail clients send it.

The List-Unsubscribe header points here; the link in the email body opens the /unsubscribe page
instead (a GET must change nothing, because mail scanners prefetch links). No cookie is needed or
read: the signed token is the whole authority, and it can only turn maintenance emails off.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from sen_portal import client_ip as client_address
from sen_portal.config import get_settings
from sen_portal.db import session_scope
from sen_portal.routes import UNSUBSCRIBE, UNSUBSCRIBE_ONE_CLICK
from sen_portal.services import unsubscribe

HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


async def one_click(request: Request) -> Response:
    token = str(request.query_params.get("token", ""))[:100]
    if request.method != "POST":
        # A client (or a person) that GETs the header's URL gets the page with the confirm button:
        # a GET never unsubscribes, because mail scanners prefetch links.
        return RedirectResponse(f"{UNSUBSCRIBE}?{urlencode({'token': token})}", status_code=303, headers=HEADERS)
    client_ip = client_address.of_request(request)

    def run() -> bool:
        with session_scope() as db:
            return unsubscribe.unsubscribe(db, token=token, settings=get_settings(), client_ip=client_ip).ok

    ok = await asyncio.to_thread(run)
    if not ok:
        return Response("This unsubscribe link is not valid.", status_code=404, headers=HEADERS)
    return Response("You will no longer get emails about maintenance.", status_code=200, headers=HEADERS)


def unsubscribe_routes() -> list[Route]:
    return [Route(UNSUBSCRIBE_ONE_CLICK, one_click, methods=["GET", "POST"])]
