"""Emails about portal messages: that one is waiting, nothing more (no text, no child details)."""

from __future__ import annotations

from sen_portal.email.builders import Branding, render
from sen_portal.email.message import EmailMessage


def message_waiting_email(*, to: str, reference: str, link: str, branding: Branding) -> EmailMessage:
    """Deliberately takes no message and no child: what it is not given it cannot leak."""
    return render(
        "message_waiting",
        to=to,
        subject=f"You have a new message in the {branding.service_name}",
        category="message_waiting",
        branding=branding,
        reference=reference,
        link=link,
    )
