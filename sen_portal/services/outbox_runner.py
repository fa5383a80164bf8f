"""The in-app outbox sender for single-machine installs (``OUTBOX_IN_APP=true``).

Runs as a Reflex lifespan task; the sending itself happens in a worker thread
so a slow mail server never stalls the event loop.
"""

from __future__ import annotations

import asyncio
import logging

from sen_portal.config import get_settings
from sen_portal.db import get_engine
from sen_portal.email.transports import transport_for
from sen_portal.services.outbox import send_due

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0


async def run_outbox_forever() -> None:
    settings = get_settings()
    if not settings.outbox_in_app:
        return
    transport = transport_for(settings)
    engine = get_engine()
    while True:
        try:
            report = await asyncio.to_thread(send_due, engine, transport)
            busy = report.sent or report.retried or report.dead
        except Exception:
            log.exception("outbox sender failed; retrying")
            busy = False
        if not busy:
            await asyncio.sleep(POLL_SECONDS)
