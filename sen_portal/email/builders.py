"""Pure email builders: data in, EmailMessage out. No I/O, tested directly.

Each email has an HTML and a plain-text template under ``templates/``. Builders
take only what the email needs, which keeps child data out of alerts by design.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from sen_portal.email.message import EmailMessage

TEMPLATE_DIR = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Branding:
    council_name: str
    service_name: str
    public_url: str


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(
    template: str, *, to: str, subject: str, category: str, branding: Branding, **context: object
) -> EmailMessage:
    """Render ``template``.html and ``template``.txt into one message."""
    env = _environment()
    values = {"branding": branding, "subject": subject, **context}
    return EmailMessage(
        to=to,
        subject=subject,
        text=env.get_template(f"{template}.txt").render(values),
        html=env.get_template(f"{template}.html").render(values),
        category=category,
    )


def test_email(*, to: str, branding: Branding) -> EmailMessage:
    return render(
        "test_email",
        to=to,
        subject=f"Test email from the {branding.service_name}",
        category="test",
        branding=branding,
    )


def verification_email(*, to: str, link: str, branding: Branding, expires_in_hours: int = 48) -> EmailMessage:
    """The link that confirms a new account's email address.

    No name, nothing typed at registration: anyone can register any address, so anything echoed
    here would be a stranger's words sent from the council's mail server.
    """
    return render(
        "verify_email",
        to=to,
        subject=f"Confirm your email address for the {branding.service_name}",
        category="verify_email",
        branding=branding,
        link=link,
        expires_in_hours=expires_in_hours,
    )


def already_registered_email(*, to: str, sign_in_link: str, reset_link: str, branding: Branding) -> EmailMessage:
    """Sent to an account's owner when someone registers with their address (instead of saying so on screen)."""
    return render(
        "already_registered",
        to=to,
        subject=f"You already have an account for the {branding.service_name}",
        category="already_registered",
        branding=branding,
        sign_in_link=sign_in_link,
        reset_link=reset_link,
    )
