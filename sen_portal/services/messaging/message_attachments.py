"""Files attached to a portal message: streamed and checked exactly like referral documents.

A file arrives before its message exists, so it is stored as the author's *draft* document
(``ContainerKind.DRAFT``) and moved onto the message by ``messages.post_message``, which only
accepts the author's own unattached drafts. The caller (the thread page's state) keeps the ids
server-side, so a browser cannot name someone else's file.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from sen_portal.config import Settings, get_settings
from sen_portal.db import session_scope
from sen_portal.models import ContainerKind, StoredDocument
from sen_portal.services.documents import streaming as documents
from sen_portal.services.documents import upload_quota
from sen_portal.services.messaging import messages
from sen_portal.services.platform.clock import Clock, system_clock


@dataclass(frozen=True)
class PendingFile:
    id: int
    public_id: str
    name: str


@dataclass(frozen=True)
class AttachmentOutcome:
    message: str
    refused: bool
    file: PendingFile | None


def _pending_totals(user_id: int, referral_public_id: str, pending_ids: list[int]) -> tuple[int, int, int]:
    """Access check, then what this message already holds (the caps are per message) and the account's room."""
    with session_scope() as session:
        messages.thread_for(session, referral_public_id=referral_public_id, user_id=user_id)
        rows = documents.documents_in(
            session, container_kind=ContainerKind.DRAFT, container_id=None, owner_user_id=user_id
        )
        mine = [d for d in rows if d.id in set(pending_ids)]
        room = upload_quota.account_room(session, user_id=user_id, settings=get_settings())
        return len(mine), sum(d.size_bytes for d in mine), room


def _finish(writer: documents.UploadWriter) -> StoredDocument:
    with session_scope() as session:
        return writer.finish(session, container_kind=ContainerKind.DRAFT, container_id=None)


async def receive_attachment(
    user_id: int, referral_public_id: str, pending_ids: list[int], chunks: AsyncIterator[Any]
) -> AttachmentOutcome:
    """Stream one file; refused at once when a cap or the file type says no."""
    settings = get_settings()
    try:
        count, size, room = await asyncio.to_thread(_pending_totals, user_id, referral_public_id, pending_ids)
    except messages.ThreadNotFound:
        return AttachmentOutcome("You cannot add files to this conversation", True, None)
    try:
        document = await documents.stream_upload(
            settings,
            chunks,
            owner_user_id=user_id,
            already_stored_bytes=size,
            already_stored_count=count,
            finish=_finish,
            account_room_bytes=room,
        )
    except documents.UploadRefused as refused:
        return AttachmentOutcome(refused.message, True, None)
    if document is None:
        return AttachmentOutcome("Select a file to attach", True, None)
    file = PendingFile(document.id or 0, document.public_id, document.original_name)
    return AttachmentOutcome(f"{file.name} is ready to send with your message.", False, file)


def remove_pending(user_id: int, document_public_id: str) -> bool:
    """Remove a file that has not been sent yet (only the uploader's own unattached draft)."""
    with session_scope() as session:
        try:
            documents.mark_deleted(
                session,
                get_settings(),
                public_id=document_public_id,
                can_delete=lambda d: d.owner_user_id == user_id and d.container_kind == ContainerKind.DRAFT,
            )
        except documents.DocumentNotFound:
            return False
    return True


DRAFT_RETENTION = timedelta(days=2)


def discard_abandoned(session: Session, settings: Settings, *, clock: Clock = system_clock) -> int:
    """Housekeeping: files attached to a message that was never sent (drafts older than
    DRAFT_RETENTION) are marked deleted and their bytes removed once the transaction commits."""
    stale = session.exec(
        select(StoredDocument.public_id).where(
            col(StoredDocument.container_kind) == ContainerKind.DRAFT,
            col(StoredDocument.deleted_at).is_(None),
            col(StoredDocument.created_at) < clock() - DRAFT_RETENTION,
        )
    ).all()
    for public_id in stale:
        documents.mark_deleted(session, settings, public_id=public_id, can_delete=lambda _d: True, clock=clock)
    return len(stale)
