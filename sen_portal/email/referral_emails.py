"""Emails about referrals. They carry the reference only: never the child's name or any answer."""

from __future__ import annotations

from datetime import date

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


def draft_deletion_warning_email(*, to: str, delete_on: date, link: str, branding: Branding) -> EmailMessage:
    """Deliberately takes no referral: no child, no answers, not even the form, so it cannot leak them."""
    when = f"{delete_on.day} {delete_on:%B %Y}"
    return render(
        "draft_deletion_warning",
        to=to,
        subject=f"Your draft request will be deleted on {when}",
        category="draft_deletion_warning",
        branding=branding,
        delete_on=when,
        link=link,
    )
