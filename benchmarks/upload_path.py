"""A 20 MB PDF through the page's real upload path (``/_upload``) against a plain streaming endpoint.

The portal runs as ``make run`` runs it, from the benchmarks' private copy of the tree. A signed-in
client opens its draft's "Supporting documents" section over the websocket (so the page state has
the request and the slot, as a browser tab has), then POSTs the file to ``/_upload`` exactly as the
page script does: multipart, ``Reflex-Client-Token`` / ``Reflex-Event-Handler`` headers, the session
cookie, the body sent in 64 KB writes. The time runs from the first byte sent until the socket
brings the handler's "… has been uploaded" (the file checked, hashed, fsynced, moved, its row
committed): what the person waits for.

* **Floor**: the same bytes POSTed by the same client to a plain Starlette streaming endpoint in
  its own Granian process (``benchmarks/_upload_floor_app.py``): ``request.stream()`` to a file,
  fsync, 200. Target: the portal within 3 x of it.
* A second floor, in the note: writing the same bytes to the store's folder and fsync, no server.
* **In Chromium** (informative): the file chosen in the page's file input and "Upload file" clicked,
  until the status line names it (the browser reading the file from disk is inside this figure).
* **Memory per upload in flight**: the growth of the portal's resident memory (its whole process
  group, sampled every 5 ms) while ``CONCURRENT`` uploads run at once, divided by their number.
  Target < 10 MB.

Run alone: ``python -m benchmarks.upload_path``.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

from benchmarks._common import OtherLoad, Result, ratio, scaled, within
from benchmarks._floors import start_granian
from benchmarks._portal import UPLOAD_LIMITS, start_portal, stop_portal
from benchmarks.event_round_trip import PageClient, seed_clients
from benchmarks.upload_stream import make_pdf

MB = 1024 * 1024
SIZE = 20 * MB
WRITE = 64 * 1024  # what the client hands the socket at a time
ROUNDS = scaled(7, 2)
CONCURRENT = scaled(5, 2)
SECTION = "documents"
UPLOAD_LIMIT = 120.0  # seconds one upload may take before the run fails
BOUNDARY = "----senbenchboundary7MA4YWxkTrZu0gW"
NUMBERS = itertools.count(1)


def multipart(data: bytes, filename: str) -> tuple[bytes, bytes]:
    """(head, tail) around the file bytes: one file part, as the page script sends it."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    return head, f"\r\n--{BOUNDARY}--\r\n".encode()


async def post(port: int, path: str, headers: dict[str, str], data: bytes, filename: str) -> int:
    """POST a multipart body in ``WRITE``-sized writes; the response status."""
    head, tail = multipart(data, filename)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        lines = [
            f"POST {path} HTTP/1.1",
            f"Host: 127.0.0.1:{port}",
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}",
            f"Content-Length: {len(head) + len(data) + len(tail)}",
            "Connection: close",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + head)
        view = memoryview(data)
        for start in range(0, len(data), WRITE):
            writer.write(view[start : start + WRITE])
            await writer.drain()
        writer.write(tail)
        await writer.drain()
        status_line = await reader.readline()
        await reader.read()  # the rest of the response, until the server closes
        return int(status_line.split()[1])
    finally:
        writer.close()


def _uploaded(update: dict) -> str:
    """The page's outcome for an upload: its message, or its refusal (which then fails loudly)."""
    for key, values in update.get("delta", {}).items():
        if key.endswith("referral_state"):
            for var in ("upload_message_rx_state_", "upload_error_rx_state_"):
                if values.get(var):
                    return values[var]
    return ""


async def portal_upload(client: PageClient, port: int, handler: str, data: bytes) -> float:
    """One upload through ``/_upload`` until the page hears it was stored. Returns seconds."""
    headers = {
        "Reflex-Client-Token": client.client.token,
        "Reflex-Event-Handler": handler,
        "Cookie": client.client.cookie,
        "Origin": client.client.origin,
    }
    number = next(NUMBERS)
    filename = f"EP advice {number}.pdf"  # the page's message names it: no stale message counts
    # The slot refuses a file it already holds (same SHA-256): every upload's bytes differ by a trailing
    # PDF comment, so each one is stored like a real new document.
    data = data + f"\n% upload {number}\n".encode()
    began = time.perf_counter()
    status = await within(post(port, "/_upload", headers, data, filename), UPLOAD_LIMIT, "POST /_upload")
    assert status in (200, 202), f"/_upload answered {status}"

    async def stored() -> str:
        while True:
            for update in await client.client.until_final():
                message = _uploaded(update)
                if message and not (message.endswith("has been uploaded.") and filename not in message):
                    return message  # this file's outcome (another file's success would be stale)

    message = await within(stored(), UPLOAD_LIMIT, "the page's 'has been uploaded'")
    elapsed = time.perf_counter() - began
    assert message == f"{filename} has been uploaded.", message
    return elapsed


