"""Two web workers behind Debian's nginx running the shipped site file, over HTTPS.

The layout deploy/README.md sets up: the site rendered from deploy/templates/nginx-site.conf for the
test's ports (the only change: worker B is marked ``backup``, so the test knows A serves the page
until A dies), a self-signed certificate, PostgreSQL, a private Redis, an outbox worker process.
In Chromium, a professional — whose browser forges ``X-Forwarded-For`` on every request — signs in
over HTTPS (one wrong password first, so the audit log records an address), uploads a 19.5 MB
document through nginx (streamed: nginx writes no request body to disk), then worker A is killed
and the page carries on through B. The browser received HSTS from nginx once and the portal's own
security headers exactly as the worker sent them; the forged address is nowhere in the audit log.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, text

from sen_portal.db import make_engine
from tests.conftest import POSTGRES_ADMIN_URL, PROJECT_ROOT
from tests.e2e.harness import Mailbox, Portal, create_account, start_portal, stop_portal
from tests.e2e.journeys import PASSWORD, sign_in
from tests.e2e.test_referral import MINIMAL_PDF, upload
from tests.fault.private_servers import PrivateRedis
from tests.mail_servers import free_port
from tests.ops.nginx_helpers import PrivateNginx
from tests.service.test_referrals import Clock, start

FORGED = "203.0.113.66"
WAIT = 30_000
SECURITY_HEADERS = ("content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy")


class Site:
    def __init__(self, nginx: PrivateNginx, workers: list[Portal], redis: PrivateRedis, outbox: subprocess.Popen):
        self.nginx, self.workers, self.redis, self.outbox = nginx, workers, redis, outbox


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    name = f"sen_nginx_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    https_port = free_port()
    shared = tmp_path_factory.mktemp("shared")
    redis = PrivateRedis()
    env = {
        "PUBLIC_URL": f"https://127.0.0.1:{https_port}",  # what the browser sees: nginx (PrivateNginx.url)
        "DATABASE_URL": POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}",
        "REDIS_URL": redis.url,
        "OUTBOX_IN_APP": "false",
        "TRUSTED_PROXY_HOPS": "1",
        "DOCUMENT_STORE_DIR": str(shared / "documents"),
        "MAIL_DIR": str(shared / "mail"),
        "GRANIAN_WORKERS": "1",  # as the shipped unit sets it
    }
    workers: list[Portal] = []
    nginx = outbox = None
    try:
        for label in ("a", "b"):
            workers.append(start_portal(tmp_path_factory.mktemp(f"worker-{label}"), extra_env=env))
        ports = [int(worker.url.rsplit(":", 1)[1]) for worker in workers]
        nginx = PrivateNginx(tmp_path_factory.mktemp("nginx"), ports, https_port=https_port, backup_ports=(ports[1],))
        outbox = subprocess.Popen(
            [sys.executable, "-m", "sen_portal.cli", "outbox-worker"],
            cwd=PROJECT_ROOT,
            env=workers[0].env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        yield Site(nginx, workers, redis, outbox)
    finally:
        if outbox is not None:
            outbox.terminate()
            outbox.wait(timeout=30)
        if nginx is not None:
            nginx.stop()
        for worker in workers:
            stop_portal(worker)
        redis.stop()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def page(browser: Browser, site: Site) -> Iterator[Page]:
    context = browser.new_context(
        base_url=site.nginx.url, ignore_https_errors=True, extra_http_headers={"X-Forwarded-For": FORGED}
    )
    context.set_default_timeout(WAIT)
    yield context.new_page()
    context.close()


def direct_headers(worker: Portal, path: str) -> dict[str, str]:
    request = urllib.request.Request(worker.url + path, headers={"Accept": "text/html"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return {key.lower(): value for key, value in response.headers.items()}


def test_https_through_nginx_streams_uploads_survives_a_worker_and_keeps_the_real_address(
    site: Site, page: Page, tmp_path: Path
) -> None:
    worker_a, worker_b = site.workers
    email = f"senco-{uuid.uuid4().hex[:8]}@school.example.org"
    user_id = create_account(worker_a, email=email, password=PASSWORD, first_name="Alice")

    # Headers: HSTS from nginx, once; the portal's own security headers passed through unchanged.
    response = page.goto("/sign-in")
    assert response is not None and response.ok and page.url.startswith("https://")
    received = response.all_headers()
    assert received["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert len(response.headers_array()) == len({h["name"].lower() for h in response.headers_array()})
    direct = direct_headers(worker_a, "/sign-in")
    for header in SECURITY_HEADERS:
        assert received.get(header) == direct.get(header), header
    if importlib.util.find_spec("sen_portal.api.security_headers"):  # the app's headers (issue 12) are in
        assert "frame-ancestors 'none'" in received["content-security-policy"]
        assert received["x-frame-options"] == "DENY"

    # One wrong password (audited with the client's address), then the real sign-in with the emailed code.
    page.wait_for_load_state("networkidle")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#error-summary")).to_be_visible()
    sign_in(page, Mailbox(Path(worker_a.env["MAIL_DIR"])), email)

    engine = make_engine(worker_a.env["DATABASE_URL"])
    public_id = start(engine, user_id, Clock())
    page.goto(f"/requests/section?id={public_id}&section=documents")
    expect(page.get_by_role("heading", level=1)).to_have_text("Supporting documents")
    big = MINIMAL_PDF + b"%" + b"0" * int(19.5 * 1024 * 1024)
    upload(page, tmp_path, "Signed consent form", "scan.pdf", big)
    expect(page.get_by_role("main")).to_contain_text("scan.pdf has been uploaded", timeout=120_000)
    assert "buffered to a temporary file" not in site.nginx.error_log.read_text()  # streamed, not buffered

    # Worker A (the one serving: B is nginx's backup) dies; the open page reconnects through nginx to B.
    frames: list[str] = []
    page.on("websocket", lambda socket: socket.on("framereceived", lambda payload: frames.append(str(payload))))
    os.killpg(worker_a.process.pid, signal.SIGKILL)
    worker_a.process.wait(timeout=30)
    deadline = time.monotonic() + WAIT / 1000
    while not any("plan_rx_state_" in frame for frame in frames):  # B re-ran the section's on_load
        assert time.monotonic() < deadline, "the page did not reconnect to worker B"
        page.wait_for_timeout(100)
    upload(page, tmp_path, "Latest progress and attainment data", "progress.pdf", MINIMAL_PDF)
    expect(page.get_by_role("main")).to_contain_text("progress.pdf has been uploaded")
    expect(page.get_by_role("main")).to_contain_text("scan.pdf")  # the first upload is still there
    assert worker_b.process.poll() is None

    with engine.connect() as connection:
        addresses = {row[0] for row in connection.execute(text("SELECT DISTINCT client_ip FROM audit_event"))}
        failed = connection.execute(
            text("SELECT client_ip FROM audit_event WHERE action = 'sign_in_failed'")
        ).scalar_one()
    engine.dispose()
    assert FORGED not in " ".join(addresses)
    assert failed == "127.0.0.1"  # the address nginx saw, which it wrote into X-Forwarded-For
