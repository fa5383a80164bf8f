"""``/metrics`` for the council's monitoring (Prometheus text format, sen_portal.operations.metrics).

Who may read it: a request made straight to the worker from this machine (loopback peer and no
X-Forwarded-For, so nothing that came through nginx counts as local), or one presenting
``Authorization: Bearer METRICS_TOKEN``. Everyone else gets a plain 404, as for any unknown path.
The numbers carry no personal data, but queue sizes and sign-in failures are nobody else's business.
"""

from __future__ import annotations

import asyncio
import hmac
from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from sen_portal import client_ip
from sen_portal.config import get_settings
from sen_portal.db import get_engine
from sen_portal.operations.metrics import render

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def allowed(request: Request, token: str) -> bool:
    if token:
        presented = request.headers.get("authorization", "")
        if hmac.compare_digest(presented.encode(), f"Bearer {token}".encode()):
            return True
    return client_ip.is_direct_loopback(request)


async def metrics(request: Request) -> Response:
    settings = get_settings()
    if not allowed(request, settings.metrics_token):
        return PlainTextResponse("Not Found", status_code=404, headers={"Cache-Control": "no-store"})
    try:
        body = await asyncio.to_thread(
            render,
            get_engine(),
            now=datetime.now(UTC),
            session_idle=timedelta(minutes=settings.session_idle_minutes),
        )
    except Exception:
        # The database is down: say so in a way monitoring can alert on, without a traceback page.
        body = "# HELP sen_portal_up Whether the portal could read its database.\n# TYPE sen_portal_up gauge\nsen_portal_up 0\n"
        return Response(body, status_code=503, media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})
    body += "# HELP sen_portal_up Whether the portal could read its database.\n# TYPE sen_portal_up gauge\nsen_portal_up 1\n"
    return Response(body, media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})


def metrics_routes() -> list[Route]:
    return [Route("/metrics", metrics, methods=["GET"])]
