"""``python -m sen_portal.cli backup DIR``: a consistent backup while the portal runs.

Consistency: the database is copied from one snapshot (PostgreSQL: ``pg_dump --snapshot`` of a
snapshot this module exports and keeps open; SQLite: the online backup API), and the documents
copied are exactly those the snapshot refers to, read in that same snapshot. A file is only at its
final path once complete (uploads arrive under ``incoming/`` and are renamed), so no half-written
file is copied; uploads still arriving and files of uncommitted rows are left out, as they would
be removed by housekeeping anyway.

The backup is written to ``DIR.partial`` and renamed at the end: a folder named DIR is complete.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url

from sen_portal.config import Settings
from sen_portal.db import make_engine
from sen_portal.operations.archive import (
    FORMAT,
    FORMS,
    MANIFEST,
    PG_DUMP_FILE,
    SETTINGS_FILE,
    SQLITE_FILE,
    BackupError,
    database_kind,
    document_relpath,
    non_secret_settings,
    private_dir,
    sha256_of,
    sqlite_path,
    write_checksums,
    write_private,
)
from sen_portal.services.document_store import path_for

DOCUMENTS_QUERY = text("SELECT storage_name, sha256, size_bytes FROM stored_document WHERE deleted_at IS NULL")
FORMS_QUERY = text("SELECT form_key, version, status, title, definition FROM form_version ORDER BY form_key, version")
REVISION_QUERY = text("SELECT version_num FROM alembic_version")


@dataclass
class BackupReport:
    folder: Path
    documents: int = 0
    document_bytes: int = 0
    forms: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        size = self.document_bytes / 1_048_576
        text_ = f"Backed up to {self.folder}: database, {self.documents} documents ({size:.1f} MB), {self.forms} form versions."
        return text_ + (f" {len(self.problems)} problem(s): " + "; ".join(self.problems[:5]) if self.problems else "")


def pg_environment(database_url: str) -> dict[str, str]:
    """libpq's variables for the URL, so the password never appears in a process listing."""
    url = make_url(database_url)
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
        ("PGSSLMODE", url.query.get("sslmode")),
    ):
        if value:
            env[variable] = str(value)
    return env


