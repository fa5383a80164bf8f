"""What a backup folder holds and how its files are checked: shared by backup and restore.

Layout (the folder is 0700, every file 0600: it holds children's records)::

    manifest.json        what was backed up, when, from which schema revision; one row per document
    SHA256SUMS           every other file, in `sha256sum -c` format, so an operator can check by hand
    database.pgdump      PostgreSQL, pg_dump custom format          (or database.sqlite3 for SQLite)
    documents/ab/cd/...  the document files the database refers to, laid out as in the store
    forms/KEY-vN.json    every form definition version, readable without restoring anything
    settings.json        the portal's settings minus secrets (passwords, keys, tokens)
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from sen_portal.config import Settings

FORMAT = 1
MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
PG_DUMP_FILE = "database.pgdump"
SQLITE_FILE = "database.sqlite3"
DOCUMENTS = "documents"
FORMS = "forms"
SETTINGS_FILE = "settings.json"
_SECRET_WORDS = ("secret", "password", "key", "token")
_CHUNK = 1024 * 1024


class BackupError(RuntimeError):
    """The backup or restore cannot go on; the message says why in the operator's words."""


def database_kind(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


def sqlite_path(database_url: str) -> Path:
    return Path(database_url.split("///", 1)[-1])


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def document_relpath(storage_name: str) -> Path:
    return Path(DOCUMENTS) / storage_name[:2] / storage_name[2:4] / storage_name


def private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)  # mkdir's mode is filtered by the umask
    return path


def write_private(path: Path, text: str) -> None:
    private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def non_secret_settings(settings: Settings) -> dict[str, Any]:
    """Settings worth knowing after a disaster (paths, limits, mail backend), never a secret."""
    values: dict[str, Any] = {}
    for item in dataclasses.fields(settings):
        if not item.repr or any(word in item.name for word in _SECRET_WORDS):
            continue
        value = getattr(settings, item.name)
        if item.name in ("database_url", "redis_url") and value:
            value = make_url(value).render_as_string(hide_password=True) if "://" in value else value
        values[item.name] = str(value) if isinstance(value, Path) else value
    return values


def write_checksums(folder: Path) -> None:
    lines = [
        f"{sha256_of(path)}  {path.relative_to(folder).as_posix()}"
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != CHECKSUMS
    ]
    write_private(folder / CHECKSUMS, "\n".join(lines) + "\n")


def verify_checksums(folder: Path) -> None:
    """Every file listed is there with its sum, and nothing unlisted hides in the folder."""
    sums = folder / CHECKSUMS
    if not (folder / MANIFEST).is_file() or not sums.is_file():
        raise BackupError(f"{folder} is not a complete backup: {MANIFEST} or {CHECKSUMS} is missing")
    listed: dict[str, str] = {}
    for line in sums.read_text(encoding="utf-8").splitlines():
        expected, _, name = line.partition("  ")
        listed[name] = expected
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != CHECKSUMS}
    if present != set(listed):
        extra, lost = sorted(present - set(listed)), sorted(set(listed) - present)
        raise BackupError(f"the backup's files do not match {CHECKSUMS} (missing: {lost[:5]}, unlisted: {extra[:5]})")
    damaged = [name for name, expected in listed.items() if sha256_of(folder / name) != expected]
    if damaged:
        raise BackupError(f"{len(damaged)} file(s) in the backup are damaged (checksum differs): {damaged[:5]}")


def read_manifest(folder: Path) -> dict[str, Any]:
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder} was written by an unknown backup format {manifest.get('format')!r}")
    return manifest
