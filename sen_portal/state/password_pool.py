"""A thread pool of its own for bcrypt work (about 0.3 s of CPU per hash or check).

``asyncio.to_thread`` shares one small default pool with every database call the
pages make. Twenty sign-ins at once held all of its workers for seconds, so a
type-ahead lookup or ``/health`` queued behind them (measured in
benchmarks/sign_in_load.py). Password work runs here instead, one worker per core:
as fast as the CPU allows, and it never takes the workers everything else needs.
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_POOL = ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1), thread_name_prefix="password")


async def run_password_work(function: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """Run ``function`` (anything that hashes or checks a password) on the password pool."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_POOL, functools.partial(function, *args, **kwargs))
