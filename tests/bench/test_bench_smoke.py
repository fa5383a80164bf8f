"""bench-smoke: every benchmark runs to the end for a few iterations and prints its figures.

A benchmark nobody runs rots (``event_round_trip`` once waited forever for an update the page no
longer sends). This runs each one exactly as ``make bench`` does (``benchmarks.run_all``: its own
process, the hard time limit) with ``BENCH_SMOKE=1`` and checks only that it finished and printed
its rows: no timed assertion, the figures of a few iterations on a shared machine mean nothing.
Select with ``-m bench``; ``make test`` runs it with everything else. One portal is built and started
for all of them (``BENCH_SHARED_PORTAL``), so the whole run stays a few minutes on a busy machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import _portal
from benchmarks.run_all import BENCHMARKS

pytestmark = pytest.mark.bench
PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Each benchmark's rows begin with these words (the table's first column).
ROWS = {
    "sign_in_load": ["sign-in throughput", "tick p95 latency", "to_thread hop p95"],
    "event_round_trip": [
        "click yes/no",
        "event round trip at the socket, 1 client",
        "event round trip at the socket, 5",
    ],
    "state_managers": ["state manager memory: choice p95, 4 clients"],
    "upload_path": ["20 MB PDF chosen and uploaded in Chromium", "20 MB PDF through /_upload", "portal memory growth"],
    "upload_stream": ["upload 25 MB", "heap per upload", "RSS per upload"],
    "inbox_at_scale": ["inbox first page, status 'received', newest first (SQLite, 300)"],
    "page_weight": ["first load /: bytes transferred", "first load /sign-in: time to interactive"],
}


@pytest.fixture(scope="module")
def shared_portal(tmp_path_factory: pytest.TempPathFactory):
    portal = _portal.start_portal(tmp_path_factory.mktemp("bench-portal"), extra_env=_portal.UPLOAD_LIMITS)
    yield _portal.describe(portal)
    _portal.stop_portal(portal)


def test_every_benchmark_has_a_smoke_check() -> None:
    assert set(ROWS) == set(BENCHMARKS)


@pytest.mark.parametrize("name", BENCHMARKS)
def test_benchmark_completes_and_prints_its_figures(name: str, shared_portal: str) -> None:
    env = {**os.environ, "BENCH_SMOKE": "1", "BENCH_QUIET_WAIT": "0", "BENCH_TIMEOUT": "240"}
    env[_portal.SHARED] = shared_portal
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run_all", name],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    table = [line for line in done.stdout.splitlines() if line.startswith("| ") and "---" not in line]
    for row in ROWS[name]:
        assert any(line.startswith(f"| {row}") for line in table), f"no row {row!r}:\n{output[-4000:]}"
    figures = [line for line in table[1:] if line.split("|")[2].strip() not in ("", "—")]
    assert figures, output[-4000:]
