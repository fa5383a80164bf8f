"""Floors that run as their own processes: a blank Reflex app the benchmark writes and builds itself,
a bare websocket echo and a plain streaming upload endpoint (both plain ASGI on Granian).

A floor in its own process shares nothing with the portal (no portal import, no portal state class,
no portal middleware), so it cannot drift when the portal changes: it is what Reflex 0.10 and the
server cost on this machine, measured side by side with the portal in the same run.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from benchmarks._common import PROJECT_ROOT

BLANK_ROUTE = "/"
BLANK_RXCONFIG = """import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

config = rx.Config(app_name="blank", telemetry_enabled=False, show_built_with_reflex=False,
                   disable_plugins=[SitemapPlugin])
"""
# One string var, one setter and a button that sets it: Reflex's own cost of an event and its delta.
BLANK_APP = """import reflex as rx


class BlankState(rx.State):
    text: str = ""

    @rx.event
    def set_text(self, value: str) -> None:
        self.text = value[:200]


def index() -> rx.Component:
    return rx.el.main(
        rx.el.h1("blank"),
        rx.el.button("A", id="set-a", on_click=BlankState.set_text("a")),
        rx.el.button("B", id="set-b", on_click=BlankState.set_text("b")),
        rx.el.p(BlankState.text, id="shown", class_name=BlankState.text),
    )


app = rx.App()
app.add_page(index, route="/", title="blank")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    port: int
    process: subprocess.Popen
    log_path: Path

    def stop(self) -> None:
        stop_group(self.process)


def stop_group(process: subprocess.Popen) -> None:
    """Stop a server started in its own process group, children included."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_http(url: str, process: subprocess.Popen, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited early:\n{log_path.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except urllib.error.HTTPError as error:
            if error.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    stop_group(process)
    raise TimeoutError(f"{url}: the server did not answer within {timeout:.0f} s")


def blank_app_dir() -> Path:
    """The blank app's folder (kept between runs, so its ``.web`` build is incremental)."""
    default = Path(tempfile.gettempdir()) / f"sen-portal-bench-blank-{os.getuid()}"
    folder = Path(os.environ.get("BENCH_BLANK_DIR") or default)
    (folder / "blank").mkdir(parents=True, exist_ok=True)
    (folder / "assets").mkdir(exist_ok=True)
    for path, text in (
        (folder / "rxconfig.py", BLANK_RXCONFIG),
        (folder / "blank" / "__init__.py", ""),
        (folder / "blank" / "blank.py", BLANK_APP),
    ):
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    return folder


def start_blank_app(timeout: float = 600) -> Server:
    """Build and start the blank Reflex app the way ``make run`` starts the portal (prod, single port)."""
    folder = blank_app_dir()
    port = free_port()
    tools = PROJECT_ROOT / ".tools" / "node_modules" / ".bin"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_URL", "REFLEX_REDIS"))}
    env.update(PATH=f"{tools}:{env.get('PATH', '')}", REFLEX_USE_SYSTEM_BUN="1", PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = str(folder)
    log_path = folder / "blank.log"
    reflex = str(Path(sys.executable).parent / "reflex")
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [reflex, "run", "--env", "prod", "--single-port", "--frontend-port", str(port)],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://localhost:{port}"
    _wait_http(url + "/ping", process, log_path, timeout)
    _wait_http(url + "/", process, log_path, timeout)
    return Server(url, port, process, log_path)


def start_granian(app: str, timeout: float = 60) -> Server:
    """A plain ASGI floor (``module:attribute`` under benchmarks/) on Granian, the portal's server."""
    port = free_port()
    log_path = Path(tempfile.gettempdir()) / f"sen-portal-bench-{app.replace(':', '-')}-{os.getuid()}.log"
    command = [sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, "--workers", "1", "--log-level", "warning", app],
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    _wait_http(url + "/", process, log_path, timeout)
    return Server(url, port, process, log_path)
