"""A plain Starlette streaming upload endpoint: the floor of ``benchmarks/upload_path.py``.

``POST /upload`` streams the request body (``request.stream()``) into a new file in
``$BENCH_UPLOAD_FLOOR_DIR``, fsyncs it and answers 200: what any Python server must do to take a file
onto the disk, with no parsing, checks or bookkeeping. Run by the benchmark on Granian in its own
process (``granian --interface asgi benchmarks._upload_floor_app:app``).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

FOLDER = Path(os.environ.get("BENCH_UPLOAD_FLOOR_DIR") or tempfile.gettempdir())


async def upload(request: Request) -> PlainTextResponse:
    path = FOLDER / f"{uuid.uuid4().hex}.part"
    size = 0
    with path.open("wb") as file:
        async for piece in request.stream():
            file.write(piece)
            size += len(piece)
        file.flush()
        await asyncio.to_thread(os.fsync, file.fileno())
    path.unlink()
    return PlainTextResponse(str(size))


async def index(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


app = Starlette(routes=[Route("/upload", upload, methods=["POST"]), Route("/", index)])
