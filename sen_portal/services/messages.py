"""Portal messages: one thread per submitted referral, between its professional and the SEN team.

Access is checked here, on every call, from the caller's user id: the referral's owner (a
professional) or any member of staff, and only once the referral has been submitted. Anything
else is ``ThreadNotFound``, the same answer as for a referral that does not exist.

Message text is never logged or audited: log lines and audit rows name ids only.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import case, func, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from sen_portal.config import Settings
from sen_portal.models import (
    ContainerKind,
    MessageSide,
    MessageThread,
    PortalMessage,
    Referral,
)
from sen_portal.models.messages import MESSAGE_MAX_CHARS
from sen_portal.services import audit, documents, message_alerts
from sen_portal.services.clock import Clock, system_clock
from sen_portal.services.message_access import (
    EMPTY_MESSAGE,
    TOO_LONG,
    MessageInvalid,
    ThreadNotFound,
    active_user,
    readable_referral,
    side_of,
)
from sen_portal.services.message_views import (
    Attachment,
    MessageView,
    ThreadSummary,
    attachment_in_own_thread,
    list_threads,
    messages_in,
    unread_count_for_user,
    unread_for_staff_by_referral,
)

log = logging.getLogger(__name__)

# Re-exported: callers use services.messages for the whole feature.
__all__ = [
    "EMPTY_MESSAGE",
    "MESSAGE_MAX_CHARS",
    "TOO_LONG",
    "Attachment",
    "MessageInvalid",
    "MessageView",
    "ThreadNotFound",
    "ThreadSummary",
    "attachment_in_own_thread",
    "list_threads",
    "mark_read",
    "messages_in",
    "post_message",
    "side_of",
    "thread_for",
    "unread_count_for_user",
    "unread_for_staff_by_referral",
]


def _ensure_thread(session: Session, referral: Referral, clock: Clock) -> MessageThread:
    """The referral's thread, created on first use (INSERT ... ON CONFLICT DO NOTHING: two first
    messages at once both end up in the one thread)."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(MessageThread)
        .values(
            referral_id=referral.id,
            created_at=clock(),
            professional_read_up_to=0,
            staff_read_up_to=0,
            professional_alert_pending=False,
            staff_alert_pending=False,
        )
        .on_conflict_do_nothing(index_elements=["referral_id"])
    )
    return session.exec(select(MessageThread).where(col(MessageThread.referral_id) == referral.id)).one()


def thread_for(
    session: Session, *, referral_public_id: str, user_id: int, clock: Clock = system_clock
) -> tuple[Referral, MessageThread]:
    """The referral and its thread if ``user_id`` may read it (else ``ThreadNotFound``)."""
    user = active_user(session, user_id)
    referral = readable_referral(session, user, referral_public_id)
    return referral, _ensure_thread(session, referral, clock)


def post_message(
    session: Session,
    *,
    referral_public_id: str,
    author_user_id: int,
    body: str,
    settings: Settings,
    attachment_ids: Sequence[int] = (),
    client_ip: str = "",
    clock: Clock = system_clock,
) -> PortalMessage:
    """Add a message to a referral's thread, attach the author's draft uploads, alert the other side.

    Either side may call it (the author's role decides which side they write for). Raises
    ``ThreadNotFound`` or ``MessageInvalid``; ``documents.DocumentNotFound`` if an attachment
    is not the author's unattached upload. Works in the caller's transaction.
    """
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise MessageInvalid({"body": [EMPTY_MESSAGE]})
    if len(text) > MESSAGE_MAX_CHARS:
        raise MessageInvalid({"body": [TOO_LONG]})
    author = active_user(session, author_user_id)
    referral = readable_referral(session, author, referral_public_id)
    thread = _ensure_thread(session, referral, clock)
    side = side_of(author)
    now = clock()
    message = PortalMessage(
        thread_id=thread.id or 0, author_user_id=author_user_id, author_side=side, body=text, created_at=now
    )
    session.add(message)
    session.flush()
    attached = documents.attach(
        session,
        document_ids=attachment_ids,
        owner_user_id=author_user_id,
        container_kind=ContainerKind.MESSAGE,
        container_id=message.id or 0,
    )
    # Read markers stay put: one's own messages never count as unread, and a message posted by the
    # system for a caseworker (a status change) must not mark the professional's replies as read.
    session.execute(
        update(MessageThread)
        .where(col(MessageThread.id) == thread.id)
        .values(last_message_at=now)
        .execution_options(synchronize_session=False)
    )
    audit.record(
        session,
        action=audit.AuditAction.MESSAGE_SENT,
        actor_user_id=author.id,
        actor_email=author.email,
        object_type="referral",
        object_id=referral.public_id,
        client_ip=client_ip,
        detail={"message_id": message.id, "side": str(side), "attachments": len(attached)},
        clock=clock,
    )
    recipient = MessageSide.PROFESSIONAL if side == MessageSide.STAFF else MessageSide.STAFF
    message_alerts.alert_if_first_unread(
        session, thread_id=thread.id or 0, referral=referral, recipient_side=recipient, settings=settings, clock=clock
    )
    log.info("message %s posted on thread %s by user %s (%s)", message.id, thread.id, author.id, side)
    return message


def mark_read(
    session: Session, *, referral_public_id: str, user_id: int, client_ip: str = "", clock: Clock = system_clock
) -> int:
    """Mark the thread read for the user's side; returns how many messages became read.

    Clears the side's alert flag, so the next new message emails again (and only one).
    """
    user = active_user(session, user_id)
    referral, thread = thread_for(session, referral_public_id=referral_public_id, user_id=user_id, clock=clock)
    side = side_of(user)
    other = MessageSide.PROFESSIONAL if side == MessageSide.STAFF else MessageSide.STAFF
    read_attr = MessageThread.staff_read_up_to if side == MessageSide.STAFF else MessageThread.professional_read_up_to
    pending_attr = (
        MessageThread.staff_alert_pending if side == MessageSide.STAFF else MessageThread.professional_alert_pending
    )
    latest = (
        session.exec(select(func.max(PortalMessage.id)).where(col(PortalMessage.thread_id) == thread.id)).one() or 0
    )
    already = thread.staff_read_up_to if side == MessageSide.STAFF else thread.professional_read_up_to
    newly_read = session.exec(
        select(func.count())
        .select_from(PortalMessage)
        .where(
            col(PortalMessage.thread_id) == thread.id,
            col(PortalMessage.id) > already,
            col(PortalMessage.id) <= latest,
            col(PortalMessage.author_side) == other,
        )
    ).one()
    # GREATEST by hand (SQLite has no GREATEST): never move a marker backwards past a racing reader.
    session.execute(
        update(MessageThread)
        .where(col(MessageThread.id) == thread.id)
        .values(
            {
                col(read_attr): case((col(read_attr) < latest, latest), else_=col(read_attr)),
                col(pending_attr): False,
            }
        )
        .execution_options(synchronize_session=False)
    )
    if newly_read:
        audit.record(
            session,
            action=audit.AuditAction.MESSAGE_READ,
            actor_user_id=user.id,
            actor_email=user.email,
            object_type="referral",
            object_id=referral.public_id,
            client_ip=client_ip,
            detail={"read_up_to": int(latest), "messages": int(newly_read), "side": str(side)},
            clock=clock,
        )
    return int(newly_read)
