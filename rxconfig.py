"""Reflex configuration, derived from the portal's own settings (sen_portal.config).

``db_url`` is deliberately not given to Reflex: the portal owns its engine
(sen_portal.db) and migrations (Alembic, run by ``make``), and Reflex would
otherwise run its own schema check against rx.Model metadata at start-up.
``state_auto_setters`` is off by default in this Reflex version: every setter
is an explicit, validated ``@rx.event``.
"""

import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

from sen_portal.config import get_settings

settings = get_settings()

config = rx.Config(
    app_name="sen_portal",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # The browser talks to the backend at the public URL; nothing else may call it from a page.
    api_url=settings.public_url,
    deploy_url=settings.public_url,
    cors_allowed_origins=[settings.public_url],
    redis_url=settings.redis_url or None,
    # Client IPs (rate limits, audit) come from X-Forwarded-For only behind this many trusted proxies.
    trusted_proxy_hops=settings.trusted_proxy_hops,
    # Where `reflex run` listens (BIND_ADDRESS): loopback unless a deployment says otherwise.
    backend_host=settings.bind_address,
    # A private portal: no sitemap.
    disable_plugins=[SitemapPlugin],
)
