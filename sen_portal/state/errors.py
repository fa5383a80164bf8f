"""What a user sees when an event handler fails: a database outage gets a clear "try again".

Reflex's own handler shows "An error occurred. Contact the website administrator." for
everything. While PostgreSQL is restarting (or unreachable) that is the wrong message:
nothing is broken for good, nothing was saved or sent by the failed action, and trying
again in a moment works. Every other error is logged with its traceback, the user sees a plain
message, and the state the failed handler left behind is reset (tab_recovery.py), so no
exception leaves a tab broken.
"""

import logging
import traceback

from reflex.event import EventSpec
from reflex_components_sonner.toast import toast
from sqlalchemy.exc import DBAPIError

from sen_portal.services.referrals.referral_journey import database_unreachable
from sen_portal.state.tab_recovery import TabRecoveryState, failed_event

log = logging.getLogger(__name__)

TRY_AGAIN_TOAST = "We could not reach our database just now, so that was not done. Try again in a few minutes."
FAILED_TOAST = "That was not done, and this page has been reset. Try again; if it happens again, contact the SEN team."


def backend_exception_handler(exception: Exception) -> list[EventSpec]:
    """``rx.App(backend_exception_handler=...)``: outages say "try again"; anything else resets the failed state."""
    if isinstance(exception, DBAPIError) and database_unreachable(exception):
        log.warning("database unavailable in an event handler: %s", type(exception).__name__)
        return [
            toast(
                "Please try again",
                level="error",
                fallback_to_alert=True,
                description=TRY_AGAIN_TOAST,
                position="top-center",
                id="backend_error",
            )
        ]
    failed = failed_event()
    log.error(
        "event %s failed:\n%s",
        failed or "(unknown)",
        "".join(traceback.format_exception(type(exception), exception, exception.__traceback__)),
    )
    message = toast(
        "Something went wrong",
        level="error",
        fallback_to_alert=True,
        description=FAILED_TOAST,
        position="top-center",
        id="backend_error",
    )
    return [message, TabRecoveryState.recover(failed or "")]
