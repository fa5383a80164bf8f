"""Event round trip: a field change on the heaviest form page until the UI has its update, at 1 and 50 clients.

The portal runs as ``make run`` runs it (``reflex run --env prod --single-port``, SQLite, one
process) from a **private copy of the tree** (``$BENCH_EVENTS_TREE``, default a per-user folder under
the system temp dir; it keeps its ``.web`` between runs). Clients are websocket connections speaking
what the page script speaks (``benchmarks/_socket_client.py``): each has its own signed-in user
(session cookie in the handshake, as the browser sends it), its own draft, opens the request's
"The child or young person" section — the heaviest page of the EHC form (its render plan is
≈ 15 KB, twice the next) — and hydrates it (``hydrate_and_load``, which runs the page's on_load).

A round trip is from sending the event frame to receiving the update marked ``final`` (the event
fully handled, its delta on the wire): what a browser needs before it can redraw.

* **Figure**: ``ReferralState.choose`` on the "looked after" yes/no question, alternating yes/no: a
  choice re-plans the section (a question appears or disappears), the heaviest field change there
  is. The text-field change (``set_value``, no re-plan) is reported too.
* **Floor 1, a blank Reflex page's event**: ``benchmarks/blank_page.py`` (one string var, one
  setter) added to the private copy only, so it runs in the same server process on the same Reflex
  as the form. The ratio is what the portal's handler and page state add to Reflex's own cost.
* **Floor 2, a bare websocket echo**: ``benchmarks/_echo_app.py`` (plain ASGI) on Granian, the
  server the portal runs on: the transport alone.

At 1 client the events go one after another. At 50 clients each client changes a field, waits for
the update, then "thinks" for a random 0–1 s before the next change (≈ 100 changes a second in
all: fifty people filling the form at once at a brisk pace); blank page and echo get the same load.
Targets: choice p95 <= 1.5 x the blank page's p95 at 1 client; choice p95 <= 50 ms at 50 clients.

Run alone: ``python -m benchmarks.event_round_trip`` (first run builds the frontend of the copy).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from benchmarks._common import PROJECT_ROOT, OtherLoad, Result, p95, ratio
from benchmarks._socket_client import RawWebSocket, ReflexClient
from benchmarks.page_weight import EXCLUDE, load_harness

SECTION_PATH = "/requests/section"
SECTION = "child"
CHOICE = "looked_after"  # yes/no; "yes" reveals a follow-up question
TEXT_FIELD = "child_first_name"
CLIENTS = 50
SEQUENTIAL_EVENTS = 150  # at 1 client
EVENTS_EACH = 20  # per client at 50 clients
WARM_UP = 5
THINK = (0.0, 1.0)  # seconds between a client's changes at 50 clients
TARGET_RATIO = 1.5
TARGET_MS_AT_50 = 50.0
APPEND = "\n# Added by benchmarks/event_round_trip.py to its private copy only.\nfrom benchmarks.blank_page import add_blank_page  # noqa: E402\n\nadd_blank_page(app)\n"


def private_tree() -> Path:
    """The project's sources copied into the benchmark's own tree (its ``.web`` kept), plus the blank page."""
    default = Path(tempfile.gettempdir()) / f"sen-portal-bench-events-{os.getuid()}"
    tree = Path(os.environ.get("BENCH_EVENTS_TREE") or default)
    tree.mkdir(parents=True, exist_ok=True)
    if shutil.which("rsync"):
        excludes = [f"--exclude={pattern}" for pattern in EXCLUDE]
        subprocess.run(["rsync", "-a", "--delete", *excludes, f"{PROJECT_ROOT}/", f"{tree}/"], check=True)
    else:
        shutil.copytree(PROJECT_ROOT, tree, dirs_exist_ok=True, ignore=shutil.ignore_patterns(*EXCLUDE))
    wiring = tree / "sen_portal" / "sen_portal.py"
    wiring.write_text(wiring.read_text() + APPEND)
    return tree


def start_echo(port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--workers", "1", "--log-level", "warning", "benchmarks._echo_app:app"],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            asyncio.run(_echo_once(port))
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the echo server did not start")


async def _echo_once(port: int) -> None:
    socket = RawWebSocket()
    await socket.connect("127.0.0.1", port, "/", {}, [])
    await socket.send("hello")
    assert await socket.receive() == "hello"
    await socket.close()


def seed_clients(env: dict[str, str], count: int) -> list[tuple[str, str]]:
    """``count`` verified users, each signed in (a session token) with a draft: [(cookie, public_id)]."""
    from sen_portal.config import settings_from_env
    from sen_portal.db import make_engine, session_scope
    from sen_portal.models import UserAccount
    from sen_portal.services import referrals, sessions

    settings = settings_from_env(env)
    engine = make_engine(env["DATABASE_URL"])
    clients = []
    for n in range(count):
        with session_scope(engine) as db:
            user = UserAccount(
                email=f"bench-{n}-{time.time_ns()}@school.example.org",
                first_name="Sam",
                last_name="Jones",
                email_verified_at=datetime.now(UTC),
            )
            db.add(user)
            db.flush()
            assert user.id is not None
            ticket = sessions.issue_ticket(db, user_id=user.id)
            draft = referrals.start_draft(db, user_id=user.id, form_key="ehc_needs_assessment")
            public_id = draft.public_id
        with session_scope(engine) as db:
            token = sessions.redeem_ticket(db, ticket=ticket, settings=settings)
        assert token
        clients.append((f"{sessions.cookie_name(settings)}={token}", public_id))
    engine.dispose()
    return clients


def _section_loaded(update: dict) -> bool:
    return any(
        key.endswith("referral_state") and values.get("section_key_rx_state_") == SECTION
        for key, values in update.get("delta", {}).items()
    )


def _blank_loaded(update: dict) -> bool:
    return any(key.endswith("bench_blank_state") for key in update.get("delta", {}))


class PageClient:
    """One tab on a page: connect, hydrate (on_load runs), then time events."""

    def __init__(
        self, port: int, origin: str, cookie: str, path: str, query: dict[str, str], loaded: Callable[[dict], bool]
    ) -> None:
        from reflex_base.constants import Reflex

        self.client = ReflexClient("127.0.0.1", port, cookie=cookie, origin=origin, version=Reflex.VERSION)
        self.path, self.query = path, query
        self.loaded = loaded  # true of the update that shows the page's on_load has run
        self.delta_bytes = 0

    async def open(self) -> None:
        from reflex.state import State

        await self.client.connect()
        await self.client.send_event(f"{State.get_full_name()}.hydrate_and_load", {}, self.path, self.query)
        # Updates carry no event id: each timed event must find nothing left over from loading.
        # Wait for the on_load's update (it may come seconds later under load), then for silence.
        while not any(self.loaded(update) for update in await self.client.until_final()):
            pass
        while True:
            try:
                await asyncio.wait_for(self.client.until_final(), 0.5)
            except TimeoutError:
                return

    async def event(self, name: str, payload: dict) -> None:
        await self.client.send_event(name, payload, self.path, self.query)
        updates = await self.client.until_final()
        self.delta_bytes = len(json.dumps(updates))

    async def close(self) -> None:
        await self.client.close()


class EchoClient:
    def __init__(self, port: int) -> None:
        self.port = port
        self.socket = RawWebSocket()

    async def open(self) -> None:
        await self.socket.connect("127.0.0.1", self.port, "/", {}, [])

    async def event(self, name: str, payload: dict) -> None:
        frame = json.dumps({"name": name, "payload": payload})
        await self.socket.send(frame)
        assert await self.socket.receive() == frame

    async def close(self) -> None:
        await self.socket.close()


async def measure(
    make: Callable[[int], object], clients: int, send: Callable[[object, int], Awaitable[None]], events_each: int
) -> list[float]:
    """Round trips (ms) of ``events_each`` events per client, all clients at once after a warm-up."""
    opened = [make(n) for n in range(clients)]
    await asyncio.gather(*(c.open() for c in opened))  # type: ignore[attr-defined]
    times: list[float] = []
    warmed = asyncio.Barrier(clients)
    randomness = random.Random(8)

    async def drive(client: object) -> None:
        for k in range(WARM_UP):
            await send(client, k)
        await warmed.wait()
        await asyncio.sleep(randomness.uniform(*THINK) if clients > 1 else 0)  # spread the starts
        for k in range(events_each):
            began = time.perf_counter()
            await send(client, k)
            times.append((time.perf_counter() - began) * 1000)
            if clients > 1:
                await asyncio.sleep(randomness.uniform(*THINK))

    await asyncio.gather(*(drive(c) for c in opened))
    await asyncio.gather(*(c.close() for c in opened))  # type: ignore[attr-defined]
    return times


def run() -> list[Result]:
    from benchmarks.blank_page import ROUTE, BenchBlankState
    from sen_portal.state.referral import ReferralState

    tools = PROJECT_ROOT / ".tools" / "node_modules" / ".bin"
    os.environ["PATH"] = f"{tools}:{os.environ.get('PATH', '')}"
    os.environ["REFLEX_USE_SYSTEM_BUN"] = "1"
    tree = private_tree()
    harness = load_harness(tree)
    echo_port = harness.free_port()
    echo = start_echo(echo_port)
    figures: dict[tuple[str, int], list[float]] = {}
    delta = {}
    with tempfile.TemporaryDirectory(prefix="sen-bench-events-") as folder:
        portal = harness.start_portal(Path(folder))
        try:
            port = int(portal.url.rsplit(":", 1)[1])
            seeded = seed_clients(portal.env, CLIENTS)
            choose, set_value = f"{ReferralState.get_full_name()}.choose", f"{ReferralState.get_full_name()}.set_value"
            blank = f"{BenchBlankState.get_full_name()}.set_text"

            def form_page(n: int) -> PageClient:
                cookie, public_id = seeded[n]
                query = {"id": public_id, "section": SECTION}
                return PageClient(port, portal.url, cookie, SECTION_PATH, query, loaded=_section_loaded)

            def blank_page(n: int) -> PageClient:
                return PageClient(port, portal.url, seeded[n][0], ROUTE, {}, loaded=_blank_loaded)

            async def choice(client, k: int) -> None:
                await client.event(choose, {"path": CHOICE, "value": "yes" if k % 2 == 0 else "no"})
                delta["choice"] = client.delta_bytes

            async def text(client, k: int) -> None:
                await client.event(set_value, {"path": TEXT_FIELD, "value": f"Alex{k}"})
                delta["text"] = client.delta_bytes

            async def blank_text(client, k: int) -> None:
                await client.event(blank, {"value": f"Alex{k}"})
                delta["blank"] = client.delta_bytes

            async def echo_text(client, k: int) -> None:
                await client.event(blank, {"value": f"Alex{k}"})

            scenarios = {
                "echo": (lambda n: EchoClient(echo_port), echo_text),
                "blank": (blank_page, blank_text),
                "choice": (form_page, choice),
                "text": (form_page, text),
            }
            with OtherLoad() as other:
                for clients, events_each in ((1, SEQUENTIAL_EVENTS), (CLIENTS, EVENTS_EACH)):
                    for name, (make, send) in scenarios.items():
                        figures[(name, clients)] = asyncio.run(measure(make, clients, send, events_each))
        finally:
            harness.stop_portal(portal)
            echo.terminate()
            echo.wait(10)
    return _results(figures, delta, other.cores)


def _results(figures: dict[tuple[str, int], list[float]], delta: dict[str, int], busy: float) -> list[Result]:
    def p50_of(name: str, clients: int) -> float:
        return statistics.median(figures[(name, clients)])

    def p95_of(name: str, clients: int) -> float:
        return p95(figures[(name, clients)])

    def summary(clients: int) -> str:
        parts = [
            f"{name} p50 {p50_of(name, clients):.2f} / p95 {p95_of(name, clients):.2f} ms"
            for name in ("echo", "blank", "choice", "text")
        ]
        return "; ".join(parts)

    results = []
    for clients in (1, CLIENTS):
        label = "1 client" if clients == 1 else f"{clients} clients"
        choice95, blank95, echo95 = (p95_of(n, clients) for n in ("choice", "blank", "echo"))
        results.append(
            Result(
                name=f"event round trip, {label}: choice on the heaviest form page (p95)",
                figure=choice95,
                unit="ms",
                floor=blank95,
                ratio=ratio(choice95, blank95),
                target=f"<= {TARGET_RATIO} x blank page p95" if clients == 1 else f"<= {TARGET_MS_AT_50:.0f} ms",
                met=(choice95 <= TARGET_RATIO * blank95) if clients == 1 else choice95 <= TARGET_MS_AT_50,
                busy=busy,
                note=f"{summary(clients)}; {ratio(choice95, echo95):.1f} x the bare websocket echo p95; "
                f"{len(figures[('choice', clients)])} events; update {delta.get('choice', 0) / 1000:.1f} KB "
                f"(blank {delta.get('blank', 0)} B); other processes used {busy:.2f} cores",
            )
        )
        text95 = p95_of("text", clients)
        results.append(
            Result(
                name=f"event round trip, {label}: text field on the same page (p95)",
                figure=text95,
                unit="ms",
                floor=blank95,
                ratio=ratio(text95, blank95),
                target="(informative)",
                busy=busy,
                note=f"update {delta.get('text', 0)} B; p50 {p50_of('text', clients):.2f} ms",
            )
        )
    return results


if __name__ == "__main__":
    from benchmarks.run_all import print_table

    print_table(run())
