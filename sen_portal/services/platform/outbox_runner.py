"""The in-app outbox sender (and hourly housekeeping) for single-machine installs (``OUTBOX_IN_APP=true``).

Runs as a Reflex lifespan task; the sending itself happens in a worker thread
so a slow mail server never stalls the event loop.
"""

from __future__ import annotations

import asyncio
import logging

from sen_portal.config import get_settings
from sen_portal.db import get_engine
from sen_portal.email.transports import transport_for
from sen_portal.services.platform.outbox import send_due

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0


HOUSEKEEPING_EVERY = 3600.0  # seconds


def _housekeeping() -> None:
    from sen_portal.db import session_scope
    from sen_portal.services.platform.housekeeping import run_housekeeping

    with session_scope() as session:
        log.info("%s", run_housekeeping(session, get_settings()))


async def run_outbox_forever() -> None:
    settings = get_settings()
    if not settings.outbox_in_app:
        return
    transport = transport_for(settings)
    engine = get_engine()
    loop = asyncio.get_running_loop()
    next_housekeeping = loop.time() + 60  # not in the way of start-up
    while True:
        if loop.time() >= next_housekeeping:
            next_housekeeping = loop.time() + HOUSEKEEPING_EVERY
            try:
                await asyncio.to_thread(_housekeeping)
            except Exception:
                log.exception("housekeeping failed; will try again in an hour")
        try:
            report = await asyncio.to_thread(send_due, engine, transport)
            busy = report.sent or report.retried or report.dead
        except Exception:
            log.exception("outbox sender failed; retrying")
            busy = False
        if not busy:
            await asyncio.sleep(POLL_SECONDS)
