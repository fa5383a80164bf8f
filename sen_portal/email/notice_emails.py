"""The maintenance notice email, with RFC 8058 one-click unsubscribe headers."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sen_portal.email.builders import Branding, render
from sen_portal.email.message import EmailMessage

# Times are shown as people in the council's area read them (BST/GMT), with the zone named.
LOCAL = ZoneInfo("Europe/London")


def local_time(moment: datetime) -> str:
    local = moment.astimezone(LOCAL)
    return local.strftime("%-d %B %Y at %H:%M ") + (local.tzname() or "")


def maintenance_notice_email(
    *,
    to: str,
    title: str,
    body: str,
    starts_at: datetime,
    ends_at: datetime,
    pause_sign_in: bool,
    unsubscribe_link: str,
    one_click_link: str,
    branding: Branding,
) -> EmailMessage:
    message = render(
        "maintenance_notice",
        to=to,
        subject=f"Planned maintenance: {title}",
        category="maintenance_notice",
        branding=branding,
        title=title,
        body=body,
        starts=local_time(starts_at),
        ends=local_time(ends_at),
        pause_sign_in=pause_sign_in,
        unsubscribe_link=unsubscribe_link,
    )
    # The header points at the POST endpoint (mail clients' one-click button); the link in the body
    # opens a page with a confirm button, because mail scanners follow links with GET.
    return replace(
        message,
        headers={"List-Unsubscribe": f"<{one_click_link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