def _major(version_text: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", version_text)
    if not match:
        raise BackupError(f"could not read a PostgreSQL version from {version_text!r}")
    return int(match.group(1))


def pg_tool(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise BackupError(f"{tool} is not installed (Debian: apt-get install postgresql-client)")
    return path


def run_pg_tool(tool: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """A PostgreSQL client tool with a fixed argument list (no shell); the caller checks the result."""
    return subprocess.run([pg_tool(tool), *args], env=env, capture_output=True, text=True)  # noqa: S603


def pg_tool_major(tool: str) -> int:
    output = run_pg_tool(tool, "--version").stdout
    # "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)": the number after the product name.
    return _major(output.split("(PostgreSQL)", 1)[-1])


def check_pg_tool_matches(connection: Connection, tool: str) -> tuple[int, int]:
    """pg_dump/pg_restore of the server's major version: older ones refuse, newer ones write archives
    the server's own tools cannot read back."""
    server = int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    client = pg_tool_major(tool)
    if client != server:
        raise BackupError(
            f"{tool} is PostgreSQL {client} but the server is PostgreSQL {server}: install the client of the "
            f"server's version (postgresql-client-{server}) and put it first on PATH"
        )
    return client, server


@contextmanager
def _postgres_snapshot(database_url: str, dump_path: Path) -> Iterator[tuple[Connection, dict[str, Any]]]:
    """Dump the database from a snapshot and keep that snapshot open for reading what it holds."""
    engine = create_engine(make_url(database_url), isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as connection, connection.begin():
            client, server = check_pg_tool_matches(connection, "pg_dump")
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            result = run_pg_tool(
                "pg_dump",
                *("--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"),
                *("--file", str(dump_path)),
                env=pg_environment(database_url),
            )
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()[-500:]}")
            os.chmod(dump_path, 0o600)
            yield (
                connection,
                {"kind": "postgresql", "file": PG_DUMP_FILE, "pg_dump_major": client, "server_major": server},
            )
    finally:
        engine.dispose()


@contextmanager
def _sqlite_snapshot(database_url: str, copy_path: Path) -> Iterator[tuple[Connection, dict[str, Any]]]:
    """SQLite's online backup API copies a consistent database while others write; read the copy."""
    if not sqlite_path(database_url).is_file():
        raise BackupError(f"there is no SQLite database at {sqlite_path(database_url)} (DATABASE_URL)")
    # Read-only: a mistyped path must not leave an empty database behind.
    source = sqlite3.connect(f"file:{sqlite_path(database_url)}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(copy_path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    os.chmod(copy_path, 0o600)
    engine = make_engine(f"sqlite:///{copy_path}")
    try:
        with engine.connect() as connection:
            yield connection, {"kind": "sqlite", "file": SQLITE_FILE}
    finally:
        engine.dispose()


def _copy_documents(connection: Connection, settings: Settings, folder: Path, report: BackupReport) -> list[dict]:
    rows = []
    for storage_name, expected, size in connection.execute(DOCUMENTS_QUERY):
        source, target = path_for(settings, storage_name), folder / document_relpath(storage_name)
        private_dir(target.parent)
        try:
            shutil.copyfile(source, target)
        except FileNotFoundError:
            # Deleted after the snapshot (a draft's file removed), or lost from the store.
            report.problems.append(f"document file {storage_name[:12]}… is missing from the store")
            continue
        os.chmod(target, 0o600)
        actual = sha256_of(target)
        if actual != expected:
            report.problems.append(f"document file {storage_name[:12]}… differs from its recorded SHA-256")
        rows.append({"storage_name": storage_name, "sha256": actual, "size_bytes": size})
        report.documents += 1
        report.document_bytes += size
    return rows


def _write_forms(connection: Connection, folder: Path, report: BackupReport) -> None:
    for form_key, version, status, title, definition in connection.execute(FORMS_QUERY):
        record = {"form_key": form_key, "version": version, "status": status, "title": title}
        record["definition"] = json.loads(definition) if isinstance(definition, str) else definition
        write_private(folder / FORMS / f"{form_key}-v{version}.json", json.dumps(record, indent=2, ensure_ascii=False))
        report.forms += 1


def backup(settings: Settings, target: Path) -> BackupReport:
    """Write a complete backup to ``target`` (which must not exist yet, or be empty)."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} already exists and is not empty: choose a new folder for each backup")
    partial = target.with_name(target.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)  # left by an interrupted run: never complete, never used
    private_dir(partial)
    try:
        report = _write(settings, partial, BackupReport(folder=target))
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)  # half a backup is no backup, and holds children's records
        raise
    if target.exists():
        target.rmdir()
    partial.rename(target)
    return report


def _write(settings: Settings, partial: Path, report: BackupReport) -> BackupReport:
    kind = database_kind(settings.database_url)
    snapshot = _postgres_snapshot if kind == "postgresql" else _sqlite_snapshot
    database_file = partial / (PG_DUMP_FILE if kind == "postgresql" else SQLITE_FILE)
    with snapshot(settings.database_url, database_file) as (connection, database):
        database["alembic_revision"] = connection.execute(REVISION_QUERY).scalar_one()
        documents = _copy_documents(connection, settings, partial, report)
        _write_forms(connection, partial, report)
    write_private(partial / SETTINGS_FILE, json.dumps(non_secret_settings(settings), indent=2))
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database,
        "documents": documents,
        "forms": report.forms,
        "problems": report.problems,
    }
    write_private(partial / MANIFEST, json.dumps(manifest, indent=2))
    write_checksums(partial)
    return report


def dated_folder(parent: Path) -> Path:
    """PARENT/sen-portal-YYYYmmddTHHMMSSZ, for scheduled backups."""
    return parent / datetime.now(UTC).strftime("sen-portal-%Y%m%dT%H%M%SZ")
