"""Emails about referrals. They carry the reference only: never the child's name or any answer."""

from __future__ import annotations

from sen_portal.email.builders import Branding, render
from sen_portal.email.message import EmailMessage


def referral_submitted_email(
    *, to: str, reference: str, form_title: str, link: str, branding: Branding
) -> EmailMessage:
    return render(
        "referral_submitted",
        to=to,
        subject=f"We have received your request {reference}",
        category="referral_submitted",
        branding=branding,
        reference=reference,
        form_title=form_title,
        link=link,
    )
