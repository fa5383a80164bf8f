"""``POST /api/session/extend``: *Stay signed in* from the timeout warning.

Resolving the session cookie touches its ``last_seen_at`` (services.sessions.resolve), which
is all extending an idle session means; an ended or expired session answers 401 so the page
can send the user to sign in. Same-origin only, like the other session routes.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sen_portal.api.session_cookie import _same_origin, token_from_cookie_header
from sen_portal.config import get_settings
from sen_portal.db import session_scope
from sen_portal.services.auth import sessions

EXTEND_ROUTE = "/api/session/extend"


async def extend_session(request: Request) -> Response:
    if not _same_origin(request):
        return Response(status_code=403)
    token = token_from_cookie_header(request.headers.get("cookie", ""))

    def touch() -> bool:
        with session_scope() as db:
            return sessions.resolve(db, token=token, settings=get_settings()) is not None

    alive = await asyncio.to_thread(touch)
    return Response(status_code=204 if alive else 401, headers={"Cache-Control": "no-store"})


def keepalive_routes() -> list[Route]:
    return [Route(EXTEND_ROUTE, extend_session, methods=["POST"])]
