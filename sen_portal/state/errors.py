"""What a user sees when an event handler fails: a database outage gets a clear "try again".

Reflex's own handler shows "An error occurred. Contact the website administrator." for
everything. While PostgreSQL is restarting (or unreachable) that is the wrong message:
nothing is broken for good, nothing was saved or sent by the failed action, and trying
again in a moment works. Every other error keeps Reflex's handling (logged, generic toast).
"""

import logging

from reflex.app import default_backend_exception_handler
from reflex.event import EventSpec
from reflex_components_sonner.toast import toast
from sqlalchemy.exc import DBAPIError

from sen_portal.services.referral_journey import database_unreachable

log = logging.getLogger(__name__)

TRY_AGAIN_TOAST = "We could not reach our database just now, so that was not done. Try again in a few minutes."


def backend_exception_handler(exception: Exception) -> EventSpec:
    """``rx.App(backend_exception_handler=...)``: database outages say "try again", the rest as Reflex does."""
    if isinstance(exception, DBAPIError) and database_unreachable(exception):
        log.warning("database unavailable in an event handler: %s", type(exception).__name__)
        return toast(
            "Please try again",
            level="error",
            fallback_to_alert=True,
            description=TRY_AGAIN_TOAST,
            position="top-center",
            id="backend_error",
        )
    return default_backend_exception_handler(exception)
