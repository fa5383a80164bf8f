"""Shared fixtures: a fresh, migrated database on SQLite *and* PostgreSQL.

Service tests take the ``engine`` or ``session`` fixture and so run twice, once
per backend. Each backend is migrated with Alembic once per test session (the
real migrations, not ``create_all``); each test starts from empty tables.

A test that takes only ``session`` runs inside a transaction that is rolled back
at the end (its commits become savepoints), which is far cheaper than emptying
every table (≈100 ms a test on PostgreSQL). A test that takes ``engine`` opens
its own sessions, connections or threads, so it gets a real engine on tables
emptied first, and its ``session`` (if any) commits for real.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from alembic import command
from sen_portal.db import make_engine

pytest_plugins = ["tests.mail_servers"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["database_url"] = database_url
    config.attributes["skip_logging"] = True
    return config


def migrate(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    migrate(url)
    return url


@contextmanager
def throwaway_postgres_database(prefix: str) -> Iterator[str]:
    """The URL of a new, empty database on the local PostgreSQL server, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    """A throw-away database on the local PostgreSQL server, migrated, dropped at the end."""
    with throwaway_postgres_database("sen_test") as url:
        migrate(url)
        yield url


def _tables() -> list[str]:
    return [t.name for t in reversed(SQLModel.metadata.sorted_tables)]


def _empty_tables(engine: Engine) -> None:
    """Delete every row (children first) and restart PostgreSQL's id sequences.

    DELETE, not TRUNCATE: on these small tables TRUNCATE took ≈100-500 ms a test on PostgreSQL
    (new files, exclusive locks) and DELETE ≈4 ms.
    """
    with engine.begin() as connection:
        for table in _tables():
            connection.execute(text(f"DELETE FROM {table}"))
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT setval(oid::regclass, 1, false) FROM pg_class WHERE relkind = 'S'"))


def _empty_tables_unless_empty(engine: Engine) -> None:
    """Empty the tables only if someone left rows behind: one cheap query instead of a TRUNCATE."""
    any_rows = " OR ".join(f"EXISTS (SELECT 1 FROM {table})" for table in _tables())
    with engine.connect() as connection:
        dirty = connection.execute(text(f"SELECT {any_rows}")).scalar()
    if dirty:
        _empty_tables(engine)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """Which database a service test runs on; ``engine`` and ``session`` share it (one run per backend)."""
    return request.param


@pytest.fixture
def engine(backend: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A migrated, empty database; the test runs once per backend."""
    url = request.getfixturevalue(f"{backend}_url")
    engine = make_engine(url)
    _empty_tables(engine)
    yield engine
    engine.dispose()


def _savepoint_engine(url: str) -> Engine:
    """An engine whose transactions nest properly: pysqlite defers BEGIN, so a SAVEPOINT would open
    (and its RELEASE commit) the outermost transaction; SQLAlchemy's documented fix is to emit BEGIN
    ourselves."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _no_implicit_transactions(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _explicit_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN")

    return engine


@pytest.fixture(scope="session")
def _rollback_engines() -> Iterator[dict[str, Engine]]:
    engines: dict[str, Engine] = {}
    yield engines
    for engine in engines.values():
        engine.dispose()


@pytest.fixture
def session(backend: str, request: pytest.FixtureRequest, _rollback_engines: dict[str, Engine]) -> Iterator[Session]:
    if "engine" in request.fixturenames:
        # The test also works on the engine (its own sessions, threads, processes): commit for real.
        with Session(request.getfixturevalue("engine"), expire_on_commit=False) as session:
            yield session
        return
    if backend not in _rollback_engines:
        _rollback_engines[backend] = _savepoint_engine(request.getfixturevalue(f"{backend}_url"))
    engine = _rollback_engines[backend]
    _empty_tables_unless_empty(engine)
    with engine.connect() as connection:
        outer = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False) as session:
            yield session
        outer.rollback()


@pytest.fixture
def fast_bcrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """bcrypt at cost 4: the cost is a deployment setting, not what a test proves; 12 costs ≈0.3 s a hash."""
    from sen_portal.services.auth import passwords

    monkeypatch.setattr(passwords, "BCRYPT_COST", 4)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for every browser test (e2e and fault): Playwright's sync API allows one per thread."""
    from playwright.sync_api import expect, sync_playwright

    from tests.e2e.harness import CHROMIUM_ARGS

    # Assertions wait up to 10 s (Playwright's default is 5): a production server on 2 shared cores
    # sometimes needs longer under a full suite, and a wait that ends early proves nothing.
    expect.set_options(timeout=10_000)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
