"""Sign-in under load: bcrypt throughput through the real service, and the event loop staying responsive.

1. **Throughput.** The floor is what raw ``bcrypt.checkpw`` at cost 12 achieves on this machine with
   as many threads as the portal's password pool has (``PASSWORD_WORKERS``: one fewer than the cores
   by default, so sign-ins never take every core): the ceiling for the cores sign-ins may use.
   Then the same number of sign-ins at a time go through the real service path on that pool,
   ``sign_in.check_password`` in ``asyncio.to_thread`` with its own ``session_scope`` on a SQLite
   database migrated by Alembic, each for its own verified user (so every one succeeds, opens a
   challenge and queues a code email, as a real sign-in does). The ratio shows what the service adds on
   top of bcrypt (throttle look-ups, the challenge, the outbox row, SQLite commits). Target >= 0.85.

2. **Responsiveness.** A thread hands the event loop a trivial coroutine every 5 ms through
   ``call_soon_threadsafe`` (the loop is woken through its self-pipe, as it is when another user's
   websocket frame arrives). Its latency, hand-over to first line run, is measured idle (the floor) and
   while 20 sign-ins are in flight with ``asyncio.to_thread``. Target: loaded p95 < 2 x idle p95.
   For contrast, one sign-in run *on* the loop (the mistake this guards against) is also timed, and
   the same with bare ``checkpw`` calls in flight (CPU saturated, no service code holding the GIL).

3. **The executor.** The portal's handlers reach the database through ``asyncio.to_thread`` too
   (type-ahead, the address finder, /health), so "another user's event" usually also needs a worker
   of the *default executor*, the one the sign-ins occupy. The same tick, now doing one
   ``to_thread`` call of nothing, is timed idle and with the 20 sign-ins in flight; and, to show
   what would fix a miss, with the sign-ins on their own pool of one worker per core instead.

Run alone: ``python -m benchmarks.sign_in_load`` (about 40 s on 2 cores).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import bcrypt
from sqlalchemy.engine import Engine

from benchmarks._common import OtherLoad, Result, bench_settings, migrated_sqlite, p95, ratio, scaled
from sen_portal.db import session_scope
from sen_portal.models import UserAccount
from sen_portal.services import passwords
from sen_portal.services.sign_in import PasswordAccepted, check_password

COST = 12
PASSWORD = "marble otter sunrise quilt"
ROUNDS = scaled(5, 1)  # throughput rounds; the median ratio is reported (a shared machine makes single runs noisy)
RESPONSIVENESS_ROUNDS = scaled(5, 1)  # sub-millisecond figures: one scheduler hiccup moves a single round
CHECKS_PER_THREAD = scaled(4, 1)
IN_FLIGHT = scaled(20, 6)
TICK = 0.005


# ---- throughput --------------------------------------------------------------------------------


def raw_checks_per_second(threads: int, checks_per_thread: int) -> float:
    """The floor: ``threads`` threads each running ``checkpw`` back to back, started together."""
    hashed = bcrypt.hashpw(b"x" * 44, bcrypt.gensalt(rounds=COST))
    start = threading.Barrier(threads + 1)

    def worker() -> None:
        start.wait()
        for _ in range(checks_per_thread):
            assert bcrypt.checkpw(b"x" * 44, hashed)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in pool:
        thread.join()
    return threads * checks_per_thread / (time.perf_counter() - began)


def sign_in_once(engine: Engine, settings, email: str, ip: str) -> object:
    """One password step exactly as the sign-in handler does it: own unit of work, real service."""
    with session_scope(engine) as session:
        return check_password(session, email=email, password=PASSWORD, ip=ip, settings=settings)


class Users:
    """Verified users sharing one cost-12 hash (hashing is not what is measured), handed out once each."""

    def __init__(self, engine: Engine, settings, count: int) -> None:
        hashed = passwords.hash_password(PASSWORD, pepper=passwords.password_pepper(settings))
        self.emails = [f"bench-{i}@school.example.org" for i in range(count)]
        verified_at = datetime.now(UTC)
        with session_scope(engine) as session:
            for i, email in enumerate(self.emails):
                session.add(
                    UserAccount(
                        email=email,
                        password_hash=hashed,
                        role="professional",
                        first_name="Bench",
                        last_name=f"User{i}",
                        email_verified_at=verified_at,
                    )
                )
        self._next = 0
        self._lock = threading.Lock()

    def take(self) -> tuple[str, str]:
        with self._lock:
            i = self._next
            self._next += 1
        return self.emails[i], f"192.0.2.{i % 250 + 1}"


async def service_sign_ins_per_second(engine: Engine, settings, users: Users, concurrency: int, each: int) -> float:
    """``concurrency`` sign-ins in flight at all times, each on the portal's password pool (as the page does)."""
    from sen_portal.state.password_pool import run_password_work

    async def worker() -> None:
        for _ in range(each):
            email, ip = users.take()
            outcome = await run_password_work(sign_in_once, engine, settings, email, ip)
            assert isinstance(outcome, PasswordAccepted), outcome

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return concurrency * each / (time.perf_counter() - began)


