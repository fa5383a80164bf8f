"""Says in words when the page cannot reach the portal, instead of silently dropping input.

Reflex records each failed websocket (re)connection in ``connectErrors`` and clears it on
connect. Two in a row (a dropped socket retries after 200 ms, so one blip shows nothing) put
the notice up; the live region exists from the start so screen readers announce it.
"""

from __future__ import annotations

import reflex as rx
from reflex_components_core.core.banner import has_too_many_connection_errors

CONNECTION_LOST = "We cannot reach the portal. Your answers on this page are kept; check your connection."


def connection_notice() -> rx.Component:
    return rx.el.div(
        rx.cond(
            has_too_many_connection_errors,
            rx.el.p(CONNECTION_LOST, class_name="warning connection-notice width-container", id="connection-lost"),
        ),
        role="alert",
        aria_atomic="true",
    )
