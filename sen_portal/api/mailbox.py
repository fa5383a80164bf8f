"""``/dev/mailbox``: read the file mail backend in the browser (development only).

It exists only when ``MAIL_BACKEND=file`` *and* the portal runs on localhost, and even then it
answers only a caller on this machine (the TCP peer is a loopback address and no proxy header says
the request came from elsewhere): emails hold sign-in codes and links, so it must never be
reachable from the network, even when someone binds the development portal to 0.0.0.0.
"""

from __future__ import annotations

import email
import email.policy
import html
import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from sen_portal import client_ip
from sen_portal.config import get_settings
from sen_portal.routes import DEV_MAILBOX

_NAME = re.compile(r"^[0-9]{20}-[0-9a-f]{8}\.eml$")
_URL = re.compile(r"https?://[^\s<>\"']+")


def is_local_caller(request: Request) -> bool:
    """True only for a direct request from this machine to a localhost portal."""
    return get_settings().is_local and client_ip.is_direct_loopback(request)


def _not_found() -> Response:
    return Response("Not found", status_code=404, headers={"Cache-Control": "no-store"})


def list_messages(directory: Path) -> list[dict[str, str]]:
    """Messages newest first, with the headers a list needs."""
    if not directory.exists():
        return []
    items = []
    for path in sorted(directory.glob("*.eml"), reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        items.append(
            {
                "name": path.name,
                "to": str(message["To"]),
                "subject": str(message["Subject"]),
                "date": str(message["Date"]),
            }
        )
    return items


def read_message(directory: Path, name: str) -> tuple[dict[str, str], str] | None:
    if not _NAME.match(name) or not (directory / name).is_file():
        return None
    message = email.message_from_bytes((directory / name).read_bytes(), policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body else ""
    headers = {key: str(message[key]) for key in ("From", "To", "Subject", "Date")}
    return headers, text


def _page(title: str, body: str) -> HTMLResponse:
    document = f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} – development mailbox</title><link rel="stylesheet" href="/portal.css"></head>
<body><div class="width-container"><main id="main-content" class="main">{body}</main></div></body></html>"""
    return HTMLResponse(document, headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


def _linkify(text: str) -> str:
    escaped = html.escape(text)
    return _URL.sub(lambda match: f'<a href="{match.group(0)}">{match.group(0)}</a>', escaped)


async def mailbox_index(request: Request) -> Response:
    if not is_local_caller(request):
        return _not_found()
    items = list_messages(get_settings().mail_dir)
    rows = "".join(
        f'<li><a href="{DEV_MAILBOX}/{item["name"]}">{html.escape(item["subject"])}</a>'
        f"<br>To {html.escape(item['to'])} · {html.escape(item['date'])}</li>"
        for item in items
    )
    body = (
        '<h1 class="heading-l">Development mailbox</h1>'
        '<p class="body">Emails the portal has sent with <code>MAIL_BACKEND=file</code>, newest first.</p>'
        + (f'<ul class="mail-list">{rows}</ul>' if rows else '<p class="body">No emails yet.</p>')
    )
    return _page("Mailbox", body)


async def mailbox_message(request: Request) -> Response:
    if not is_local_caller(request):
        return _not_found()
    found = read_message(get_settings().mail_dir, request.path_params["name"])
    if found is None:
        return _page("Not found", '<h1 class="heading-l">Email not found</h1>')
    headers, text = found
    meta = "".join(
        f"<tr><th scope='row'>{key}</th><td>{html.escape(value)}</td></tr>" for key, value in headers.items()
    )
    body = (
        f'<a class="back-link" href="{DEV_MAILBOX}">All emails</a>'
        f'<h1 class="heading-l">{html.escape(headers["Subject"])}</h1>'
        f'<table class="summary-list">{meta}</table>'
        f'<div class="mail-body" data-testid="mail-body">{_linkify(text)}</div>'
    )
    return _page(headers["Subject"], body)


def mailbox_routes() -> list[Route]:
    settings = get_settings()
    if not (settings.mailbox_enabled and settings.is_local):
        return []
    return [
        Route(DEV_MAILBOX, mailbox_index, methods=["GET"]),
        Route(DEV_MAILBOX + "/{name}", mailbox_message, methods=["GET"]),
    ]
