"""First-load page weight and time to interactive of the production portal in headless Chromium.

The portal runs as ``make run`` runs it (``reflex run --env prod --single-port``, via the browser
tests' harness) from a **private copy of the tree**, so its ``.web`` build never collides with other
people's browser tests or dev servers in the working tree. The copy lives in ``$BENCH_TREE`` (default:
a per-user folder under the system temp dir) and keeps its ``.web`` between runs, so later builds are
incremental.

For ``/`` and ``/sign-in``, each loaded cold (new browser context, empty cache) ``LOADS`` times:

* **Bytes transferred**: the sum of Chrome DevTools ``Network.loadingFinished.encodedDataLength``
  over every request of the load (compressed bodies plus headers, as they crossed the wire), until
  the page is interactive. Target <= 300 KB. The websocket traffic is reported in the note, not summed.
* **Time to interactive**: from navigation start to the moment the page has the server's
  ``is_hydrated: true`` delta — the Reflex hydrate round trip over the websocket, after which every
  event handler works — checked against the page's ``<h1>`` being shown. The floor is a blank static
  HTML page served by the same server to the same browser (``/bench-blank.html``, added to the copy's
  ``assets/``): what any page costs here, so the ratio is the price of the React app and the hydrate.
  No target was set for it; it is informative.

Run alone: ``python -m benchmarks.page_weight`` (first run builds the frontend: about a minute).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks._common import PROJECT_ROOT, Result, ratio, scaled

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = {"/": "SEN Professional Portal", "/sign-in": "Sign in"}  # path -> expected <h1>
LOADS = scaled(3, 1)
TARGET_KB = 300
BLANK = "bench-blank.html"
# What not to copy: builds, environments, local data and caches (the copy keeps its own .web).
EXCLUDE = [".web", ".venv", ".git", ".tools", "var", ".states", "uploaded_files", "__pycache__"]
EXCLUDE += [".pytest_cache", ".ruff_cache", ".hypothesis", "test-results", "*.db"]

# Records when the websocket opens and when the hydrate delta arrives (performance.now(), ms).
WEBSOCKET_TIMES = """
(() => {
  const Original = window.WebSocket;
  window.__bench = {opened: null, hydrated: null, received: 0};
  class Timed extends Original {
    constructor(...args) {
      super(...args);
      this.addEventListener('open', () => { window.__bench.opened ??= performance.now(); });
      this.addEventListener('message', (event) => {
        const data = String(event.data);
        window.__bench.received += data.length;
        if (window.__bench.hydrated === null && data.includes('"is_hydrated_rx_state_":true')) {
          window.__bench.hydrated = performance.now();
        }
      });
    }
  }
  window.WebSocket = Timed;
})();
"""


def private_tree() -> Path:
    """Copy the project (sources only) into the private tree; its previous ``.web`` is kept."""
    tree = Path(os.environ.get("BENCH_TREE") or Path(tempfile.gettempdir()) / f"sen-portal-bench-{os.getuid()}")
    tree.mkdir(parents=True, exist_ok=True)
    if shutil.which("rsync"):
        excludes = [f"--exclude={pattern}" for pattern in EXCLUDE]
        subprocess.run(["rsync", "-a", "--delete", *excludes, f"{PROJECT_ROOT}/", f"{tree}/"], check=True)
    else:
        shutil.copytree(PROJECT_ROOT, tree, dirs_exist_ok=True, ignore=shutil.ignore_patterns(*EXCLUDE))
    (tree / "assets" / BLANK).write_text("<!doctype html><html lang=en><title>blank</title><h1>blank</h1></html>\n")
    return tree


def load_harness(tree: Path):
    """The browser tests' harness *from the copy*, so the portal it starts runs there."""
    spec = importlib.util.spec_from_file_location("bench_portal_harness", tree / "tests" / "e2e" / "harness.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def measure(browser, url: str, heading: str | None) -> dict:
    """One cold load: bytes over the wire, time to hydrated (ms), websocket bytes."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.add_init_script(WEBSOCKET_TIMES)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        sizes: dict[str, int] = {}
        failed: list[str] = []
        urls: dict[str, str] = {}
        cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
        cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
        decoded: list[int] = []  # body bytes after decompression: what the browser had to parse
        cdp.on("Network.dataReceived", lambda e: decoded.append(e["dataLength"]))
        cdp.on("Network.loadingFailed", lambda e: failed.append(urls.get(e["requestId"], "?")))
        statuses: dict[str, int] = {}
        cdp.on(
            "Network.responseReceived", lambda e: statuses.__setitem__(e["response"]["url"], e["response"]["status"])
        )
        page.goto(url, wait_until="load")
        if heading is None:
            interactive = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
        else:
            page.wait_for_function("window.__bench.hydrated !== null", timeout=30_000)
            shown = page.locator("h1").first.inner_text(timeout=10_000)
            assert heading in shown, f"{url}: expected heading {heading!r}, got {shown!r}"
            interactive = page.evaluate("window.__bench.hydrated")
        page.wait_for_timeout(300)  # let late loadingFinished events arrive
        websocket_bytes = page.evaluate("window.__bench.received")
        timings = page.evaluate(
            "(() => { const n = performance.getEntriesByType('navigation')[0];"
            " return {html: n.responseEnd, dom: n.domContentLoadedEventEnd, ws: window.__bench.opened}; })()"
        )
        return {
            "bytes": sum(sizes.values()),
            "decoded": sum(decoded),
            "requests": len(sizes),
            "ms": float(interactive),
            "ws_bytes": websocket_bytes,
            "html_ms": timings["html"],  # document received
            "dom_ms": timings["dom"],  # scripts parsed and run (DOMContentLoaded done)
            "ws_ms": timings["ws"],  # websocket open
            "not_ok": sorted({u for u, s in statuses.items() if s >= 400} | set(failed)),
        }
    finally:
        context.close()


def run() -> list[Result]:
    from playwright.sync_api import sync_playwright

    from benchmarks._portal import start_portal, stop_portal

    with tempfile.TemporaryDirectory(prefix="sen-bench-portal-") as folder:
        portal = start_portal(Path(folder))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    measure(browser, portal.url + "/", "SEN")  # warm-up: server caches, browser start
                    blank = [measure(browser, f"{portal.url}/{BLANK}", None) for _ in range(LOADS)]
                    loads = {p: [measure(browser, portal.url + p, h1) for _ in range(LOADS)] for p, h1 in PAGES.items()}
                finally:
                    browser.close()
        finally:
            stop_portal(portal)

    blank_ms = statistics.median(m["ms"] for m in blank)
    results = []
    for path, runs in loads.items():
        kb = statistics.median(m["bytes"] for m in runs) / 1000
        ms = statistics.median(m["ms"] for m in runs)
        each = ", ".join(f"{m['ms']:.0f}" for m in runs)
        steps = {key: statistics.median(m[key] or 0 for m in runs) for key in ("html_ms", "dom_ms", "ws_ms")}
        broken = sorted({u for m in runs for u in m["not_ok"]})
        results.append(
            Result(
                name=f"first load {path}: bytes transferred",
                figure=kb,
                unit="KB",
                target=f"<= {TARGET_KB} KB",
                met=kb <= TARGET_KB,
                note=f"{runs[0]['requests']} requests (CDP encodedDataLength, headers included; "
                f"{runs[0]['decoded'] / 1000:.0f} KB once decompressed); "
                f"websocket {runs[0]['ws_bytes'] / 1000:.1f} KB received until hydrated"
                + (f"; failed or 4xx: {', '.join(u.rsplit('/', 1)[-1] for u in broken)}" if broken else ""),
            )
        )
        results.append(
            Result(
                name=f"first load {path}: time to interactive",
                figure=ms,
                unit="ms",
                floor=blank_ms,
                ratio=ratio(ms, blank_ms),
                target="(informative)",
                note=f"median of {LOADS} cold loads ({each} ms); floor = blank static page, same server and "
                f"browser; medians: HTML received at {steps['html_ms']:.0f} ms, DOMContentLoaded "
                f"{steps['dom_ms']:.0f} ms, websocket open {steps['ws_ms']:.0f} ms, hydrated {ms:.0f} ms",
            )
        )
    return results


if __name__ == "__main__":  # through run_all: its own process, with the hard time limit
    from benchmarks.run_all import main

    raise SystemExit(main(["page_weight"]))