async def floor_upload(port: int, data: bytes) -> float:
    began = time.perf_counter()
    status = await within(post(port, "/upload", {}, data, "plain.pdf"), UPLOAD_LIMIT, "POST to the plain endpoint")
    assert status == 200, f"the plain endpoint answered {status}"
    return time.perf_counter() - began


# Armed just before the file is chosen: resolves with the milliseconds until the status line names it.
ARM_UNTIL_STORED = """
([expected, limit]) => {
  const done = () => [...document.querySelectorAll('[role=status]')].some((s) => s.textContent.includes(expected));
  const began = performance.now();
  window.__uploadStored = new Promise((resolve, reject) => {
    const observer = new MutationObserver(() => {
      if (done()) { observer.disconnect(); resolve(performance.now() - began); }
    });
    observer.observe(document.body, {subtree: true, childList: true, characterData: true});
    setTimeout(() => { observer.disconnect(); reject(new Error('no "' + expected + '"')); }, limit);
  });
}
"""
SLOT_BUTTON = "Choose a file for Other documents"  # each slot has its own chooser; the file uploads on choice


def browser_uploads(portal_url: str, cookie: str, public_id: str, data: bytes, folder: Path) -> list[float]:
    """The same bytes through the page in Chromium: the slot's chooser, until the status names the file."""
    from playwright.sync_api import sync_playwright

    from benchmarks.page_weight import CHROMIUM, CHROMIUM_ARGS

    name, value = cookie.split("=", 1)
    limit = int(UPLOAD_LIMIT * 1000)
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            context.set_default_timeout(limit)
            context.add_cookies([{"name": name, "value": value, "url": portal_url, "httpOnly": True}])
            page = context.new_page()
            page.goto(f"{portal_url}/requests/section?id={public_id}&section={SECTION}")
            page.get_by_role("button", name=SLOT_BUTTON).wait_for()
            page.wait_for_load_state("networkidle")
            for n in range(1 + ROUNDS):  # the first is a warm-up
                path = folder / f"Browser advice {n}.pdf"
                path.write_bytes(data + f"\n% browser {n}\n".encode())  # the slot refuses a file it holds
                page.evaluate(ARM_UNTIL_STORED, [f"{path.name} has been uploaded", limit])
                with page.expect_file_chooser() as chooser:
                    page.get_by_role("button", name=SLOT_BUTTON, exact=True).click()
                chooser.value.set_files(str(path))
                took = page.evaluate("window.__uploadStored")
                path.unlink()
                if n:
                    times.append(took / 1000)
        finally:
            browser.close()
    return times


def disk_floor(folder: Path, data: bytes) -> float:
    path = folder / f"raw-{time.perf_counter_ns()}.bin"
    began = time.perf_counter()
    with path.open("wb") as file:
        for start in range(0, len(data), WRITE):
            file.write(data[start : start + WRITE])
        file.flush()
        os.fsync(file.fileno())
    elapsed = time.perf_counter() - began
    path.unlink()
    return elapsed


