"""Run every benchmark and print one table: benchmark, figure, floor, ratio, target, met?

``make bench`` runs this. ``python -m benchmarks.run_all sign_in_load upload_stream`` runs only those.
Before each benchmark it waits (up to ``BENCH_QUIET_WAIT`` seconds, default 300) for the machine to be
nearly idle, and it flags figures taken while other processes were busy anyway.
Every figure is compared with a floor measured in the same run on the same machine, so the ratios mean
the same thing on a laptop and on the council's server; absolute figures are printed alongside.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time
import traceback
from importlib.metadata import version

from benchmarks._common import Result, cores, machine_busy_seconds

BENCHMARKS = ("sign_in_load", "event_round_trip", "upload_stream", "inbox_at_scale", "page_weight")
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


def main(names: list[str]) -> int:
    print(machine(), flush=True)
    results: list[Result] = []
    failed = []
    for name in names or BENCHMARKS:
        wait_for_quiet(float(os.environ.get("BENCH_QUIET_WAIT", "300")))
        print(f"running {name} (load average {os.getloadavg()[0]:.2f}) ...", flush=True)
        began = time.monotonic()
        try:
            results.extend(importlib.import_module(f"benchmarks.{name}").run())
        except Exception:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            failed.append(name)
        print(f"  {name} took {time.monotonic() - began:.0f} s", flush=True)
    print()
    print_table(results)
    if failed:
        print(f"\nFAILED to run: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
