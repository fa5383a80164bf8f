"""Upgrades without surprises: a previous release's database, with data in it, upgrades to this
release; and the migrations refuse a database that a newer release has already migrated.

(The migrations' own round trip, upgrade → downgrade → upgrade, is tests/service/test_migrations.py.)
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Column, MetaData, Table, create_engine, func, insert, inspect, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from sen_portal.config import settings_from_env
from sen_portal.db import make_engine
from sen_portal.forms import shipped_definition_data
from sen_portal.services.auth import sign_in
from sen_portal.services.documents import streaming as documents
from sen_portal.services.messaging import messages
from sen_portal.services.referrals.drafts import publish_version
from tests.conftest import PROJECT_ROOT, alembic_config, migrate, throwaway_postgres_database
from tests.ops.realistic_data import PASSWORD, PROFESSIONAL, make_realistic_data

pytestmark = [pytest.mark.ops, pytest.mark.service]

SCRIPT = ScriptDirectory.from_config(alembic_config("sqlite://"))
HEAD = SCRIPT.get_current_head()
# The schema the previous release shipped: this release's newest migration is what it adds.
PREVIOUS_RELEASE = SCRIPT.get_revision(HEAD).down_revision


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database (no tables) of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'portal.db'}"
        return
    with throwaway_postgres_database("sen_upgrade") as url:
        yield url


def revision_of(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as connection:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    return revision


def test_migrate_refuses_a_database_newer_than_the_code(fresh_url: str) -> None:
    migrate(fresh_url)
    engine = create_engine(fresh_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        tables_before = sorted(inspect(connection).get_table_names())
    # What `make migrate` runs.
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=PROJECT_ROOT,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": fresh_url},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert (
        f"The database is at schema revision 9999, which this release's code does not know (its newest is {HEAD})"
        in result.stderr
    )
    assert "Nothing was changed" in result.stderr
    assert revision_of(fresh_url) == "9999"
    with engine.connect() as connection:
        assert sorted(inspect(connection).get_table_names()) == tables_before
    engine.dispose()
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    assert "$(PY) -m alembic upgrade head" in makefile.split("\nmigrate:", 1)[1].split("\n\n", 1)[0]


def copy_rows(source: Engine, target: Engine) -> dict[str, int]:
    """Every row of ``source`` (made by this release's services) into ``target`` (the previous release's
    schema), keeping only the columns the previous release had: the data that release would hold."""
    counts = {}
    with source.connect() as reading, target.begin() as writing:
        old_columns = {
            name: {c["name"] for c in inspect(writing).get_columns(name)} for name in inspect(writing).get_table_names()
        }
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in old_columns:
                continue
            rows = [
                {key: value for key, value in row.items() if key in old_columns[table.name]}
                for row in reading.execute(select(table)).mappings()
            ]
            if rows:
                # Only the old columns, with this release's types (dates as UTC, JSON): no new defaults.
                old_table = Table(
                    table.name,
                    MetaData(),
                    *(
                        Column(c.name, c.type, primary_key=c.primary_key)
                        for c in table.columns
                        if c.name in old_columns[table.name]
                    ),
                )
                writing.execute(insert(old_table), rows)
                counts[table.name] = len(rows)
            if target.dialect.name == "postgresql" and "id" in old_columns[table.name] and rows:
                writing.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT max(id) FROM {table.name}))"
                    )
                )
    return counts


def test_a_previous_release_database_with_data_upgrades_and_serves(fresh_url: str, tmp_path: Path) -> None:
    assert PREVIOUS_RELEASE is not None
    settings = settings_from_env({"DATABASE_URL": fresh_url, "DOCUMENT_STORE_DIR": str(tmp_path / "documents")})
    # Realistic records from this release's services (in a scratch SQLite database; the values are
    # Python objects, so they copy into either kind).
    scratch_url = f"sqlite:///{tmp_path / 'scratch.db'}"
    migrate(scratch_url)
    scratch = make_engine(scratch_url)
    with Session(scratch, expire_on_commit=False) as session:
        data = make_realistic_data(session, settings)

    migrate(fresh_url, PREVIOUS_RELEASE)
    old = make_engine(fresh_url)
    counts = copy_rows(scratch, old)
    scratch.dispose()
    old.dispose()
    assert counts["referral"] == 1 and counts["stored_document"] == 4 and counts["portal_message"] == 2

    migrate(fresh_url)  # the upgrade under test
    assert revision_of(fresh_url) == HEAD
    upgraded = make_engine(fresh_url)
    try:
        with Session(upgraded, expire_on_commit=False) as session:
            for table, count in counts.items():
                total = session.execute(select(func.count()).select_from(SQLModel.metadata.tables[table])).scalar_one()
                assert total == count, table
            # This release's code works on the old records: sign-in, a download, the thread and a reply,
            # and a new form version (the newest migration's columns).
            outcome = sign_in.check_password(
                session, email=PROFESSIONAL, password=PASSWORD, ip="192.0.2.1", settings=settings
            )
            assert type(outcome).__name__ == "PasswordAccepted", outcome
            for public_id, sha256 in data.document_hashes.items():
                document, path = documents.open_for_download(
                    session,
                    settings,
                    public_id=public_id,
                    requester_user_id=data.caseworker_id,
                    requester_is_staff=True,
                    can_access=lambda _document: True,
                )
                assert document.sha256 == sha256 and path.is_file()
            messages.post_message(
                session,
                referral_public_id=data.referral_public_id,
                author_user_id=data.professional_id,
                body="Written after the upgrade.",
                settings=settings,
            )
            version = publish_version(session, definition=shipped_definition_data("ehc_needs_assessment"))
            session.commit()
            assert version.version == 3 and version.published_by_email == ""
    finally:
        upgraded.dispose()
