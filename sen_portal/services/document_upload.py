"""Receiving one uploaded file: checked while it streams, then stored privately (services.documents).

Bytes go to a 0600 temporary file in DOCUMENT_STORE_DIR/incoming as they arrive; the size caps and
the type (from the first bytes) are checked chunk by chunk, so an oversized or wrong file is
refused without reading the rest. ``finish`` runs the whole-file checks and the virus scan,
moves the file to a random name and adds its row to the caller's session.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import secrets
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import Any, NoReturn, TypeVar

from sqlmodel import Session

from sen_portal.config import Settings
from sen_portal.models import ContainerKind, ScanStatus, StoredDocument
from sen_portal.operations.metrics import STORAGE_FAILURES, UPLOAD_BYTES
from sen_portal.services import document_store, faults, file_types, virus_scan
from sen_portal.services.file_types import DetectedType, Refusal, sanitise_filename, sniff_type

log = logging.getLogger(__name__)

T = TypeVar("T")
MB = 1024 * 1024
SCAN_UNAVAILABLE = "We could not check this file for viruses. Try again later."
STORE_UNAVAILABLE = "We could not store this file just now. Try again later."


class UploadRefused(Exception):
    """The file cannot be accepted; ``message`` is written for the person uploading it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def begin_upload(
    settings: Settings, *, filename: str, owner_user_id: int, already_stored_bytes: int, already_stored_count: int
) -> UploadWriter:
    """Start receiving one file. ``already_stored_*`` are what its container holds so far (``stored_totals``)."""
    name = sanitise_filename(filename)
    if already_stored_count >= settings.max_files_per_referral:
        raise UploadRefused(f"You can upload up to {settings.max_files_per_referral} files – remove one to add another")
    if refusal := file_types.check_extension(name):
        raise UploadRefused(refusal.message)
    return UploadWriter(settings, filename=name, owner_user_id=owner_user_id, already_stored_bytes=already_stored_bytes)


async def stream_upload(
    settings: Settings,
    chunks: AsyncIterator[Any],
    *,
    owner_user_id: int,
    already_stored_bytes: int,
    already_stored_count: int,
    finish: Callable[[UploadWriter], T],
) -> T | None:
    """Receive one streamed file (Reflex ``UploadChunk``s) and hand the writer to ``finish``.

    File writes and ``finish`` (the scan, the move, the row) run in worker threads, never on the
    event loop. None when no file came; ``UploadRefused`` when a check says no. Whatever goes wrong
    before ``finish`` returns - a refusal, an error in ``finish``, a disconnect - leaves no partial file.
    """
    writer: UploadWriter | None = None
    stored = False
    try:
        async for chunk in chunks:
            if writer is None:
                writer = _storing(
                    begin_upload,
                    settings,
                    filename=chunk.filename or "document",
                    owner_user_id=owner_user_id,
                    already_stored_bytes=already_stored_bytes,
                    already_stored_count=already_stored_count,
                )
            if chunk.data:
                await asyncio.to_thread(_storing, writer.write, chunk.data)
        if writer is None:
            return None
        result = await asyncio.to_thread(_storing, finish, writer)
        stored = True
        return result
    finally:
        if writer is not None and not stored:
            writer.abort()


