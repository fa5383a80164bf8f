"""Alembic migrations, up and down, on fresh SQLite and PostgreSQL databases of their own.

Nothing here names a revision: the tests follow whatever ``head`` is as migrations are added.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

import sen_portal.models  # noqa: F401 - registers every table, exactly as alembic/env.py does
from alembic import command
from sen_portal.db import make_engine
from tests.conftest import PROJECT_ROOT, alembic_config, throwaway_postgres_database

pytestmark = pytest.mark.service


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A brand-new, empty database (not the shared test one), dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    with throwaway_postgres_database("sen_migrations") as url:
        yield url


def _revisions_base_to_head() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, "migrations have branched: merge them into one head"
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def _schema(url: str) -> dict[str, set[str]]:
    """Table -> column names, without Alembic's own bookkeeping table."""
    engine = make_engine(url)
    try:
        inspector = inspect(engine)
        return {
            table: {column["name"] for column in inspector.get_columns(table)}
            for table in inspector.get_table_names()
            if table != "alembic_version"
        }
    finally:
        engine.dispose()


def _current_revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(empty_database_url: str) -> None:
    config = alembic_config(empty_database_url)
    head = _revisions_base_to_head()[-1]

    command.upgrade(config, "head")
    at_head = _schema(empty_database_url)
    assert _current_revision(empty_database_url) == head
    assert set(SQLModel.metadata.tables) <= set(at_head), "a model table has no migration"

    command.downgrade(config, "base")
    assert _schema(empty_database_url) == {}, "downgrade to base left tables behind"
    assert _current_revision(empty_database_url) is None

    command.upgrade(config, "head")
    assert _schema(empty_database_url) == at_head
    assert _current_revision(empty_database_url) == head


def test_models_match_the_migrated_schema(empty_database_url: str) -> None:
    """A model change without a migration (or the reverse) shows up as an autogenerate diff."""
    command.upgrade(alembic_config(empty_database_url), "head")

    engine = make_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_alembic_command_line_uses_database_url_from_the_environment(tmp_path: Path) -> None:
    """What `make migrate` runs: no URL in alembic.ini, so it must come from DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "MAIL_", "SMTP_", "SENDGRID_"))}
    env["DATABASE_URL"] = url

    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True
    )

    assert _current_revision(url) == _revisions_base_to_head()[-1]
    assert set(SQLModel.metadata.tables) <= set(_schema(url))