# ---- responsiveness ----------------------------------------------------------------------------


async def tick_latencies(
    duration: float | None, until: asyncio.Future | None = None, *, hop: bool = False
) -> list[float]:
    """Latency (s) of a trivial coroutine handed to this loop every ``TICK`` from another thread.

    With ``hop`` the coroutine also does one ``asyncio.to_thread`` call of nothing, as every portal
    handler that touches the database does (type-ahead, address finder, /health): the latency then
    includes waiting for a free worker in the default executor.
    """
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    tasks: set[asyncio.Task] = set()
    stop = threading.Event()

    async def trivial(sent: float) -> None:
        if hop:
            await asyncio.to_thread(int)
        latencies.append(time.perf_counter() - sent)

    def schedule(sent: float) -> None:
        task = loop.create_task(trivial(sent))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    def feeder() -> None:
        next_at = time.perf_counter()
        while not stop.is_set():
            loop.call_soon_threadsafe(schedule, time.perf_counter())
            next_at += TICK
            time.sleep(max(0.0, next_at - time.perf_counter()))

    thread = threading.Thread(target=feeder, daemon=True)
    thread.start()
    try:
        if until is not None:
            await until
        else:
            await asyncio.sleep(duration or 0)
    finally:
        stop.set()
        await asyncio.to_thread(thread.join)
    await asyncio.sleep(0.05)  # let the last ticks in
    await asyncio.gather(*tasks)  # and wait for every one, the slowest included
    return latencies


async def in_flight(work, count: int, executor: ThreadPoolExecutor | None = None) -> None:
    """``count`` calls of ``work`` submitted at once: to the default executor (what ``asyncio.to_thread``
    uses, as the portal's handlers do) or to ``executor``."""
    loop = asyncio.get_running_loop()
    outcomes = await asyncio.gather(*(loop.run_in_executor(executor, work) for _ in range(count)))
    assert all(o is None or isinstance(o, PasswordAccepted) for o in outcomes), outcomes


async def latencies_during(work, count: int, *, hop: bool = False, executor=None) -> list[float]:
    load = asyncio.ensure_future(in_flight(work, count, executor))
    await asyncio.sleep(0)  # the work is submitted before the ticks start
    return await tick_latencies(None, until=load, hop=hop)


async def responsiveness_round(sign_in) -> tuple[float, float]:
    """p95 tick latency (s): idle for a second, then while IN_FLIGHT sign-ins run on the password pool."""
    from sen_portal.state.password_pool import pool

    idle = await tick_latencies(1.0)
    loaded = await latencies_during(sign_in, IN_FLIGHT, executor=pool())
    return p95(idle), p95(loaded)


async def bare_bcrypt_p95(raw_check) -> float:
    """Diagnosis: the same with bare ``checkpw`` calls (CPU saturated, but no service Python holding the GIL)."""
    return p95(await latencies_during(raw_check, IN_FLIGHT))


async def hop_p95s(sign_in, threads: int) -> tuple[float, float, float]:
    """p95 (s) of a tick that does one to_thread hop: idle; with IN_FLIGHT sign-ins on the portal's own
    password pool (``sen_portal.state.password_pool``, what the pages use); and, for comparison, with
    them on the default executor that every ``asyncio.to_thread`` shares (how the portal first ran them)."""
    from sen_portal.state.password_pool import pool

    password_pool = pool()

    idle = await tick_latencies(1.0, hop=True)
    portal = await latencies_during(sign_in, IN_FLIGHT, hop=True, executor=password_pool)
    shared = await latencies_during(sign_in, IN_FLIGHT, hop=True)
    return p95(idle), p95(portal), p95(shared)


async def on_loop_max(sign_in) -> float:
    """The counterfactual: one sign-in run on the loop itself, the mistake to_thread prevents."""

    async def blocking() -> None:
        await asyncio.sleep(0.05)
        sign_in()

    return max(await tick_latencies(None, until=asyncio.ensure_future(blocking())))


