"""Browser-test harness: the portal as production runs it, Chromium, the mailbox, axe.

The portal is started the way ``make run`` starts it — ``reflex run --env prod
--single-port`` — on a free port with its own SQLite database, mail folder and
document store, so the browser sees one origin exactly as users do (the session
cookie and the same-origin API depend on that).
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = PROJECT_ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Portal:
    url: str
    env: dict[str, str]
    mail_dir: Path
    process: subprocess.Popen
    log_path: Path

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


def portal_env(base_dir: Path, port: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "MAIL_", "SMTP_", "SENDGRID_", "REDIS_URL", "PUBLIC_URL"))
    }
    env.update(
        {
            "PORT": str(port),
            "PUBLIC_URL": f"http://localhost:{port}",
            "DATABASE_URL": f"sqlite:///{base_dir / 'portal.db'}",
            "MAIL_BACKEND": "file",
            "MAIL_DIR": str(base_dir / "mail"),
            "DOCUMENT_STORE_DIR": str(base_dir / "documents"),
            "PATH": f"{PROJECT_ROOT / '.tools' / 'node_modules' / '.bin'}:{os.environ.get('PATH', '')}",
            "REFLEX_USE_SYSTEM_BUN": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


def start_portal(base_dir: Path, *, extra_env: dict[str, str] | None = None, timeout: float = 300) -> Portal:
    port = free_port()
    env = portal_env(base_dir, port, extra_env)
    python = sys.executable
    for step in (["-m", "alembic", "upgrade", "head"], ["-m", "sen_portal.cli", "seed-demo"]):
        subprocess.run([python, *step], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)
    log_path = base_dir / "portal.log"
    log_file = log_path.open("wb")
    reflex = str(Path(python).parent / "reflex")
    process = subprocess.Popen(
        [reflex, "run", "--env", "prod", "--single-port", "--frontend-port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so teardown stops every child
    )
    portal = Portal(f"http://localhost:{port}", env, base_dir / "mail", process, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"portal exited early:\n{portal.log_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{portal.url}/health", timeout=2) as response:
                if response.status == 200:
                    # The frontend is mounted last; wait until the home page is served too.
                    with urllib.request.urlopen(portal.url + "/", timeout=5) as page:
                        if page.status == 200:
                            return portal
        except OSError:
            pass
        time.sleep(1)
    stop_portal(portal)
    raise RuntimeError(f"portal did not start within {timeout}s:\n{portal.log_text()[-4000:]}")


def stop_portal(portal: Portal) -> None:
    if portal.process.poll() is None:
        os.killpg(portal.process.pid, signal.SIGTERM)
        try:
            portal.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(portal.process.pid, signal.SIGKILL)
            portal.process.wait()


@dataclass
class Mail:
    to: str
    subject: str
    text: str
    html: str

    def links(self) -> list[str]:
        return re.findall(r"https?://[^\s<>\"']+", self.text)


class Mailbox:
    """Reads the file mail backend's folder (what /dev/mailbox shows)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def all(self) -> list[Mail]:
        if not self.directory.exists():
            return []
        mails = []
        for path in sorted(self.directory.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            text = message.get_body(preferencelist=("plain",))
            html = message.get_body(preferencelist=("html",))
            mails.append(
                Mail(
                    to=str(message["To"]),
                    subject=str(message["Subject"]),
                    text=text.get_content() if text else "",
                    html=html.get_content() if html else "",
                )
            )
        return mails

    def wait_for(self, *, to: str, subject_contains: str = "", timeout: float = 20, after: int = 0) -> Mail:
        """The first mail to ``to`` (beyond the first ``after`` of them) whose subject matches."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            matching = [m for m in self.all() if m.to == to and subject_contains in m.subject]
            if len(matching) > after:
                return matching[after]
            time.sleep(0.25)
        raise AssertionError(f"no email to {to} with {subject_contains!r} within {timeout}s: {self.all()}")


def assert_accessible(page, *, context: str = "") -> None:
    """axe-core at the page's width, again at 320 CSS px (WCAG 1.4.10 reflow: nothing scrolls
    sideways) and with the dark colour preference; fail on serious or critical violations."""
    _assert_axe(page, context=context)
    viewport = page.viewport_size
    try:
        page.set_viewport_size({"width": 320, "height": 640})
        assert_reflows(page, context=context)
        _assert_axe(page, context=f"{context} at 320px")
        page.emulate_media(color_scheme="dark")
        _assert_axe(page, context=f"{context} in dark mode")
        assert page.evaluate("getComputedStyle(document.documentElement).colorScheme") == "light"
    finally:
        page.emulate_media(color_scheme="no-preference")
        if viewport:
            page.set_viewport_size(viewport)


def assert_reflows(page, *, context: str = "") -> None:
    """At the current (narrow) width the page does not scroll sideways; names what sticks out."""
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done()))")  # layout after resize
    overflow = page.evaluate(
        """() => {
            const root = document.scrollingElement;
            if (root.scrollWidth <= root.clientWidth) return null;
            const wide = [...document.querySelectorAll('body *')]
                .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1)
                .slice(0, 5).map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                    (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : ''));
            return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide};
        }"""
    )
    assert overflow is None, f"{context or page.url} scrolls sideways at 320px: {overflow}"


def _assert_axe(page, *, context: str = "") -> None:
    # Evaluated, not added as a <script>: the page's CSP (rightly) refuses inline scripts it did not ship.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_PATH.read_text() + "\n;undefined")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values:
                ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert not serious, f"axe found serious accessibility problems on {context or page.url}: {serious}"


def create_account(
    portal: Portal,
    *,
    email: str,
    password: str,
    role: str = "professional",
    verified: bool = True,
    first_name: str = "Sam",
    approval_status: str = "approved",
) -> int:
    """A ready account straight in the portal's database (journeys other than registration start here)."""
    from datetime import UTC, datetime

    from sen_portal.config import settings_from_env
    from sen_portal.db import make_engine, session_scope
    from sen_portal.models import UserAccount
    from sen_portal.services import passwords

    settings = settings_from_env(portal.env)
    engine = make_engine(portal.env["DATABASE_URL"])
    with session_scope(engine) as session:
        user = UserAccount(
            email=email,
            password_hash=passwords.hash_password(password, pepper=passwords.password_pepper(settings)),
            role=role,
            first_name=first_name,
            last_name="Taylor",
            email_verified_at=datetime.now(UTC) if verified else None,
            approval_status=approval_status,
        )
        session.add(user)
        session.flush()
        user_id = user.id
    engine.dispose()
    assert user_id is not None
    return user_id


