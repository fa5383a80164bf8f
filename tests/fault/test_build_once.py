"""Build once, serve many: a page survives its worker's restart, and workers serve one build.

``make build`` (``reflex export --frontend-only``) builds the front end once; ``python -m
sen_portal.serve`` serves that build without rebuilding. A professional is on *Check your answers*;
the worker is SIGKILLed and started again from the same build; *Send request* on the page that was
already open reaches the confirmation with the reference (with ``reflex run`` the restart rebuilt the
chunks under new names and the page reloaded itself back to *Check your answers*). A second worker
started from the same build serves the same asset names, as a rolling restart behind nginx needs.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import Browser, expect

from sen_portal.config import settings_from_env
from sen_portal.db import make_engine
from tests.conftest import PROJECT_ROOT
from tests.e2e.harness import Mailbox, create_account, free_port, portal_env
from tests.e2e.journeys import PASSWORD, heading_is, sign_in
from tests.service.test_referrals import Clock, ready_to_submit


def run(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, *args], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True, timeout=600)


class Worker:
    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.port, self.log = port, log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sen_portal.serve", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env={**env, "GRANIAN_WORKERS": "1"},
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while True:
            assert self.process.poll() is None, log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                    return
            except OSError:
                assert time.monotonic() < deadline, "the worker did not start"
                time.sleep(0.5)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def asset_names(self) -> set[str]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/sign-in/", timeout=20) as response:
            page = response.read().decode()
        return set(re.findall(r"/assets/[\w.-]+\.(?:js|css)", page))


@pytest.fixture
def built(tmp_path: Path) -> Iterator[tuple[dict[str, str], int]]:
    port = free_port()
    env = portal_env(tmp_path, port)
    run(env, "-m", "alembic", "upgrade", "head")
    run(env, "-m", "sen_portal.cli", "seed-demo")
    run(env, "-m", "reflex", "export", "--frontend-only", "--no-zip", "--env", "prod")  # what `make build` runs
    yield env, port


def test_a_page_survives_its_workers_restart_and_workers_share_one_build(
    built: tuple[dict[str, str], int], browser: Browser, tmp_path: Path
) -> None:
    env, port = built
    worker = Worker(env, port, tmp_path / "worker.log")
    second = None
    try:
        second = Worker(env, free_port(), tmp_path / "second.log")
        names = worker.asset_names()
        assert names and names == second.asset_names()  # one build, the same chunks everywhere
        second.kill()

        email = "sam.senco@school.example.org"
        user_id = create_account(SimpleNamespace(env=env), email=email, password=PASSWORD)  # type: ignore[arg-type]
        engine = make_engine(env["DATABASE_URL"])
        public_id = ready_to_submit(engine, settings_from_env(env), Clock(), user_id)
        engine.dispose()

        context = browser.new_context(base_url=f"http://localhost:{port}")
        page = context.new_page()
        sign_in(page, Mailbox(Path(env["MAIL_DIR"])), email)
        page.goto(f"/requests/check?id={public_id}")
        heading_is(page, "Check your answers before sending your request")
        page.wait_for_load_state("networkidle")

        worker.kill()
        worker = Worker(env, port, tmp_path / "worker.log")  # restarted from the same build
        assert worker.asset_names() == names
        page.get_by_role("button", name="Send request").click()
        heading_is(page, "Request sent")
        expect(page.get_by_role("main")).to_contain_text(re.compile(r"EHC-\d{4}-\d{6}"))
        context.close()
    finally:
        worker.kill()
        if second is not None:
            second.kill()
