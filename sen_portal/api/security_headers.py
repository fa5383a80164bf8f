"""The security headers every response carries, and the ASGI middleware that adds them.

One place for the values: the middleware below puts them on pages, backend routes, downloads,
``/_upload`` and 404s alike (``rx.App(api_transformer=[..., with_security_headers])`` wraps the
whole backend, and in single-port production the backend serves the built pages too), and a
reverse proxy that must repeat them for its own error pages prints them with
``python -m sen_portal.api.security_headers``.

**Content-Security-Policy.** The built pages need inline scripts (React Router's hydration
context, the route's module imports, React's streaming helpers, Reflex's colour-mode snippet):
they are allowed by their SHA-256 hashes, read from the built HTML files themselves, so no
injected ``<script>`` or ``onclick=`` can run. Reflex's ``rx.call_script`` evaluates its code
with ``eval`` in the browser, so ``'unsafe-eval'`` stays until those calls are replaced. Styles need ``'unsafe-inline'`` (Reflex's
emotion inserts ``<style>`` elements at run time); a style cannot run code. Images may be
``data:`` (the authenticator QR code). The websocket is the only connection, to our own
origin. Nothing may frame a page (``frame-ancestors 'none'``, and ``X-Frame-Options`` for old
browsers), and forms may only post back to us.
A header a route already set (the download route's ``sandbox`` policy) is kept, never widened.
"""

from __future__ import annotations

import base64
import hashlib
import re
import sys
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sen_portal.config import PROJECT_ROOT, get_settings

BUILD_DIR = PROJECT_ROOT / ".web" / "build" / "client"
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL)

# Headers with fixed values (README's nginx example and deploy/ repeat these).
FIXED_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
HSTS = "max-age=31536000; includeSubDomains"
# Responses that are not pages (JSON, CSV, files, redirects) may load and run nothing at all.
NON_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def inline_script_hashes(html_files: Iterable[Path]) -> list[str]:
    """CSP source expressions ('sha256-...') for every inline script in the given HTML files."""
    found: set[str] = set()
    for path in html_files:
        for match in _INLINE_SCRIPT.finditer(path.read_bytes()):
            digest = base64.b64encode(hashlib.sha256(match.group(1)).digest()).decode()
            found.add(f"'sha256-{digest}'")
    return sorted(found)


@lru_cache(maxsize=4)
def _build_hashes(build_dir: Path, _stamp: float) -> tuple[str, ...]:
    return tuple(inline_script_hashes(sorted(build_dir.rglob("*.html"))))


def built_page_hashes(build_dir: Path | None = None) -> tuple[str, ...]:
    """The hashes of the current build (recomputed when a new build replaces index.html)."""
    build_dir = build_dir or BUILD_DIR
    index = build_dir / "index.html"
    if not index.exists():
        return ()
    return _build_hashes(build_dir, index.stat().st_mtime)


def websocket_origin(public_url: str) -> str:
    parsed = urlparse(public_url)
    scheme = "wss" if parsed.scheme == "https" else "ws"
    return f"{scheme}://{parsed.netloc}"


def page_csp(public_url: str, script_hashes: Iterable[str]) -> str:
    """The policy for HTML pages."""
    # 'unsafe-eval': Reflex runs ``rx.call_script`` (focus the error summary, hand the sign-in ticket
    # to /api/session) through eval(), measured in Chromium; it lets no injected markup run.
    scripts = " ".join(["'self'", "'unsafe-eval'", *script_hashes])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            f"connect-src 'self' {websocket_origin(public_url)}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def headers_for(*, public_url: str, is_page: bool, script_hashes: Iterable[str] = ()) -> dict[str, str]:
    """Every security header for one response."""
    headers = dict(FIXED_HEADERS)
    headers["Content-Security-Policy"] = page_csp(public_url, script_hashes) if is_page else NON_PAGE_CSP
    if public_url.startswith("https://"):
        headers["Strict-Transport-Security"] = HSTS
    return headers


def with_security_headers(app: ASGIApp) -> ASGIApp:
    """Wrap an ASGI app so every HTTP response carries ``headers_for`` (existing values win)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                is_page = headers.get("content-type", "").startswith("text/html")
                hashes = built_page_hashes() if is_page else ()
                for name, value in headers_for(
                    public_url=get_settings().public_url, is_page=is_page, script_hashes=hashes
                ).items():
                    # A 304 has no content type; the browser would put its (non-page) policy on the
                    # cached page and block the page's scripts. The cached response keeps its own.
                    if name not in headers and not (message["status"] == 304 and name == "Content-Security-Policy"):
                        headers[name] = value
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware


def main() -> None:
    """Print the headers as nginx ``add_header`` lines (for responses nginx makes itself)."""
    for name, value in headers_for(public_url=get_settings().public_url, is_page=False).items():
        sys.stdout.write(f'add_header {name} "{value}" always;\n')


if __name__ == "__main__":
    main()
