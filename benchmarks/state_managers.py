"""Which Reflex state manager for ``make run``: disk (Reflex's default without Redis), memory, or Redis.

The same portal (the benchmarks' private tree, ``reflex run --env prod --single-port``) is started
once per manager (``REFLEX_STATE_MANAGER_MODE``; Redis through the portal's own ``REDIS_URL``), and
the same clients as ``event_round_trip`` change the "looked after" choice on the heaviest section:
one client (events back to back) and ``CLIENTS`` clients with think time. The floor is the fastest
manager's figure in the same run.

The disk manager also rescans its folder: after every debounced write round it lists ``.states`` and
stats every pickle to purge expired ones (``StateManagerDisk._purge_expired_states``, in a worker
thread, on the hot path of a busy portal). The note gives how many files the run left there and what
one such scan costs, so its growth with the number of tabs (23 page-state classes each) is visible.

Every page of the portal rebuilds its state from the database on load (its on_load reads the
session, the draft, the inbox …), so a restart loses no saved work under any manager; only what
was typed and not yet saved lives in state, and the browser still shows it.

``make run`` uses the memory manager because of this measurement (``rxconfig.py``); the disk mode is
forced here with ``REFLEX_STATE_MANAGER_MODE=disk``.

Run alone: ``python -m benchmarks.state_managers``.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks._common import OtherLoad, Result, p95, ratio, scaled
from benchmarks._portal import shared, start_portal, stop_portal
from benchmarks.event_round_trip import (
    CHOICE,
    SECTION,
    SECTION_PATH,
    PageClient,
    _section_loaded,
    measure,
    seed_clients,
)

CLIENTS = scaled(50, 4)
SEQUENTIAL_EVENTS = scaled(100, 4)
EVENTS_EACH = scaled(20, 2)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_answers(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except Exception:
        return False


def purge_scan(folder: Path) -> tuple[int, float]:
    """(pickles in the folder, ms for one scan as the disk manager does it: list, stat each)."""
    began = time.perf_counter()
    files = [path for path in folder.iterdir() if path.suffix == ".pkl"] if folder.exists() else []
    for path in files:
        path.stat()
    return len(files), (time.perf_counter() - began) * 1000


def run() -> list[Result]:
    from sen_portal.state.referral import ReferralState

    modes = {"disk": {"REFLEX_STATE_MANAGER_MODE": "disk"}, "memory": {"REFLEX_STATE_MANAGER_MODE": "memory"}}
    if shared():  # the smoke run: the shared portal only (memory: what `make run` uses without Redis)
        modes = {"memory": {}}
    elif redis_answers(REDIS_URL):
        modes["redis"] = {"REDIS_URL": REDIS_URL, "GRANIAN_WORKERS": "1"}  # one process, like the others
    choose = f"{ReferralState.get_full_name()}.choose"
    figures: dict[str, tuple[list[float], list[float]]] = {}
    scan = (0, 0.0)
    with OtherLoad() as other:
        for mode, env in modes.items():
            with tempfile.TemporaryDirectory(prefix=f"sen-bench-{mode}-") as folder:
                states = Path(folder) / "states"
                portal = start_portal(Path(folder), extra_env={**env, "REFLEX_STATES_WORKDIR": str(states)})
                try:
                    port = int(portal.url.rsplit(":", 1)[1])
                    seeded = seed_clients(portal.env, CLIENTS)

                    def page(n: int, seeded=seeded, port=port, url=portal.url) -> PageClient:
                        cookie, public_id = seeded[n]
                        query = {"id": public_id, "section": SECTION}
                        return PageClient(port, url, cookie, SECTION_PATH, query, loaded=_section_loaded)

                    async def choice(client, k: int) -> None:
                        await client.event(choose, {"path": CHOICE, "value": "yes" if k % 2 == 0 else "no"})

                    one = asyncio.run(measure(page, 1, choice, SEQUENTIAL_EVENTS))
                    many = asyncio.run(measure(page, CLIENTS, choice, EVENTS_EACH))
                    figures[mode] = (one, many)
                    if mode == "disk":
                        time.sleep(3)  # let the debounced writes land
                        scan = purge_scan(states)
                finally:
                    stop_portal(portal)
    best_one = min(p95(one) for one, _ in figures.values())
    best_many = min(p95(many) for _, many in figures.values())
    results = []
    for mode, (one, many) in figures.items():
        extra = (
            f"; the run left {scan[0]:,} pickles in .states, one purge scan of them {scan[1]:.1f} ms"
            if mode == "disk"
            else ""
        )
        results.append(
            Result(
                name=f"state manager {mode}: choice p95, {CLIENTS} clients",
                figure=p95(many),
                unit="ms",
                floor=best_many,
                ratio=ratio(p95(many), best_many),
                target="(informative)",
                busy=other.cores,
                note=f"1 client p50 {statistics.median(one):.2f} / p95 {p95(one):.2f} ms (fastest manager p95 "
                f"{best_one:.2f}); {CLIENTS} clients p50 {statistics.median(many):.2f} ms{extra}",
            )
        )
    if "redis" not in figures and not shared():
        results.append(
            Result(
                name="state manager redis", figure=float("nan"), unit="ms", note=f"{REDIS_URL} not answering: skipped"
            )
        )
    return results


if __name__ == "__main__":  # through run_all: its own process, with the hard time limit
    from benchmarks.run_all import main

    raise SystemExit(main(["state_managers"]))
