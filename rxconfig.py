"""Reflex configuration, derived from the portal's own settings (sen_portal.config).

``db_url`` is deliberately not given to Reflex: the portal owns its engine
(sen_portal.db) and migrations (Alembic, run by ``make``), and Reflex would
otherwise run its own schema check against rx.Model metadata at start-up.
"""

import reflex as rx

from sen_portal.config import get_settings

settings = get_settings()

config = rx.Config(
    app_name="sen_portal",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # Only our own public origin may talk to the backend from a browser.
    cors_allowed_origins=[settings.public_url],
    redis_url=settings.redis_url or None,
    state_auto_setters=False,
    disable_plugins=["reflex.plugins.sitemap.SitemapPlugin"],
)
