"""Route constants and small URL builders: one place for every path."""

from __future__ import annotations

from urllib.parse import urlencode

from sen_portal.config import Settings

HOME = "/"
REGISTER = "/register"
REGISTER_CHECK_EMAIL = "/register/check-email"
VERIFY_EMAIL = "/verify-email"
SIGN_IN = "/sign-in"
FORGOTTEN_PASSWORD = "/forgotten-password"
DASHBOARD = "/dashboard"
ACCESSIBILITY = "/accessibility"
PRIVACY = "/privacy"
CONTACT = "/contact"
HEALTH = "/health"
DEV_MAILBOX = "/dev/mailbox"


def absolute_url(settings: Settings, path: str, **query: str) -> str:
    """A link for emails: the public URL, the path and an encoded query."""
    url = settings.public_url.rstrip("/") + path
    return f"{url}?{urlencode(query)}" if query else url
