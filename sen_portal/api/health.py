"""``/health``: liveness plus a database round trip, for load balancers and monitoring."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

from sen_portal.db import get_engine


def _database_ok() -> bool:
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


async def health(_request: Request) -> JSONResponse:
    ok = await asyncio.to_thread(_database_ok)
    return JSONResponse(
        {"status": "ok" if ok else "unavailable", "database": "ok" if ok else "unavailable"},
        status_code=200 if ok else 503,
        headers={"Cache-Control": "no-store"},
    )
