"""Fixtures for the fault tests: the portal's database on PostgreSQL, real processes, real mail servers.

Every fault test is marked ``fault`` and runs on PostgreSQL (as production does); CI runs them in
``make test``. The shared PostgreSQL and Redis on this machine are never restarted or flushed:
tests that need to do that start private ones (``tests/fault/private_servers.py``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from sen_portal.db import make_engine, session_scope
from sen_portal.models import UserAccount
from sen_portal.services.lookups.lists import SHIPPED_LISTS, seed_lookup_list
from sen_portal.services.platform.seed import install_shipped_forms
from tests.conftest import PROJECT_ROOT, _empty_tables


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/fault/" in str(item.fspath):
            item.add_marker(pytest.mark.fault)


@pytest.fixture
def pg_engine(postgresql_url: str) -> Iterator[Engine]:
    """The session's throw-away PostgreSQL database, emptied, with the lookups and the EHC form installed."""
    engine = make_engine(postgresql_url)
    _empty_tables(engine)
    with session_scope(engine) as session:
        for list_key, csv_path in SHIPPED_LISTS.items():
            seed_lookup_list(session, list_key, csv_path)
        install_shipped_forms(session)
    yield engine
    engine.dispose()


def portal_env(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment a portal process gets: production-like settings pointed at the test's resources."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "MAIL_", "SMTP_", "SENDGRID_", "REDIS_URL", "PUBLIC_URL", "SEN_FAULT"))
    }
    env.update(
        {
            "PUBLIC_URL": "http://localhost:3000",
            "SECRET_KEY": "f" * 48,
            "DATABASE_URL": database_url,
            "DOCUMENT_STORE_DIR": str(tmp_path / "documents"),
            "MAIL_DIR": str(tmp_path / "mail"),
            "MAIL_FROM": "SEN Portal <no-reply@portal.example.gov.uk>",
            "OUTBOX_IN_APP": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def run_driver(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m tests.fault.driver ARGS`` in its own process; returns when it exits (or is killed)."""
    return subprocess.run(
        [sys.executable, "-m", "tests.fault.driver", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def make_user(engine: Engine, email: str) -> int:
    with session_scope(engine) as session:
        user = UserAccount(email=email, first_name="Sam", last_name="Jones")
        session.add(user)
        session.flush()
        assert user.id is not None
        return user.id


def count(engine: Engine, model: type, *where: object) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()
