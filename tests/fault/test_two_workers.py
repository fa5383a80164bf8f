"""The production layout with two web workers: PostgreSQL, Redis as Reflex's state manager, a proxy in front.

Two portal processes are started exactly as the README's deployment section says
(``reflex run --env prod --single-port``, ``REDIS_URL`` set, ``OUTBOX_IN_APP=false``, one shared
document folder), on their own ports, against one PostgreSQL database (a throw-away one on the
shared server) and one private Redis. A small TCP proxy in front plays the load balancer: the
browser only ever sees its address (``PUBLIC_URL``), websockets pass through it untouched, and the
test moves the user from worker A to worker B by switching it and dropping the open connections.

* One signed-in user's session and draft carry across: the user signs in and saves on A; A is
  stopped; the open page reconnects to B by itself, is still signed in, shows the draft and saves
  the next answers through B; a reload on B shows everything. (Reflex 0.10 rehydrates a page on
  every reconnect and runs its on_load, so what must survive a worker lives in PostgreSQL; Redis
  is what lets Reflex's own worker processes and its upload requests share a page's state.)
* Redis flushed: nobody is signed out (sessions live in PostgreSQL, behind an HttpOnly cookie),
  the page's next event rebuilds its state from the database, and no saved draft is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, text

from sen_portal.config import settings_from_env
from sen_portal.db import make_engine, session_scope
from sen_portal.services.auth import sessions
from tests.conftest import POSTGRES_ADMIN_URL
from tests.e2e.harness import Portal, create_account, start_portal, stop_portal
from tests.fault.private_servers import PrivateRedis
from tests.mail_servers import free_port

PASSWORD = "amber falcon orchard piano"
WAIT = 30_000  # ms: two portals and a browser on a shared 2-core machine can be slow


class SwitchingProxy:
    """A TCP proxy (so websocket upgrades pass as they are) whose upstream can be switched."""

    def __init__(self) -> None:
        self.port = free_port()
        self.upstream = 0
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", self.port))
        self._ready.set()
        self._loop.run_forever()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, upstream_writer}
        try:
            await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer))
        finally:
            self._writers -= {writer, upstream_writer}

    def switch(self, port: int) -> None:
        """New connections go to ``port``; open ones are dropped (the old worker went away)."""

        def drop() -> None:
            self.upstream = port
            for writer in list(self._writers):
                writer.close()

        self._loop.call_soon_threadsafe(drop)

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"


class Cluster:
    def __init__(self, proxy: SwitchingProxy, redis: PrivateRedis, workers: list[Portal]) -> None:
        self.proxy = proxy
        self.redis = redis
        self.workers = workers

    def port_of(self, worker: Portal) -> int:
        return int(worker.url.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    name = f"sen_workers_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    redis = PrivateRedis()
    proxy = SwitchingProxy()
    shared = tmp_path_factory.mktemp("shared")
    env = {
        "PUBLIC_URL": proxy.url,  # what the browser sees: the proxy
        "DATABASE_URL": database_url,
        "REDIS_URL": redis.url,
        "OUTBOX_IN_APP": "false",
        "DOCUMENT_STORE_DIR": str(shared / "documents"),
        "MAIL_DIR": str(shared / "mail"),
        "GRANIAN_WORKERS": "1",  # one process per worker here; in production Reflex starts 2 x cores + 1
    }
    workers: list[Portal] = []
    try:
        for label in ("a", "b"):
            workers.append(start_portal(tmp_path_factory.mktemp(f"worker-{label}"), extra_env=env))
        proxy.switch(int(workers[0].url.rsplit(":", 1)[1]))
        yield Cluster(proxy, redis, workers)
    finally:
        for worker in workers:
            stop_portal(worker)
        proxy.close()
        redis.stop()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def page(browser: Browser, cluster: Cluster) -> Iterator[Page]:
    context = browser.new_context(base_url=cluster.proxy.url, viewport={"width": 1100, "height": 900})
    context.set_default_timeout(WAIT)
    yield context.new_page()
    context.close()


def sign_in_through_the_route(page: Page, worker: Portal) -> None:
    """A new account, signed in the way the sign-in page finishes: a one-time ticket swapped at /api/session
    for the HttpOnly cookie (the password and emailed-code steps are the sign-in tests' business)."""
    email = f"senco-{uuid.uuid4().hex[:8]}@school.example.org"
    user_id = create_account(worker, email=email, password=PASSWORD, first_name="Alice")
    engine = make_engine(worker.env["DATABASE_URL"])
    with session_scope(engine) as session:
        ticket = sessions.issue_ticket(session, user_id=user_id)
    engine.dispose()
    page.goto("/")
    status = page.evaluate(
        """async (ticket) => (await fetch('/api/session', {method: 'POST', credentials: 'same-origin',
             headers: {'Content-Type': 'application/json'}, body: JSON.stringify({ticket})})).status""",
        ticket,
    )
    assert status == 204
    assert sessions.cookie_name(settings_from_env(worker.env)) in {c["name"] for c in page.context.cookies()}


def heading_is(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text, timeout=WAIT)


def fill(page: Page, field_id: str, value: str) -> None:
    page.locator(f"[id='{field_id}']").fill(value)


def start_request(page: Page) -> None:
    page.goto("/requests/new")
    heading_is(page, "About you")
    expect(page.locator("[id='referrer_first_name']")).to_have_value("Alice", timeout=WAIT)  # hydrated, pre-filled
    page.locator("[id='referrer_role']").select_option(label="SENCO")
    fill(page, "referrer_organisation", "Hanley Park Primary School")
    fill(page, "referrer_phone", "01782 234567")
    page.get_by_role("button", name="Save and continue").click()
    heading_is(page, "The child or young person")


def test_a_signed_in_users_session_and_draft_carry_across_workers(cluster: Cluster, page: Page) -> None:
    worker_a, worker_b = cluster.workers
    cluster.proxy.switch(cluster.port_of(worker_a))
    sign_in_through_the_route(page, worker_a)
    start_request(page)  # the first section is saved on A
    fill(page, "child_first_name", "Zephyrine")
    page.get_by_role("button", name="Save and continue").click()  # saved on A (with errors for the rest)
    expect(page.locator("#error-summary")).to_be_visible(timeout=WAIT)
    assert cluster.redis.client.dbsize() > 0  # Reflex keeps the page state in Redis

    # Worker A goes away; the proxy sends everything to B. The open page reconnects there by itself
    # (no reload): Reflex rehydrates it and runs the page's on_load on B, which checks the session
    # cookie against PostgreSQL and reads the draft back.
    received: list[str] = []  # frames on websockets opened from now on, i.e. to B
    page.on("websocket", lambda socket: socket.on("framereceived", lambda payload: received.append(str(payload))))
    cluster.proxy.switch(cluster.port_of(worker_b))
    stop_portal(worker_a)
    # Wait until the page has reconnected and B has re-run the section's on_load (its plan arrives):
    # typing before that would be typing into inputs the rehydrated page is about to redraw.
    deadline = time.monotonic() + WAIT / 1000
    while not any("plan_rx_state_" in frame for frame in received):
        assert time.monotonic() < deadline, "the page did not reconnect to worker B"
        page.wait_for_timeout(100)
    expect(page.locator("[id='child_first_name']")).to_have_value("Zephyrine", timeout=WAIT)
    fill(page, "child_last_name", "Quillfeather")
    page.get_by_role("button", name="Save and continue").click()  # handled and saved by B
    expect(page.locator("#error-summary")).to_be_visible(timeout=WAIT)
    assert worker_a.process.poll() is not None  # A really is gone: B did that

    # A fresh page load on B: still signed in, and the draft holds what was saved on A and on B.
    page.reload()
    heading_is(page, "The child or young person")
    expect(page.locator("[id='child_first_name']")).to_have_value("Zephyrine", timeout=WAIT)
    expect(page.locator("[id='child_last_name']")).to_have_value("Quillfeather", timeout=WAIT)
    page.goto(page.url.replace("section=child", "section=about-you"))
    heading_is(page, "About you")
    expect(page.locator("[id='referrer_organisation']")).to_have_value("Hanley Park Primary School", timeout=WAIT)


def test_redis_flushed_nobody_loses_their_session_or_draft(cluster: Cluster, page: Page) -> None:
    worker = cluster.workers[1]
    if worker.process.poll() is not None:
        pytest.skip("worker B is not running")
    cluster.proxy.switch(cluster.port_of(worker))
    sign_in_through_the_route(page, worker)
    start_request(page)
    fill(page, "child_first_name", "Quillon")
    fill(page, "child_last_name", "Featherby")
    page.get_by_role("button", name="Save and continue").click()  # saved, with errors for the rest
    expect(page.locator("#error-summary")).to_be_visible(timeout=WAIT)

    cluster.redis.client.flushall()  # every page state gone

    # The page's next event finds no state: Reflex rebuilds it (hydrate + the page's on_load, which
    # checks the session cookie against PostgreSQL and reloads the draft), then handles the event.
    fill(page, "child_preferred_name", "Quill")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#error-summary")).to_be_visible(timeout=WAIT)
    heading_is(page, "The child or young person")
    page.reload()
    heading_is(page, "The child or young person")  # not the sign-in page
    expect(page.locator("[id='child_first_name']")).to_have_value("Quillon", timeout=WAIT)
    expect(page.locator("[id='child_last_name']")).to_have_value("Featherby", timeout=WAIT)
