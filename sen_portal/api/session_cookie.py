"""``/api/session``: swap a one-time sign-in ticket for the HttpOnly session cookie, or end it.

Page scripts cannot read the cookie (HttpOnly) and other sites cannot send it
with a POST (SameSite=Lax); the Origin check refuses cross-site calls outright.
"""

from __future__ import annotations

import asyncio
from http.cookies import SimpleCookie

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sen_portal import client_ip as client_address
from sen_portal.config import get_settings
from sen_portal.db import session_scope
from sen_portal.services import sessions

SESSION_ROUTE = "/api/session"
SIGN_OUT_ROUTE = "/api/session/end"


def token_from_cookie_header(cookie_header: str) -> str:
    """The session token from a raw ``Cookie`` header ('' when absent)."""
    jar = SimpleCookie()
    try:
        jar.load(cookie_header or "")
    except Exception:
        return ""
    morsel = jar.get(sessions.cookie_name(get_settings()))
    return morsel.value if morsel else ""


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    return origin is None or origin.rstrip("/") == get_settings().public_url


async def start_session(request: Request) -> Response:
    if not _same_origin(request):
        return Response(status_code=403)
    try:
        ticket = str((await request.json()).get("ticket", ""))[:100]
    except (ValueError, AttributeError, RecursionError):  # JSONDecodeError and bad UTF-8 are ValueErrors
        return Response(status_code=400)
    settings = get_settings()

    def redeem() -> str | None:
        with session_scope() as db:
            return sessions.redeem_ticket(
                db,
                ticket=ticket,
                settings=settings,
                ip=client_address.of_request(request),
                user_agent=request.headers.get("user-agent", ""),
            )

    token = await asyncio.to_thread(redeem)
    if token is None:
        return Response(status_code=400, headers={"Cache-Control": "no-store"})
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.set_cookie(
        sessions.cookie_name(settings),
        token,
        max_age=settings.session_absolute_hours * 3600,
        path="/",
        httponly=True,
        secure=settings.public_url.startswith("https://"),
        samesite="lax",
    )
    return response


async def end_session(request: Request) -> Response:
    if not _same_origin(request):
        return Response(status_code=403)
    token = token_from_cookie_header(request.headers.get("cookie", ""))

    def end() -> None:
        with session_scope() as db:
            sessions.end(db, token=token)

    await asyncio.to_thread(end)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    settings = get_settings()
    response.delete_cookie(
        sessions.cookie_name(settings),
        path="/",
        secure=settings.public_url.startswith("https://"),
        httponly=True,
        samesite="lax",
    )
    return response


def session_routes() -> list[Route]:
    return [
        Route(SESSION_ROUTE, start_session, methods=["POST"]),
        Route(SIGN_OUT_ROUTE, end_session, methods=["POST"]),
    ]
