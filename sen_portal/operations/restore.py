"""``python -m sen_portal.cli restore DIR``: a backup into an empty database and document folder.

Restore never merges: it refuses a database that has any table, or a document folder with anything
in it, so it cannot overwrite a live portal by mistake. Every file is checked against the backup's
SHA256SUMS before anything is written, and every document against its recorded SHA-256 after.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from sen_portal.config import Settings
from sen_portal.operations.archive import (
    BackupError,
    database_kind,
    document_relpath,
    read_manifest,
    sha256_of,
    sqlite_path,
    verify_checksums,
)
from sen_portal.operations.backup import REVISION_QUERY, check_pg_tool_matches, pg_environment, run_pg_tool
from sen_portal.services.document_store import make_private_dir, path_for


@dataclass
class RestoreReport:
    documents: int
    alembic_revision: str

    def summary(self) -> str:
        return (
            f"Restored the database (schema revision {self.alembic_revision}) and {self.documents} documents. "
            "Run `make migrate` if this release's code is newer than the backup, then start the portal."
        )


def _table_names(database_url: str) -> list[str]:
    if database_kind(database_url) == "sqlite" and not sqlite_path(database_url).exists():
        return []
    engine = create_engine(make_url(database_url))
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def check_targets_empty(settings: Settings) -> None:
    tables = _table_names(settings.database_url)
    if tables:
        raise BackupError(
            f"the database already has {len(tables)} table(s) (e.g. {sorted(tables)[0]}): restore only into a new, "
            "empty database, so nothing live is overwritten"
        )
    store = settings.document_store_dir
    if store.exists() and any(store.iterdir()):
        raise BackupError(f"DOCUMENT_STORE_DIR {store} is not empty: restore only into a new, empty folder")


def _restore_postgresql(source: Path, database_url: str) -> None:
    engine = create_engine(make_url(database_url))
    try:
        with engine.connect() as connection:
            check_pg_tool_matches(connection, "pg_restore")
    finally:
        engine.dispose()
    result = run_pg_tool(
        "pg_restore",
        *("--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges"),
        *("--dbname", make_url(database_url).database or "", str(source)),
        env=pg_environment(database_url),
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()[-500:]}")


def _restore_sqlite(source: Path, database_url: str) -> None:
    target_path = sqlite_path(database_url)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    backup_copy, target = sqlite3.connect(source), sqlite3.connect(target_path)
    try:
        backup_copy.backup(target)
    finally:
        target.close()
        backup_copy.close()
    os.chmod(target_path, 0o600)


def _restore_documents(folder: Path, settings: Settings, documents: list[dict]) -> int:
    root = make_private_dir(settings.document_store_dir)
    for row in documents:
        target = path_for(settings, row["storage_name"])
        make_private_dir(target.parent, private_from=root)
        shutil.copyfile(folder / document_relpath(row["storage_name"]), target)
        os.chmod(target, 0o600)
        if sha256_of(target) != row["sha256"]:
            raise BackupError(f"document {row['storage_name'][:12]}… did not restore intact")
    return len(documents)


def restore(settings: Settings, folder: Path) -> RestoreReport:
    manifest = read_manifest(folder)
    verify_checksums(folder)
    database = manifest["database"]
    kind = database_kind(settings.database_url)
    if database["kind"] != kind:
        raise BackupError(
            f"this is a {database['kind']} backup but DATABASE_URL is {kind}: restore into {database['kind']}"
        )
    check_targets_empty(settings)
    source = folder / database["file"]
    (_restore_postgresql if kind == "postgresql" else _restore_sqlite)(source, settings.database_url)
    documents = _restore_documents(folder, settings, manifest["documents"])
    engine = create_engine(make_url(settings.database_url))
    try:
        with engine.connect() as connection:
            revision = connection.execute(REVISION_QUERY).scalar_one()
    finally:
        engine.dispose()
    return RestoreReport(documents=documents, alembic_revision=revision)
