"""Shared pieces: the result row every benchmark returns, a migrated throw-away database, settings."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    """One row of the table: ``figure`` compared with ``floor`` (same unit), judged against ``target``."""

    name: str
    figure: float
    unit: str
    floor: float | None = None  # what the machine can do at best, measured in the same run
    ratio: float | None = None  # figure / floor
    target: str = ""  # human-readable, e.g. ">= 0.85 x floor"
    met: bool | None = None  # None when there is no target (informative rows)
    note: str = ""
    busy: float | None = None  # cores used by other processes meanwhile (OtherLoad), when measured


def ratio(figure: float, floor: float) -> float:
    return figure / floor if floor else float("nan")


def p95(values: list[float]) -> float:
    """95th percentile (inclusive method; needs at least 2 values)."""
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def bench_settings(base_dir: Path, **env: str):
    """Settings as production builds them (``settings_from_env``), pointed at ``base_dir``."""
    from sen_portal.config import settings_from_env

    values = {
        "PUBLIC_URL": "http://localhost:3000",
        "SECRET_KEY": "b" * 48,
        "DATABASE_URL": f"sqlite:///{base_dir / 'bench.db'}",
        "MAIL_BACKEND": "file",
        "MAIL_DIR": str(base_dir / "mail"),
        "DOCUMENT_STORE_DIR": str(base_dir / "documents"),
    }
    values.update(env)
    return settings_from_env(values)


@contextmanager
def migrated_sqlite() -> Iterator[tuple[Path, Engine]]:
    """A temporary folder with a SQLite database migrated by Alembic (the real migrations)."""
    from alembic.config import Config

    from alembic import command
    from sen_portal.db import make_engine

    with tempfile.TemporaryDirectory(prefix="sen-bench-") as folder:
        base = Path(folder)
        url = f"sqlite:///{base / 'bench.db'}"
        config = Config(str(PROJECT_ROOT / "alembic.ini"))
        config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
        config.attributes["database_url"] = url
        config.attributes["skip_logging"] = True
        command.upgrade(config, "head")
        engine = make_engine(url)
        try:
            yield base, engine
        finally:
            engine.dispose()


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (Linux ``/proc/stat``; psutil elsewhere).

    Guest time is already inside user time, and steal is not ours to count.
    """
    try:
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
        user, nice, system, _idle, _iowait, irq, softirq = fields[:7]
        return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        import psutil

        t = psutil.cpu_times()
        return sum(getattr(t, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq"))


def rss_bytes() -> int:
    """This process's resident memory (Linux ``/proc/self/statm``; psutil elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        import psutil

        return psutil.Process().memory_info().rss


class OtherLoad:
    """How busy the rest of the machine was while a benchmark ran: the average number of cores used by
    everything except this process (and its reaped children). A shared machine makes figures noisy;
    this says how noisy, so a reader can tell a slow run from a busy machine."""

    def __enter__(self) -> OtherLoad:
        self._began = time.monotonic()
        self._busy = machine_busy_seconds()
        self._own = self._own_cpu()
        self.cores = 0.0
        return self

    def __exit__(self, *_: object) -> None:
        wall = time.monotonic() - self._began
        other = (machine_busy_seconds() - self._busy) - (self._own_cpu() - self._own)
        self.cores = max(0.0, other / wall) if wall > 0 else 0.0

    @staticmethod
    def _own_cpu() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system


# ---- smoke runs and hard timeouts ----------------------------------------------------------------

SMOKE = os.environ.get("BENCH_SMOKE") == "1"  # the bench-smoke test: a few iterations, same code paths


def scaled(full: int, smoke: int) -> int:
    """How many iterations: ``full`` in ``make bench``, ``smoke`` in the bench-smoke test."""
    return smoke if SMOKE else full


class BenchTimeout(TimeoutError):
    """A benchmark step took longer than its hard limit: the benchmark fails loudly instead of waiting."""


async def within(awaitable, seconds: float, what: str):
    """Await ``awaitable`` for at most ``seconds``; raise ``BenchTimeout`` naming ``what`` otherwise."""
    import asyncio

    try:
        return await asyncio.wait_for(awaitable, seconds)
    except TimeoutError:
        raise BenchTimeout(f"timed out after {seconds:.0f} s: {what}") from None
