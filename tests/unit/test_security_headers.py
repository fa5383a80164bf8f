"""Security headers on every response the backend makes (sen_portal.api.security_headers)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from sen_portal.api import security_headers
from sen_portal.api.security_headers import headers_for, inline_script_hashes, with_security_headers
from sen_portal.config import get_settings

pytestmark = pytest.mark.unit

EXPECTED_FIXED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


@pytest.fixture
def public_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("PUBLIC_URL", "http://localhost:3000")
    get_settings.cache_clear()
    yield "http://localhost:3000"
    get_settings.cache_clear()


def client_for(app: Starlette) -> TestClient:
    return TestClient(with_security_headers(app), raise_server_exceptions=False)


def test_backend_routes_and_404s_carry_every_header(public_url: str) -> None:
    from sen_portal.api.app import build_api

    client = client_for(build_api())
    for response in (client.get("/health"), client.get("/no-such-route"), client.post("/api/session", content=b"{")):
        for name, value in EXPECTED_FIXED.items():
            assert response.headers[name] == value, (response.url, name)
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "strict-transport-security" not in response.headers  # plain http: HSTS would be ignored


def test_a_route_that_sets_a_stricter_policy_keeps_it(public_url: str) -> None:
    sandboxed = "default-src 'none'; sandbox"
    app = Starlette(routes=[Route("/f", lambda r: Response("x", headers={"Content-Security-Policy": sandboxed}))])
    assert client_for(app).get("/f").headers["content-security-policy"] == sandboxed


def test_pages_allow_exactly_their_own_inline_scripts(
    public_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = tmp_path / "client"
    (build / "nested").mkdir(parents=True)
    (build / "index.html").write_bytes(b"<script>boot()</script><script src='/a.js'></script>")
    (build / "nested" / "page.html").write_bytes(b'<script type="module">import "/m.js";</script>')
    monkeypatch.setattr(security_headers, "BUILD_DIR", build)
    app = Starlette(routes=[Route("/", lambda r: HTMLResponse("<p>hi</p>"))])

    policy = client_for(app).get("/").headers["content-security-policy"]

    def sha(text: bytes) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text).digest()).decode() + "'"

    script_src = next(part for part in policy.split("; ") if part.startswith("script-src"))
    assert script_src.split()[1:] == ["'self'", "'unsafe-eval'", *sorted([sha(b"boot()"), sha(b'import "/m.js";')])]
    assert "'unsafe-inline'" not in script_src
    assert "connect-src 'self' ws://localhost:3000" in policy
    assert "frame-ancestors 'none'" in policy and "form-action 'self'" in policy


def test_https_portals_send_hsts_and_allow_only_the_secure_websocket() -> None:
    headers = headers_for(public_url="https://portal.example.gov.uk", is_page=True)
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "connect-src 'self' wss://portal.example.gov.uk;" in headers["Content-Security-Policy"]


def test_hashes_ignore_scripts_loaded_by_src(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_bytes(b'<script src="/x.js"></script>')
    assert inline_script_hashes([page]) == []


def test_websocket_upgrades_pass_through_untouched() -> None:
    seen: list[str] = []

    async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        seen.append(scope["type"])

    import asyncio

    asyncio.run(with_security_headers(app)({"type": "websocket"}, None, None))  # type: ignore[arg-type]
    assert seen == ["websocket"]


def test_a_not_modified_answer_leaves_the_cached_page_policy_alone(public_url: str) -> None:
    # Chromium merges a 304's headers into the cached page: a non-page CSP there blocked every script.
    app = Starlette(routes=[Route("/", lambda r: Response(status_code=304))])
    response = client_for(app).get("/")
    assert response.status_code == 304
    assert "content-security-policy" not in response.headers
    assert response.headers["x-frame-options"] == "DENY"


def test_the_shipped_nginx_site_repeats_exactly_these_headers() -> None:
    site = (Path(__file__).resolve().parents[2] / "deploy" / "templates" / "nginx-site.conf").read_text()
    shown = dict(re.findall(r'add_header ([A-Za-z-]+) "([^"]*)" always;', site))
    assert shown == headers_for(public_url="https://sen-portal.example.gov.uk", is_page=False)
