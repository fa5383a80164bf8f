"""Branding for emails and pages, from settings."""

from sen_portal.config import Settings
from sen_portal.email.builders import Branding


def branding(settings: Settings) -> Branding:
    return Branding(
        council_name=settings.council_name, service_name=settings.service_name, public_url=settings.public_url
    )
