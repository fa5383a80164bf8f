"""Backup and restore on both databases: everything comes back, nothing is merged, damage is caught.

The fault test (tests/fault/test_backup_restore_live.py) does the same against a running portal
under load and proves the restored one serves; this one covers the rules quickly on SQLite and
PostgreSQL through the same functions the CLI calls.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from sen_portal.config import Settings, settings_from_env
from sen_portal.db import make_engine
from sen_portal.models import FormVersion, PortalMessage, Referral, StoredDocument, UserAccount
from sen_portal.operations.archive import CHECKSUMS, BackupError, document_relpath
from sen_portal.operations.backup import backup
from sen_portal.operations.restore import restore
from sen_portal.services.documents import document_store
from tests.conftest import throwaway_postgres_database
from tests.ops.realistic_data import make_realistic_data

pytestmark = [pytest.mark.ops, pytest.mark.service]


def settings_for(database_url: str, documents: Path) -> Settings:
    return settings_from_env(
        {"DATABASE_URL": database_url, "DOCUMENT_STORE_DIR": str(documents), "SMTP_PASSWORD": "hunter2-smtp"}
    )


@pytest.fixture
def empty_database_url(engine: Engine, tmp_path: Path) -> Iterator[str]:
    """A brand-new database with no tables, of the same kind as ``engine``."""
    if engine.dialect.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    with throwaway_postgres_database("sen_restore") as url:
        yield url


def source_settings(engine: Engine, tmp_path: Path) -> Settings:
    return settings_for(engine.url.render_as_string(hide_password=False), tmp_path / "documents")


def snapshot(engine: Engine) -> dict:
    """What a person would check after a restore: the rows that matter, by their stable values."""
    with Session(engine) as session:
        return {
            "users": sorted((u.email, u.role, u.password_hash) for u in session.exec(select(UserAccount))),
            "referrals": sorted((r.reference or "", r.status) for r in session.exec(select(Referral))),
            "documents": sorted((d.public_id, d.sha256, d.storage_name) for d in session.exec(select(StoredDocument))),
            "messages": sorted(m.body for m in session.exec(select(PortalMessage))),
            "forms": sorted((f.form_key, f.version, f.status, f.title) for f in session.exec(select(FormVersion))),
        }


def test_backup_then_restore_brings_everything_back(
    session: Session, engine: Engine, empty_database_url: str, tmp_path: Path
) -> None:
    settings = source_settings(engine, tmp_path)
    data = make_realistic_data(session, settings)
    before = snapshot(engine)

    report = backup(settings, tmp_path / "backup")
    assert report.problems == [] and report.documents == 4 and report.forms == 2
    folder = tmp_path / "backup"
    assert (folder.stat().st_mode & 0o777) == 0o700
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database"]["alembic_revision"]
    saved = json.loads((folder / "settings.json").read_text())
    assert saved["max_file_mb"] == settings.max_file_mb
    assert "hunter2-smtp" not in (folder / "settings.json").read_text() and "secret_key" not in saved
    assert sorted(p.name for p in (folder / "forms").iterdir()) == [
        "ehc_needs_assessment-v1.json",
        "ehc_needs_assessment-v2.json",
    ]

    target = settings_for(empty_database_url, tmp_path / "restored-documents")
    result = restore(target, folder)
    assert result.documents == 4
    restored_engine = make_engine(empty_database_url)
    try:
        assert snapshot(restored_engine) == before
        with Session(restored_engine) as restored:
            for document in restored.exec(select(StoredDocument)):
                path = document_store.path_for(target, document.storage_name)
                assert document_store_hash(path) == data.document_hashes[document.public_id]
                assert (path.stat().st_mode & 0o777) == 0o600
    finally:
        restored_engine.dispose()

    # Restoring again would merge into a live portal: refused, and the message says why.
    with pytest.raises(BackupError, match="already has"):
        restore(target, folder)


def document_store_hash(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_restore_refuses_a_document_folder_that_is_not_empty(
    session: Session, engine: Engine, empty_database_url: str, tmp_path: Path
) -> None:
    settings = source_settings(engine, tmp_path)
    make_realistic_data(session, settings)
    backup(settings, tmp_path / "backup")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "something").write_text("x")
    with pytest.raises(BackupError, match=r"DOCUMENT_STORE_DIR .* is not empty"):
        restore(settings_for(empty_database_url, tmp_path / "busy"), tmp_path / "backup")


def test_a_damaged_backup_is_refused_before_anything_is_written(
    session: Session, engine: Engine, empty_database_url: str, tmp_path: Path
) -> None:
    settings = source_settings(engine, tmp_path)
    make_realistic_data(session, settings)
    backup(settings, tmp_path / "backup")
    with Session(engine) as check:
        storage_name = check.exec(select(StoredDocument.storage_name)).first()
    assert storage_name is not None
    damaged = tmp_path / "backup" / document_relpath(storage_name)
    damaged.write_bytes(damaged.read_bytes() + b"x")
    target = settings_for(empty_database_url, tmp_path / "restored-documents")
    with pytest.raises(BackupError, match="damaged"):
        restore(target, tmp_path / "backup")
    assert not (tmp_path / "restored-documents").exists()
    (tmp_path / "backup" / CHECKSUMS).unlink()
    with pytest.raises(BackupError, match="not a complete backup"):
        restore(target, tmp_path / "backup")


def test_backup_reports_a_document_file_missing_from_the_store(
    session: Session, engine: Engine, tmp_path: Path
) -> None:
    settings = source_settings(engine, tmp_path)
    make_realistic_data(session, settings)
    with Session(engine) as check:
        storage_name = check.exec(select(StoredDocument.storage_name)).first()
    assert storage_name is not None
    document_store.path_for(settings, storage_name).unlink()
    report = backup(settings, tmp_path / "backup")
    assert len(report.problems) == 1 and "missing from the store" in report.problems[0]
    with pytest.raises(BackupError, match="not empty"):
        backup(settings, tmp_path / "backup")  # never into an existing backup


def test_a_pg_dump_of_another_major_version_is_refused_in_words(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("pg_dump is PostgreSQL's")
    from sen_portal.operations import backup as backup_module

    real = backup_module.pg_tool_major("pg_dump")
    assert real >= 12  # read from the installed pg_dump's --version
    monkeypatch.setattr(backup_module, "pg_tool_major", lambda tool: real + 1)
    with pytest.raises(BackupError, match=rf"pg_dump is PostgreSQL {real + 1} but the server is PostgreSQL {real}"):
        backup(source_settings(engine, tmp_path), tmp_path / "backup")
    assert not (tmp_path / "backup").exists() and not (tmp_path / "backup.partial").exists()