def group_rss(group: int) -> int:
    """Resident memory of every process in process group ``group`` (Linux /proc)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            if int(fields[2]) == group:  # pgrp
                total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")  # rss pages
        except (OSError, ValueError, IndexError):
            continue
    return total


class PeakSampler:
    def __init__(self, group: int) -> None:
        self.group, self.peak, self._done = group, 0, threading.Event()

    def __enter__(self) -> PeakSampler:
        self.baseline = group_rss(self.group)
        self.peak = self.baseline
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, group_rss(self.group))
            time.sleep(0.005)

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()


def run() -> list[Result]:
    from sen_portal.state.referral import ReferralState

    data = make_pdf(SIZE)
    with tempfile.TemporaryDirectory(prefix="sen-bench-upload-") as folder:
        floor_dir = Path(folder) / "floor"
        floor_dir.mkdir()
        os.environ["BENCH_UPLOAD_FLOOR_DIR"] = str(floor_dir)
        plain = start_granian("benchmarks._upload_floor_app:app")
        try:  # the plain endpoint is stopped even when the portal does not start
            portal = start_portal(Path(folder), extra_env=UPLOAD_LIMITS)
        except BaseException:
            plain.stop()
            raise
        try:
            port = int(portal.url.rsplit(":", 1)[1])
            seeded = seed_clients(portal.env, CONCURRENT + 1)  # the last one is the browser's
            handler = f"{ReferralState.get_full_name()}.upload"

            def page(n: int) -> PageClient:
                cookie, public_id = seeded[n]

                def loaded(update: dict) -> bool:
                    return any(
                        key.endswith("referral_state") and values.get("section_key_rx_state_") == SECTION
                        for key, values in update.get("delta", {}).items()
                    )

                query = {"id": public_id, "section": SECTION}
                return PageClient(port, portal.url, cookie, "/requests/section", query, loaded=loaded)

            async def measure() -> tuple[list[float], list[float], list[float], int, float]:
                clients = [page(n) for n in range(CONCURRENT)]
                await asyncio.gather(*(c.open() for c in clients))
                try:
                    await portal_upload(clients[0], port, handler, data)  # warm-up
                    await floor_upload(plain.port, data)
                    figures, floors, disk = [], [], []
                    for _ in range(ROUNDS):  # alternate, so a busy disk affects both alike
                        floors.append(await floor_upload(plain.port, data))
                        figures.append(await portal_upload(clients[0], port, handler, data))
                        disk.append(await asyncio.to_thread(disk_floor, floor_dir, data))
                    began = time.perf_counter()
                    with PeakSampler(portal.process.pid) as memory:
                        await asyncio.gather(*(portal_upload(c, port, handler, data) for c in clients))
                    together = time.perf_counter() - began
                    return figures, floors, disk, memory.peak - memory.baseline, together
                finally:
                    await asyncio.gather(*(c.close() for c in clients))

            with OtherLoad() as other:
                figures, floors, disk, growth, together = asyncio.run(measure())
                in_browser = browser_uploads(portal.url, *seeded[-1], data, Path(folder))
        finally:
            stop_portal(portal)
            plain.stop()
    figure, floor, disk_s = (statistics.median(series) * 1000 for series in (figures, floors, disk))
    each = growth / CONCURRENT / MB
    browser = statistics.median(in_browser) * 1000
    return [
        Result(
            name="20 MB PDF chosen and uploaded in Chromium until the page says it is stored (median)",
            figure=browser,
            unit="ms",
            floor=floor,
            ratio=ratio(browser, floor),
            target="(informative)",
            busy=other.cores,
            note=f"{len(in_browser)} uploads ({min(in_browser) * 1000:.0f}-{max(in_browser) * 1000:.0f} ms): "
            "click 'Upload file' → the status line names the file, so Chromium reading the file is in it; "
            "floor = the plain endpoint's median, fed by the benchmark's own client",
        ),
        Result(
            name="20 MB PDF through /_upload until the page hears it is stored (median)",
            figure=figure,
            unit="ms",
            floor=floor,
            ratio=ratio(figure, floor),
            target="<= 3 x plain streaming endpoint",
            met=figure <= 3 * floor,
            busy=other.cores,
            note=f"{ROUNDS} alternating rounds (portal {min(figures) * 1000:.0f}-{max(figures) * 1000:.0f} ms, "
            f"plain {min(floors) * 1000:.0f}-{max(floors) * 1000:.0f} ms); write + fsync of the same bytes alone "
            f"{disk_s:.0f} ms ({ratio(figure, disk_s):.1f} x); other processes used {other.cores:.2f} cores",
        ),
        Result(
            name=f"portal memory growth per upload, {CONCURRENT} x 20 MB in flight",
            figure=each,
            unit="MB",
            target="< 10 MB",
            met=each < 10,
            note=f"resident memory of the portal's process group, peak above its level before; "
            f"{CONCURRENT} uploads together took {together:.1f} s",
        ),
    ]


if __name__ == "__main__":  # through run_all: its own process, with the hard time limit
    from benchmarks.run_all import main

    raise SystemExit(main(["upload_path"]))
