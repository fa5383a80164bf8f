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
    # One process without Redis (`make run`): page state in memory. Measured faster than Reflex's disk
    # manager (50 clients: p95 156 vs 356 ms; benchmarks/state_managers.py), whose write rounds also
    # list and stat every pickle (1,173 after 51 tabs). Every page rebuilds its state from the database
    # on load, so a restart loses nothing saved (tests/fault/test_two_workers.py: FLUSHALL).
    state_manager_mode="redis" if settings.redis_url else "memory",
    # Client IPs (rate limits, audit) come from X-Forwarded-For only behind this many trusted proxies.
    trusted_proxy_hops=settings.trusted_proxy_hops,
    # Where `reflex run` listens (BIND_ADDRESS): loopback unless a deployment says otherwise.
    backend_host=settings.bind_address,
    # A private portal: no sitemap.
    disable_plugins=[SitemapPlugin],
)
