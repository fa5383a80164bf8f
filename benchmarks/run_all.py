"""Run every benchmark and print one table: benchmark, figure, floor, ratio, target, met?

``make bench`` runs this. ``python -m benchmarks.run_all sign_in_load upload_stream`` runs only those.
Each benchmark runs in a child process with a hard time limit (``BENCH_TIMEOUT`` seconds, default
1,200; 240 with ``BENCH_SMOKE=1``): one that hangs is killed, with everything it started, and reported
as FAILED, so ``make bench`` always runs to the end and never hides a broken benchmark.
``BENCH_SMOKE=1`` runs each for a few iterations only (the bench-smoke test, tests/bench).
Before each benchmark it waits (up to ``BENCH_QUIET_WAIT`` seconds, default 300) for the machine to be
nearly idle, and it flags figures taken while other processes were busy anyway.
Every figure is compared with a floor measured in the same run on the same machine, so the ratios mean
the same thing on a laptop and on the council's server; absolute figures are printed alongside.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from importlib.metadata import version
from pathlib import Path

from benchmarks._common import PROJECT_ROOT, SMOKE, Result, cores, machine_busy_seconds

BENCHMARKS = (
    "sign_in_load",
    "event_round_trip",
    "state_managers",
    "upload_path",
    "upload_stream",
    "inbox_at_scale",
    "page_weight",
)
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT") or (240 if SMOKE else 1200))
BUSY = 0.25  # cores used by other processes above which a run's figures are flagged


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def print_table(results: list[Result]) -> None:
    """A Markdown table (pastes straight into RESULTS.md), then the notes."""
    print("| benchmark | figure | floor | ratio | target | met? |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in results:
        met = "—" if r.met is None else ("yes" if r.met else "**no**")
        floor = f"{_number(r.floor)} {r.unit}" if r.floor is not None else "—"
        ratio = "—" if r.ratio is None else (f"{r.ratio:,.0f}" if r.ratio >= 100 else f"{r.ratio:.2f}")
        print(f"| {r.name} | {_number(r.figure)} {r.unit} | {floor} | {ratio} | {r.target or '—'} | {met} |")
    busy = sorted({f"{r.busy:.2f}" for r in results if r.busy is not None and r.busy > BUSY})
    if busy:
        print(
            f"\nWARNING: other processes used up to {busy[-1]} cores during some benchmarks; "
            "those figures are unreliable. Re-run on a quiet machine."
        )
    notes = [r for r in results if r.note]
    if notes:
        print()
        for r in notes:
            print(f"- {r.name}: {r.note}")


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as info:
            model = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
        with open("/proc/meminfo") as info:
            ram_kb = int(next(line.split()[1] for line in info if line.startswith("MemTotal")))
    except (OSError, StopIteration):
        ram_kb = 0
    return (
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}; {cores()} cores, {model}, {ram_kb / 1024 / 1024:.1f} GiB RAM; "
        f"Python {platform.python_version()}, Reflex {version('reflex')}, bcrypt {version('bcrypt')}"
    )


def cpu_percent_over(seconds: float) -> float:
    """Whole-machine CPU use (% of all cores) over the next ``seconds``."""
    before = machine_busy_seconds()
    time.sleep(seconds)
    return 100 * (machine_busy_seconds() - before) / seconds / cores()


def wait_for_quiet(limit: float) -> None:
    """Wait (up to ``limit`` s) until the machine is nearly idle: a shared machine's other work skews
    every figure. ``BENCH_QUIET_WAIT=0`` skips the wait."""
    deadline = time.monotonic() + limit
    while (used := cpu_percent_over(2.0)) > 100 * BUSY / cores():
        if time.monotonic() > deadline:
            print(f"  machine still busy ({used:.0f}% CPU) after {limit:.0f} s; running anyway", flush=True)
            return
        print(f"  waiting for a quiet machine ({used:.0f}% CPU in use) ...", flush=True)
        time.sleep(8)


def loadavg() -> str:
    """The machine's load averages (1, 5, 15 min), as /proc/loadavg gives them."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def run_child(name: str, output: Path) -> int:
    """In the child process: run one benchmark, write its rows to ``output`` as JSON."""
    rows = importlib.import_module(f"benchmarks.{name}").run()
    if not rows:
        raise RuntimeError(f"{name} returned no figures")
    output.write_text(json.dumps([dataclasses.asdict(row) for row in rows]))
    return 0


def run_one(name: str, timeout: float) -> list[Result]:
    """One benchmark in its own process group, killed (with its servers and browsers) at ``timeout``."""
    with tempfile.TemporaryDirectory(prefix="sen-bench-result-") as folder:
        output = Path(folder) / "rows.json"
        process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.run_all", "--child", name, str(output)],
            cwd=PROJECT_ROOT,
            start_new_session=True,
        )
        try:
            code = process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise TimeoutError(f"{name} did not finish within {timeout:.0f} s (BENCH_TIMEOUT); killed") from None
        finally:
            _kill_leftovers(process.pid)
        if code != 0 or not output.exists():
            raise RuntimeError(f"{name} failed (exit status {code})")
        return [Result(**row) for row in json.loads(output.read_text())]


def _kill_leftovers(group: int) -> None:
    """Servers a benchmark started in its own group are its business; whatever is left in ours goes."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)


def main(names: list[str]) -> int:
    if names[:1] == ["--child"]:
        return run_child(names[1], Path(names[2]))
    print(machine(), flush=True)
    results: list[Result] = []
    failed = []
    for name in names or BENCHMARKS:
        wait_for_quiet(float(os.environ.get("BENCH_QUIET_WAIT", "0" if SMOKE else "300")))
        before = loadavg()
        print(f"running {name} (load average {before}) ...", flush=True)
        began = time.monotonic()
        try:
            rows = run_one(name, TIMEOUT)
        except Exception:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            failed.append(name)
        else:
            after = loadavg()
            for row in rows:
                row.note = f"{row.note}; " if row.note else ""
                row.note += f"/proc/loadavg {before} before, {after} after"
            results.extend(rows)
        print(f"  {name} took {time.monotonic() - began:.0f} s (load average {loadavg()})", flush=True)
    print()
    print_table(results)
    if failed:
        print(f"\nFAILED to run: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
