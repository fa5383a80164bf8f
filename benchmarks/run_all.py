"""Run every benchmark and print one table: benchmark, figure, floor, ratio, target, met?

``make bench`` runs this. ``python -m benchmarks.run_all sign_in_load upload_stream`` runs only those.
Every figure is compared with a floor measured in the same run on the same machine, so the ratios mean
the same thing on a laptop and on the council's server; absolute figures are printed alongside.
"""

from __future__ import annotations

import importlib
import platform
import sys
import time
import traceback
from importlib.metadata import version

from benchmarks._common import Result, cores

BENCHMARKS = ("sign_in_load", "upload_stream", "page_weight")


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
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "—"
        print(f"| {r.name} | {_number(r.figure)} {r.unit} | {floor} | {ratio} | {r.target or '—'} | {met} |")
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


def main(names: list[str]) -> int:
    print(machine(), flush=True)
    results: list[Result] = []
    failed = []
    for name in names or BENCHMARKS:
        print(f"running {name} ...", flush=True)
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