# Records every websocket frame the page sends, so a test can replay one with other
# arguments: exactly what a hostile client can do with any Reflex event handler.
CAPTURE_WEBSOCKET = """
(() => {
  const Original = window.WebSocket;
  window.__sockets = [];
  window.__sent = [];
  window.__received = [];
  class Recording extends Original {
    constructor(...args) {
      super(...args);
      window.__sockets.push(this);
      this.addEventListener('message', (event) => window.__received.push(String(event.data)));
    }
    send(data) { window.__sent.push(String(data)); return super.send(data); }
  }
  window.WebSocket = Recording;
})();
"""


def send_event(page, *, handler: str, payload: dict) -> None:
    """Send a hand-made event for ``handler`` ("full.state.name.method") on the page's own websocket."""
    import json as _json

    page.wait_for_function(
        "window.__sockets && window.__sockets.length > 0 && window.__sockets.at(-1).readyState === 1"
    )
    namespace = "/_event,"  # Reflex's Socket.IO namespace
    path = page.evaluate("location.pathname")
    event = {"name": handler, "payload": payload, "router_data": {"pathname": path, "asPath": path, "query": {}}}
    page.evaluate("(frame) => window.__sockets.at(-1).send(frame)", "42" + namespace + _json.dumps(["event", event]))
