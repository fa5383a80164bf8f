"""The password pool: bounded below the cores, set by PASSWORD_WORKERS, and run at a lower priority."""

from __future__ import annotations

import asyncio
import os
import sys
import threading

import pytest

from sen_portal.config import SettingsError, settings_from_env
from sen_portal.state import password_pool

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("configured", "cores", "expected"), [(0, 2, 1), (0, 1, 1), (0, None, 1), (0, 8, 7), (3, 2, 3)]
)
def test_workers_leave_a_core_for_the_pages_unless_set(configured: int, cores: int | None, expected: int) -> None:
    assert password_pool.worker_count(configured, cores) == expected


def test_password_workers_setting() -> None:
    base = {"SECRET_KEY": "k" * 40}
    assert settings_from_env(base).password_workers == 0
    assert settings_from_env({**base, "PASSWORD_WORKERS": "3"}).password_workers == 3
    for wrong in ("-1", "many", "65"):
        with pytest.raises(SettingsError, match="PASSWORD_WORKERS"):
            settings_from_env({**base, "PASSWORD_WORKERS": wrong})


def test_the_pool_is_bounded_and_its_threads_yield_to_the_event_loop() -> None:
    expected = password_pool.worker_count(0, password_pool.available_cores())
    assert password_pool.pool()._max_workers == expected

    def where() -> tuple[str, int | None]:
        niceness = os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) if sys.platform == "linux" else None
        return threading.current_thread().name, niceness

    name, niceness = asyncio.run(password_pool.run_password_work(where))
    assert name.startswith("password")
    if sys.platform == "linux":
        assert niceness is not None and niceness >= password_pool.NICENESS