def _storing(step: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a step that writes to DOCUMENT_STORE_DIR. If the folder is unwritable, missing or full, the
    person is told in words and may try again; the operator sees it in the log and in /metrics."""
    try:
        return step(*args, **kwargs)
    except OSError as error:
        STORAGE_FAILURES.inc()
        log.error("could not store an upload in DOCUMENT_STORE_DIR: %s: %s", type(error).__name__, error.strerror)
        raise UploadRefused(STORE_UNAVAILABLE) from error


class UploadWriter:
    """One file arriving in chunks, written to a private temporary file as it comes."""

    def __init__(self, settings: Settings, *, filename: str, owner_user_id: int, already_stored_bytes: int) -> None:
        self.filename = filename
        self.owner_user_id = owner_user_id
        self.bytes_received = 0
        self._settings = settings
        self._max_bytes = settings.max_file_mb * MB
        self._room_left = settings.max_referral_mb * MB - already_stored_bytes
        self._sha256 = hashlib.sha256()
        self._head = b""
        self._detected: DetectedType | None = None
        self._temp_path = document_store.incoming_dir(settings) / f"{secrets.token_hex(16)}.part"
        self._file = document_store.create_private_file(self._temp_path)
        self._open = True

    @property
    def sha256(self) -> str:
        """The SHA-256 of the bytes received so far (all of them once the stream has ended)."""
        return self._sha256.hexdigest()

    def __enter__(self) -> UploadWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.abort()  # does nothing after finish

    def write(self, chunk: bytes) -> None:
        """Take the next piece; refuses (and cleans up) the moment a cap is passed or the type is wrong."""
        self._check_open()
        total = self.bytes_received + len(chunk)
        if total > self._max_bytes:
            self._refuse(f"{self.filename} must be smaller than {self._settings.max_file_mb}MB")
        if total > self._room_left:
            self._refuse(
                f"The files together must be smaller than {self._settings.max_referral_mb}MB"
                " – remove a file or choose a smaller one"
            )
        if self._detected is None and len(self._head) < file_types.SNIFF_BYTES:
            self._head += chunk[: file_types.SNIFF_BYTES - len(self._head)]
            if len(self._head) == file_types.SNIFF_BYTES:
                self._sniff()
        self._file.write(chunk)
        self._sha256.update(chunk)
        self.bytes_received = total

    def finish(
        self,
        session: Session,
        *,
        container_kind: str,
        container_id: int | None,
        slot: str = "",
        document_type: str = "",
    ) -> StoredDocument:
        """Check the complete file, scan it, store it under a random name and add its row to ``session``."""
        self._check_open()
        check_container(container_kind, container_id, allow_draft=True)
        try:
            if self._detected is None:
                self._sniff()  # a file smaller than SNIFF_BYTES (or empty)
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            assert self._detected is not None
            with self._temp_path.open("rb") as complete:
                if refusal := file_types.check_complete_file(self._detected, complete, self.filename):
                    self._refuse(refusal.message)
            scan_status = self._scan()
            storage_name = document_store.new_storage_name()
            final_path = document_store.path_for(self._settings, storage_name)
            document_store.make_private_dir(final_path.parent, private_from=self._settings.document_store_dir)
            os.replace(self._temp_path, final_path)  # atomic: same filesystem by construction
            self._open = False
            faults.crash_point(faults.AFTER_DOCUMENT_WRITE)
            document_store.remove_unless_committed(session, final_path)
            document = StoredDocument(
                public_id=secrets.token_urlsafe(16),
                owner_user_id=self.owner_user_id,
                container_kind=container_kind,
                container_id=container_id,
                slot=slot,
                document_type=document_type,
                original_name=self.filename,
                content_type=self._detected.content_type,
                size_bytes=self.bytes_received,
                sha256=self._sha256.hexdigest(),
                storage_name=storage_name,
                scan_status=scan_status,
            )
            try:
                session.add(document)
                session.flush()
            except BaseException:
                document_store.remove_quietly(final_path)
                raise
            UPLOAD_BYTES.inc(self.bytes_received)
        except BaseException:
            self.abort()
            raise
        return document

    def abort(self) -> None:
        """Give up on this file and remove what was written. Safe to call more than once."""
        if not self._open:
            return
        self._open = False
        self._file.close()
        document_store.remove_quietly(self._temp_path)

    # ---- helpers --------------------------------------------------------------------------

    def _check_open(self) -> None:
        if not self._open:
            raise RuntimeError("this upload has already been finished or aborted")

    def _refuse(self, message: str) -> NoReturn:
        self.abort()
        raise UploadRefused(message)

    def _sniff(self) -> None:
        result = sniff_type(self._head, self.filename)
        if isinstance(result, Refusal):
            self._refuse(result.message)
        else:
            self._detected = result

    def _scan(self) -> str:
        if not self._settings.clamd_socket:
            return ScanStatus.NOT_SCANNED
        try:
            result = virus_scan.scan_file(self._temp_path, address=self._settings.clamd_socket)
        except virus_scan.ScanUnavailable as error:
            log.error("virus scan unavailable, upload refused (user %s): %s", self.owner_user_id, error)
            self._refuse(SCAN_UNAVAILABLE)
        if not result.clean:
            # The file name may name a child, so the log has the user, signature and hash only.
            log.warning(
                "virus found in upload: user %s, signature %s, sha256 %s",
                self.owner_user_id,
                result.signature,
                self._sha256.hexdigest(),
            )
            self._refuse(f"{self.filename} contains a virus – we cannot accept it")
        return ScanStatus.CLEAN


def check_container(container_kind: str, container_id: int | None, *, allow_draft: bool) -> None:
    """A programming error, not a user one: the caller passed a container that cannot exist."""
    kinds = {ContainerKind.REFERRAL, ContainerKind.MESSAGE} | ({ContainerKind.DRAFT} if allow_draft else set())
    if container_kind not in kinds:
        raise ValueError(f"container_kind must be one of {sorted(kinds)}, got {container_kind!r}")
    if container_kind != ContainerKind.DRAFT and container_id is None:
        raise ValueError(f"a {container_kind} document needs a container_id")