# ---- the benchmark -----------------------------------------------------------------------------


def run() -> list[Result]:
    logging.getLogger("sen_portal").setLevel(logging.WARNING)
    from sen_portal.state.password_pool import available_cores, pool

    threads = pool()._max_workers  # PASSWORD_WORKERS: the cores sign-ins may use
    with migrated_sqlite() as (base, engine), OtherLoad() as other:
        settings = bench_settings(base)
        wanted = ROUNDS * threads * CHECKS_PER_THREAD + (RESPONSIVENESS_ROUNDS + 2) * IN_FLIGHT + 2
        users = Users(engine, settings, wanted)

        def sign_in() -> object:
            return sign_in_once(engine, settings, *users.take())

        hashed = bcrypt.hashpw(b"y" * 44, bcrypt.gensalt(rounds=COST))

        def raw_check() -> None:
            bcrypt.checkpw(b"y" * 44, hashed)

        sign_in()  # warm-up: imports, templates, connections
        floors, figures = [], []
        for _ in range(ROUNDS):  # alternate floor and service so a busy spell hits both
            floors.append(raw_checks_per_second(threads, CHECKS_PER_THREAD))
            figures.append(
                asyncio.run(service_sign_ins_per_second(engine, settings, users, threads, CHECKS_PER_THREAD))
            )
        rounds = [asyncio.run(responsiveness_round(sign_in)) for _ in range(RESPONSIVENESS_ROUNDS)]
        bare_p95 = asyncio.run(bare_bcrypt_p95(raw_check))
        hop_idle, hop_portal, hop_shared = asyncio.run(hop_p95s(sign_in, threads))
        blocked_max = asyncio.run(on_loop_max(sign_in))

    ratios = [ratio(f, fl) for f, fl in zip(figures, floors, strict=True)]
    mid = sorted(range(ROUNDS), key=ratios.__getitem__)[ROUNDS // 2]  # the median round
    tick_ratios = [loaded / idle for idle, loaded in rounds]
    tick_mid = sorted(range(len(rounds)), key=tick_ratios.__getitem__)[len(rounds) // 2]
    idle_p95, loaded_p95 = rounds[tick_mid]
    busy = f"other processes used {other.cores:.2f} of {available_cores()} cores meanwhile"
    return [
        Result(
            name=f"sign-in throughput ({threads} in flight, cost {COST})",
            figure=figures[mid],
            unit="sign-ins/s",
            floor=floors[mid],
            ratio=ratios[mid],
            target=">= 0.85 x raw checkpw",
            busy=other.cores,
            met=ratios[mid] >= 0.85,
            note=f"median of {ROUNDS} rounds; ratios {', '.join(f'{r:.2f}' for r in ratios)}; {busy}",
        ),
        Result(
            name=f"tick p95 latency, {IN_FLIGHT} sign-ins in flight",
            figure=loaded_p95 * 1000,
            unit="ms",
            floor=idle_p95 * 1000,
            ratio=tick_ratios[tick_mid],
            target="< 2 x idle p95",
            busy=other.cores,
            met=tick_ratios[tick_mid] < 2,
            note=(
                f"median of {len(rounds)} rounds; ratios {', '.join(f'{r:.2f}' for r in tick_ratios)}; "
                f"loaded p95s {', '.join(f'{loaded * 1000:.2f}' for _, loaded in rounds)} ms; "
                f"with {IN_FLIGHT} bare checkpw in flight instead: p95 {bare_p95 * 1000:.2f} ms; "
                f"one sign-in ON the loop instead: max {blocked_max * 1000:.0f} ms; {busy}"
            ),
        ),
        Result(
            name=f"to_thread hop p95, {IN_FLIGHT} sign-ins in flight",
            figure=hop_portal * 1000,
            unit="ms",
            floor=hop_idle * 1000,
            ratio=ratio(hop_portal, hop_idle),
            target="< 2 x idle p95",
            busy=other.cores,
            met=hop_portal < 2 * hop_idle,
            note=(
                f"a tick that does one asyncio.to_thread call, as DB-backed handlers do, while the sign-ins run "
                f"on the portal's own {threads}-worker password pool; had they shared the default executor "
                f"({min(32, available_cores() + 4)} workers): p95 {hop_shared * 1000:.0f} ms ({ratio(hop_shared, hop_idle):.0f} x idle)"
            ),
        ),
    ]


if __name__ == "__main__":  # through run_all: its own process, with the hard time limit
    from benchmarks.run_all import main

    raise SystemExit(main(["sign_in_load"]))
