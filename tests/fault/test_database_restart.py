"""PostgreSQL restarted in the middle of use (a private cluster: the shared one is never touched).

A long-lived app process (``tests.fault.driver serve``, keeping its connection pool as a web worker
does) is asked to send a request while the database is down, then again after it is back, and again
after a second restart between two requests. While it is down the answer is "try again"
(``referral_journey.TRY_AGAIN``, which the check page shows in its error summary, and which
``state/errors.py`` shows as a toast for every other handler), never a reference; once it is back
the retried submission is sent, and however often it is retried there is exactly one referral,
one reference number and one confirmation email.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from sen_portal.config import settings_from_env
from sen_portal.db import make_engine, session_scope
from sen_portal.models import OutboxMessage, ReferenceCounter, Referral
from sen_portal.models.referrals import ReferralStatus
from sen_portal.services.lookups.lists import SHIPPED_LISTS, seed_lookup_list
from sen_portal.services.platform.seed import install_shipped_forms
from sen_portal.services.referrals.referral_journey import TRY_AGAIN
from tests.conftest import PROJECT_ROOT, migrate
from tests.fault.conftest import make_user, portal_env
from tests.fault.private_servers import PrivatePostgres, why_no_private_postgres
from tests.service.test_referrals import Clock, ready_to_submit


@pytest.fixture(scope="module")
def private_postgres() -> Iterator[PrivatePostgres]:
    if reason := why_no_private_postgres():
        pytest.skip(reason)
    server = PrivatePostgres()
    server.start()
    yield server
    server.remove()


@pytest.fixture
def portal_db(private_postgres: PrivatePostgres) -> Iterator[tuple[str, Engine]]:
    admin = create_engine(private_postgres.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS portal WITH (FORCE)"))
        connection.execute(text("CREATE DATABASE portal"))
    admin.dispose()
    url = private_postgres.url("portal")
    migrate(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        for list_key, csv_path in SHIPPED_LISTS.items():
            seed_lookup_list(session, list_key, csv_path)
        install_shipped_forms(session)
    yield url, engine
    engine.dispose()


class AppProcess:
    """The driver's ``serve`` loop: one command line in, one JSON line out."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.fault.driver", "serve"],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, line: str) -> dict:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        assert answer, "the app process died"
        return json.loads(answer)

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=20)


def test_a_database_restart_means_try_again_never_a_false_success(
    private_postgres: PrivatePostgres, portal_db: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = portal_db
    env = portal_env(url, tmp_path)
    owner = make_user(engine, "sam.jones@abbeygreen.sch.uk")
    public_id = ready_to_submit(engine, settings_from_env(env), Clock(), owner)
    engine.dispose()  # the test's own pool must not hold connections across the restarts either

    app = AppProcess(env)
    try:
        assert app.ask("ping") == {"outcome": "ok"}  # the pool is warm: connections to the old server

        private_postgres.stop()
        down = app.ask(f"submit {owner} {public_id}")
        assert down == {"outcome": "try_again", "message": TRY_AGAIN}  # clear, and no reference

        private_postgres.start()
        sent = app.ask(f"submit {owner} {public_id}")
        assert sent["outcome"] == "sent" and sent["reference"].startswith("EHC-")

        # Restarted again between two requests: stale pooled connections are noticed and replaced.
        private_postgres.stop()
        private_postgres.start()
        again = app.ask(f"submit {owner} {public_id}")
        assert again == {"outcome": "sent", "reference": sent["reference"]}  # the same one: nothing new
    finally:
        app.close()

    with Session(engine) as session:
        submitted = session.exec(select(Referral).where(Referral.status == ReferralStatus.SUBMITTED)).all()
        assert [r.reference for r in submitted] == [sent["reference"]]
        emails = session.exec(select(OutboxMessage).where(OutboxMessage.category == "referral_submitted")).all()
        assert len(emails) == 1
        assert [c.last_number for c in session.exec(select(ReferenceCounter))] == [1]
    engine.dispose()
