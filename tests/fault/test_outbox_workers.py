"""The outbox sender as production runs it: ``python -m sen_portal.cli outbox-worker`` processes on PostgreSQL.

* The SMTP server is down for a while, then back: every queued email is delivered exactly once.
* Two workers over 1,000 queued emails: each is sent exactly once (and both took a share).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from sen_portal.db import session_scope
from sen_portal.email.message import EmailMessage
from sen_portal.models import OutboxMessage, OutboxStatus
from sen_portal.services.platform.outbox import enqueue
from tests.conftest import PROJECT_ROOT
from tests.fault.conftest import count, portal_env
from tests.mail_servers import SmtpTestServer


def queue(engine: Engine, how_many: int) -> list[str]:
    """``how_many`` emails, each to its own address, in one transaction (as one burst of sign-ups would)."""
    addresses = [f"user{n:04d}@school.example.org" for n in range(how_many)]
    with session_scope(engine) as session:
        for address in addresses:
            enqueue(
                session,
                EmailMessage(
                    to=address,
                    subject="Your sign-in code",
                    text="Your code is in the portal.\n",
                    html="<p>Your code is in the portal.</p>",
                    category="sign_in_code",
                    headers={},
                ),
            )
    return addresses


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sen_portal.cli", "outbox-worker"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def stop(worker: subprocess.Popen) -> None:
    worker.terminate()  # SIGTERM: the worker finishes its batch and exits
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def wait_until_all_sent(engine: Engine, total: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while count(engine, OutboxMessage, OutboxMessage.status == OutboxStatus.SENT) < total:
        assert time.monotonic() < deadline, "queued emails were not all sent in time"
        time.sleep(0.2)


def delivered(smtp: SmtpTestServer) -> Counter[str]:
    with smtp.lock:
        return Counter(address for mail in smtp.messages for address in mail.rcpt_tos)


def test_smtp_down_for_a_while_then_every_email_is_delivered_once(
    pg_engine: Engine, postgresql_url: str, tmp_path: Path, make_smtp_server
) -> None:
    smtp = make_smtp_server(tls=False)
    smtp.stop()  # the relay is down
    addresses = queue(pg_engine, 20)
    worker = start_worker(portal_env(postgresql_url, tmp_path, **smtp.env()), tmp_path / "worker.log")
    try:
        deadline = time.monotonic() + 30
        # Wait until the worker has met the outage on every message (each attempt failed and was put back).
        while count(pg_engine, OutboxMessage, OutboxMessage.attempts >= 1) < len(addresses):
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
            time.sleep(0.2)
        assert count(pg_engine, OutboxMessage, OutboxMessage.status == OutboxStatus.SENT) == 0
        time.sleep(2)  # down a little longer
        smtp.start()  # back, on the same port
        wait_until_all_sent(pg_engine, len(addresses), timeout=60)  # the first retry is 5 s after the failure
        time.sleep(1.5)  # a second delivery, if any, would have time to arrive
    finally:
        stop(worker)
    assert delivered(smtp) == Counter(addresses)  # every one exactly once
    with Session(pg_engine) as session:
        rows = list(session.exec(select(OutboxMessage)))
    assert all(row.attempts >= 2 and "SMTP unavailable" in (row.last_error or "") for row in rows)
    assert all(row.provider_message_id for row in rows)


def test_two_workers_over_a_thousand_emails_send_each_exactly_once(
    pg_engine: Engine, postgresql_url: str, tmp_path: Path, make_smtp_server
) -> None:
    smtp = make_smtp_server(tls=False)
    addresses = queue(pg_engine, 1000)
    env = portal_env(postgresql_url, tmp_path, **smtp.env())
    workers = [start_worker(env, tmp_path / f"worker{n}.log") for n in (1, 2)]
    try:
        wait_until_all_sent(pg_engine, len(addresses), timeout=240)
        time.sleep(1.5)
    finally:
        for worker in workers:
            stop(worker)
    received = delivered(smtp)
    assert sum(received.values()) == len(addresses)
    assert received == Counter(addresses)
    # Both workers sent a share (each prints "outbox: sent N, ..." per batch).
    shares = []
    for n in (1, 2):
        lines = (tmp_path / f"worker{n}.log").read_text().splitlines()
        shares.append(
            sum(int(line.split("sent ")[1].split(",")[0]) for line in lines if line.startswith("outbox: sent"))
        )
    assert sum(shares) == len(addresses)
    assert all(share > 0 for share in shares), shares
