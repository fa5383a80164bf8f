"""Starting the portal for a benchmark: the browser tests' harness run from the private tree, or a shared one.

``make bench`` starts a portal per benchmark (each gets the settings it needs). The bench-smoke test
starts one portal for all of them and names it in ``BENCH_SHARED_PORTAL`` (JSON: url, env, pid), so
the smoke run builds the frontend once instead of five times; benchmarks then only use it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from benchmarks._common import PROJECT_ROOT

SHARED = "BENCH_SHARED_PORTAL"
# Settings every benchmark can live with: the upload benchmark's 20 MB files, many of them.
UPLOAD_LIMITS = {"MAX_FILE_MB": "30", "MAX_REFERRAL_MB": "5000", "MAX_FILES_PER_REFERRAL": "100"}


def shared() -> bool:
    return bool(os.environ.get(SHARED))


def start_portal(folder: Path, extra_env: dict[str, str] | None = None) -> Any:
    """A running portal (``.url``, ``.env``, ``.process.pid``): the shared one, or a new one in ``folder``."""
    if value := os.environ.get(SHARED):
        data = json.loads(value)
        return SimpleNamespace(url=data["url"], env=data["env"], process=SimpleNamespace(pid=data["pid"]), shared=True)
    from benchmarks.page_weight import load_harness, private_tree

    tools = PROJECT_ROOT / ".tools" / "node_modules" / ".bin"
    os.environ["PATH"] = f"{tools}:{os.environ.get('PATH', '')}"
    os.environ["REFLEX_USE_SYSTEM_BUN"] = "1"
    return load_harness(private_tree()).start_portal(folder, extra_env=extra_env)


def stop_portal(portal: Any) -> None:
    """Stop a portal this benchmark started (the shared one belongs to whoever started it)."""
    if getattr(portal, "shared", False):
        return
    from benchmarks.page_weight import load_harness, private_tree

    load_harness(private_tree()).stop_portal(portal)


def describe(portal: Any) -> str:
    """What to put in ``BENCH_SHARED_PORTAL`` for ``portal``."""
    return json.dumps({"url": portal.url, "env": portal.env, "pid": portal.process.pid})
