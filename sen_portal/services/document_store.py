"""Where document bytes live on disk, and keeping the files in step with the database.

Layout under DOCUMENT_STORE_DIR (folders 0700, files 0600)::

    incoming/<random>.part          uploads still arriving (or abandoned by a crash)
    ab/cd/abcd...<64 hex>           stored documents, sharded so no folder grows huge

A stored file is tied to the caller's transaction: a file stored in a transaction that does not
commit is removed when it ends, and a file marked deleted is removed only once that commits.
A crash between the two steps can still leave a stray file; ``sweep_orphans`` removes those.
"""

from __future__ import annotations

import io
import logging
import math
import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, select

from sen_portal.config import Settings
from sen_portal.models import StoredDocument
from sen_portal.services.clock import Clock, system_clock

log = logging.getLogger(__name__)

INCOMING = "incoming"
# Longer than any upload-to-commit can take, so a sweep never races a transaction in progress.
DEFAULT_ORPHAN_AGE = timedelta(days=1)
_STORAGE_NAME = re.compile(r"[0-9a-f]{64}")
_PENDING_KEY = "sen_portal.document_store.pending"


def make_private_dir(path: Path, *, private_from: Path | None = None) -> Path:
    """Create ``path`` as 0700, and missing parents: 0700 too from ``private_from`` down, the system
    default above it (the store root's parents are the operator's business). Existing folders are left alone."""
    if not path.is_dir():
        if private_from is not None and path.parent != private_from and path.parent.is_relative_to(private_from):
            make_private_dir(path.parent, private_from=private_from)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.mkdir(mode=0o700)
            os.chmod(path, 0o700)  # mode= is filtered by the umask
        except FileExistsError:
            pass  # another worker made it first
    return path


def store_root(settings: Settings) -> Path:
    return make_private_dir(settings.document_store_dir)


def incoming_dir(settings: Settings) -> Path:
    return make_private_dir(store_root(settings) / INCOMING)


def new_storage_name() -> str:
    return secrets.token_hex(32)


def path_for(settings: Settings, storage_name: str) -> Path:
    """The file of a stored document; refuses anything that is not one of our random names."""
    if not _STORAGE_NAME.fullmatch(storage_name):
        raise ValueError("not a storage name")
    return settings.document_store_dir / storage_name[:2] / storage_name[2:4] / storage_name


def create_private_file(path: Path) -> io.BufferedWriter:
    """Open a new file for writing, 0600, refusing to follow or reuse anything already there."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags, 0o600)
    os.fchmod(descriptor, 0o600)
    return os.fdopen(descriptor, "wb")


def remove_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as error:  # left for sweep_orphans
        log.warning("could not remove document file %s: %s", path.name, error)


# ---- files that follow the caller's transaction ------------------------------------------


@dataclass
class _Pending:
    unless_committed: list[Path] = field(default_factory=list)  # stored in this transaction
    once_committed: list[Path] = field(default_factory=list)  # deleted in this transaction


def remove_unless_committed(session: Session, path: Path) -> None:
    _pending(session).unless_committed.append(path)


def remove_once_committed(session: Session, path: Path) -> None:
    _pending(session).once_committed.append(path)


def _pending(session: Session) -> _Pending:
    pending = session.info.get(_PENDING_KEY)
    if pending is None:
        pending = session.info[_PENDING_KEY] = _Pending()
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_transaction_end", _after_transaction_end)
    return pending


def _after_commit(session: Session) -> None:
    pending: _Pending = session.info[_PENDING_KEY]
    for path in pending.once_committed:
        remove_quietly(path)
    pending.unless_committed.clear()
    pending.once_committed.clear()


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return  # a savepoint: the outer transaction decides
    # after_commit (which empties the lists) runs first, so anything left here was not committed.
    pending: _Pending = session.info[_PENDING_KEY]
    for path in pending.unless_committed:
        remove_quietly(path)
    pending.unless_committed.clear()
    pending.once_committed.clear()


# ---- sweeping --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepReport:
    incomplete_removed: int  # incoming/*.part left by a crashed or abandoned upload
    orphans_removed: int  # stored files with no row (a crash between storing and committing)
    deleted_removed: int  # files of rows marked deleted whose removal did not happen


def sweep_orphans(
    session: Session, settings: Settings, *, older_than: timedelta = DEFAULT_ORPHAN_AGE, clock: Clock = system_clock
) -> SweepReport:
    """Remove files the database no longer accounts for. Files younger than ``older_than`` are left:
    their transaction may still be open. Run it from a scheduled job, not per request."""
    root = settings.document_store_dir
    if not root.is_dir():
        return SweepReport(0, 0, 0)
    cutoff = (clock() - older_than).timestamp()

    incomplete = 0
    for path in (root / INCOMING).glob("*.part"):
        if _mtime(path) < cutoff:
            remove_quietly(path)
            incomplete += 1

    stored = {path.name: path for path in root.glob("??/??/*") if _STORAGE_NAME.fullmatch(path.name)}
    known: dict[str, datetime | None] = {}
    names = list(stored)
    for start in range(0, len(names), 500):
        batch = names[start : start + 500]
        rows = session.exec(
            select(StoredDocument.storage_name, StoredDocument.deleted_at).where(
                col(StoredDocument.storage_name).in_(batch)
            )
        )
        known.update(dict(rows.all()))

    orphans = deleted = 0
    for name, path in stored.items():
        if name not in known:
            if _mtime(path) < cutoff:
                remove_quietly(path)
                orphans += 1
        elif known[name] is not None:
            remove_quietly(path)
            deleted += 1
    if incomplete or orphans or deleted:
        log.info("document sweep: %d incomplete, %d orphans, %d deleted removed", incomplete, orphans, deleted)
    return SweepReport(incomplete, orphans, deleted)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return math.inf  # gone already: nothing to do
