"""``/form-not-sent``: where a form lands if it was submitted before the page's script ran.

Every form posts here natively (components/post_form.py); a hydrated page never does, because
Reflex handles the submit itself. The body is never read, parsed or logged (it may hold a
password): the answer only says that nothing was sent and links back to the page, which is
taken from ``Referer`` only when it is one of our own paths.
"""

from __future__ import annotations

import html
from urllib.parse import urlparse

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from sen_portal.config import get_settings
from sen_portal.routes import FORM_NOT_SENT, HOME


def _back_path(request: Request) -> str:
    referer = urlparse(request.headers.get("referer", ""))
    own = urlparse(get_settings().public_url)
    same_origin = (referer.scheme, referer.netloc) == (own.scheme, own.netloc)
    path = referer.path if same_origin and referer.path.startswith("/") and not referer.path.startswith("//") else ""
    return path if path and path != FORM_NOT_SENT else HOME


async def form_not_sent(request: Request) -> HTMLResponse:
    back = html.escape(_back_path(request), quote=True)
    body = f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your answers were not sent – {html.escape(get_settings().service_name)}</title>
<link rel="stylesheet" href="/portal.css"></head>
<body><div class="width-container"><main id="main-content" class="main">
<h1 class="heading-l">Your answers were not sent</h1>
<p class="body">The page had not finished loading, or JavaScript is turned off in your browser.
Nothing you typed has been sent or stored.</p>
<p class="body">This portal needs JavaScript. <a href="{back}">Go back to the page</a> and try again
once it has loaded.</p>
</main></div></body></html>"""
    return HTMLResponse(body, headers={"Cache-Control": "no-store"})


def form_not_sent_routes() -> list[Route]:
    return [Route(FORM_NOT_SENT, form_not_sent, methods=["GET", "POST"])]
