"""The Starlette app that Reflex mounts itself under (``rx.App(api_transformer=...)``).

Routes here take priority over Reflex's own and over the single-port frontend.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from sen_portal.api.documents import document_routes
from sen_portal.api.form_not_sent import form_not_sent_routes
from sen_portal.api.health import health
from sen_portal.api.mailbox import mailbox_routes
from sen_portal.api.metrics import metrics_routes
from sen_portal.api.session_cookie import session_routes
from sen_portal.api.session_keepalive import keepalive_routes
from sen_portal.api.staff_export import staff_export_routes
from sen_portal.api.unavailable import UnavailablePageMiddleware
from sen_portal.api.unsubscribe import unsubscribe_routes
from sen_portal.operations.metrics import enable_event_metrics
from sen_portal.routes import HEALTH


def build_api() -> Starlette:
    routes = [
        Route(HEALTH, health, methods=["GET"]),
        *session_routes(),
        *document_routes(),
        *mailbox_routes(),
        *unsubscribe_routes(),
    ]
    routes += staff_export_routes()
    routes += keepalive_routes()
    routes += form_not_sent_routes()
    routes += metrics_routes()
    enable_event_metrics()  # Reflex's event timings feed /metrics' histogram
    # A page opened while the database is down says so instead of drawing an empty form.
    return Starlette(routes=routes, middleware=[Middleware(UnavailablePageMiddleware)])
