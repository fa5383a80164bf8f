"""Document uploads and downloads: checked while they stream, stored privately, found by public id.

Upload, as a Reflex streaming handler would drive it::

    with documents.begin_upload(settings, filename=chunk.filename, owner_user_id=user_id,
                                already_stored_bytes=size, already_stored_count=count) as upload:
        upload.write(chunk.data)          # for each chunk; raises UploadRefused at once when over a cap
        document = upload.finish(session, container_kind="draft", container_id=None,
                                 slot="evidence", document_type="EP report")

``finish`` does blocking work (the macro check, the virus scan): call it off the event loop.
The row joins the caller's transaction; the file goes with it if that transaction does not commit.
Who may see or remove a document is the caller's policy, passed in as a callback, so this module
knows nothing about referrals or messages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlmodel import Session, col, func, select

from sen_portal.config import Settings
from sen_portal.models import ContainerKind, StoredDocument
from sen_portal.services.documents import document_store
from sen_portal.services.documents.document_store import SweepReport, sweep_orphans
from sen_portal.services.documents.document_upload import (
    MB,
    SCAN_UNAVAILABLE,
    UploadRefused,
    UploadWriter,
    begin_upload,
    check_container,
    stream_upload,
)
from sen_portal.services.documents.file_types import sanitise_filename, sniff_type
from sen_portal.services.platform.clock import Clock, system_clock

__all__ = [
    "MB",
    "SCAN_UNAVAILABLE",
    "DocumentNotFound",
    "SweepReport",
    "UploadRefused",
    "UploadWriter",
    "attach",
    "begin_upload",
    "documents_in",
    "mark_deleted",
    "open_for_download",
    "sanitise_filename",
    "sniff_type",
    "stored_totals",
    "stream_upload",
    "sweep_orphans",
]

log = logging.getLogger(__name__)

_PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{22}")


class DocumentNotFound(Exception):
    """No such document, or not for this requester: deliberately the same thing."""


# ---- after upload (receiving the file itself is services.document_upload) -----------------------


def stored_totals(
    session: Session, *, container_kind: str, container_id: int | None, owner_user_id: int | None = None
) -> tuple[int, int]:
    """(count, bytes) of the live documents in a container; ``owner_user_id`` narrows unattached drafts."""
    query = select(func.count(), func.coalesce(func.sum(StoredDocument.size_bytes), 0)).where(
        *_in_container(container_kind, container_id, owner_user_id)
    )
    count, total = session.exec(query).one()
    return int(count), int(total)


def documents_in(
    session: Session, *, container_kind: str, container_id: int | None, owner_user_id: int | None = None
) -> list[StoredDocument]:
    """The live documents in a container, oldest first."""
    query = select(StoredDocument).where(*_in_container(container_kind, container_id, owner_user_id))
    return list(session.exec(query.order_by(col(StoredDocument.id))).all())


def open_for_download(
    session: Session,
    settings: Settings,
    *,
    public_id: str,
    requester_user_id: int,
    requester_is_staff: bool,
    can_access: Callable[[StoredDocument], bool],
) -> tuple[StoredDocument, Path]:
    """The document and its file, if ``can_access`` allows it; otherwise ``DocumentNotFound`` whatever the reason."""
    document = _live_document(session, public_id)
    if document is None or not can_access(document):
        log.warning(
            "document access refused: user %s (staff=%s), document %r, %s",
            requester_user_id,
            requester_is_staff,
            str(public_id)[:40],
            "no such document" if document is None else "not allowed",
        )
        raise DocumentNotFound
    path = document_store.path_for(settings, document.storage_name)
    if not path.is_file():
        log.error("document %s has a row but no file", document.public_id)
        raise DocumentNotFound
    return document, path


def mark_deleted(
    session: Session,
    settings: Settings,
    *,
    public_id: str,
    can_delete: Callable[[StoredDocument], bool],
    clock: Clock = system_clock,
) -> StoredDocument:
    """Remove a document (e.g. before a referral is submitted): the row is kept, marked deleted, for the
    record; the file is removed once the caller's transaction commits."""
    document = _live_document(session, public_id)
    if document is None or not can_delete(document):
        raise DocumentNotFound
    document.deleted_at = clock()
    session.add(document)
    session.flush()
    document_store.remove_once_committed(session, document_store.path_for(settings, document.storage_name))
    return document


def attach(
    session: Session, *, document_ids: Iterable[int], owner_user_id: int, container_kind: str, container_id: int
) -> list[StoredDocument]:
    """Move ``owner_user_id``'s draft documents into a referral or message: all of them, or none
    (``DocumentNotFound`` when any is missing, deleted, already attached or someone else's)."""
    check_container(container_kind, container_id, allow_draft=False)
    wanted = set(document_ids)
    if not wanted:
        return []
    documents = list(
        session.exec(
            select(StoredDocument).where(
                col(StoredDocument.id).in_(wanted),
                col(StoredDocument.owner_user_id) == owner_user_id,
                col(StoredDocument.container_kind) == ContainerKind.DRAFT,
                col(StoredDocument.deleted_at).is_(None),
            )
        ).all()
    )
    if len(documents) != len(wanted):
        raise DocumentNotFound
    for document in documents:
        document.container_kind = container_kind
        document.container_id = container_id
        session.add(document)
    session.flush()
    return sorted(documents, key=lambda d: d.id or 0)


def _live_document(session: Session, public_id: str) -> StoredDocument | None:
    if not isinstance(public_id, str) or not _PUBLIC_ID.fullmatch(public_id):
        return None
    return session.exec(
        select(StoredDocument).where(
            col(StoredDocument.public_id) == public_id, col(StoredDocument.deleted_at).is_(None)
        )
    ).first()


def _in_container(container_kind: str, container_id: int | None, owner_user_id: int | None) -> list:
    conditions = [
        col(StoredDocument.container_kind) == container_kind,
        col(StoredDocument.container_id).is_(None)
        if container_id is None
        else col(StoredDocument.container_id) == container_id,
        col(StoredDocument.deleted_at).is_(None),
    ]
    if owner_user_id is not None:
        conditions.append(col(StoredDocument.owner_user_id) == owner_user_id)
    return conditions
