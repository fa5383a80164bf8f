"""A bounded thread pool of its own for bcrypt work (about 0.3 s of CPU per hash or check).

``asyncio.to_thread`` shares one small default pool with every database call the pages make, and a
pool of one thread per core let twenty sign-ins take both cores of a two-core server: everyone
else's events waited behind bcrypt (issue 18: p95 186–582 ms with 20 sign-ins in flight). So
password work runs here, on ``PASSWORD_WORKERS`` threads (default: one fewer than the cores, at least
one) at a lower CPU priority: a burst of sign-ins queues in order (first come, first served; no
timeout) while the event loop keeps a core. Measured in benchmarks/sign_in_load.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from sen_portal.config import get_settings

P = ParamSpec("P")
R = TypeVar("R")
NICENESS = 10  # below the event loop's threads: a page event wins the core from a password check

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def worker_count(configured: int, cores: int | None) -> int:
    """``PASSWORD_WORKERS`` when set (> 0), else one fewer than the cores, never fewer than one."""
    if configured > 0:
        return configured
    return max(1, (cores or 1) - 1)


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _lower_priority() -> None:
    # Linux nices threads one by one (a thread id is a process id to setpriority); elsewhere the
    # bounded size alone keeps a core free.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)


def pool() -> ThreadPoolExecutor:
    """The process's password pool, made on first use from the settings."""
    global _pool
    with _pool_lock:
        if _pool is None:
            workers = worker_count(get_settings().password_workers, available_cores())
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="password", initializer=_lower_priority)
        return _pool


async def run_password_work(function: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """Run ``function`` (anything that hashes or checks a password) on the password pool, in turn."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(pool(), functools.partial(function, *args, **kwargs))
