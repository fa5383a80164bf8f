"""Portal messages: one thread per submitted referral, between its professional and the SEN team.

Access is checked here, on every call, from the caller's user id: the referral's owner (a
professional) or any member of staff, and only once the referral has been submitted. Anything
else is ``ThreadNotFound``, the same answer as for a referral that does not exist.

Message text is never logged or audited: log lines and audit rows name ids only.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

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
    StoredDocument,
    UserAccount,
    UserRole,
)
from sen_portal.models.messages import MESSAGE_MAX_CHARS
from sen_portal.models.referrals import ReferralStatus
from sen_portal.services import audit, documents, message_alerts
from sen_portal.services.clock import Clock, system_clock

log = logging.getLogger(__name__)

STAFF_ROLES = frozenset({UserRole.CASEWORKER, UserRole.ADMIN})
EMPTY_MESSAGE = "Enter a message"
TOO_LONG = f"Your message must be {MESSAGE_MAX_CHARS} characters or fewer"


class ThreadNotFound(LookupError):
    """No such referral, not submitted yet, or not this user's: deliberately the same thing."""


class MessageInvalid(ValueError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("message is not valid")
        self.errors = errors


@dataclass(frozen=True)
class Attachment:
    public_id: str
    name: str


@dataclass(frozen=True)
class MessageView:
    id: int
    side: str
    author_name: str
    body: str
    created_at: datetime
    attachments: tuple[Attachment, ...]


@dataclass(frozen=True)
class ThreadSummary:
    referral_public_id: str
    reference: str
    child_name: str
    message_count: int
    unread: int
    last_message_at: datetime | None


def side_of(user: UserAccount) -> MessageSide:
    return MessageSide.STAFF if user.role in STAFF_ROLES else MessageSide.PROFESSIONAL


def _active_user(session: Session, user_id: int) -> UserAccount:
    user = session.get(UserAccount, user_id)
    if user is None or not user.is_active:
        raise ThreadNotFound("no such user")
    return user


def _readable_referral(session: Session, user: UserAccount, referral_public_id: str) -> Referral:
    referral = session.exec(select(Referral).where(col(Referral.public_id) == (referral_public_id or "")[:32])).first()
    allowed = (
        referral is not None
        and referral.status != ReferralStatus.DRAFT
        and (side_of(user) == MessageSide.STAFF or referral.owner_user_id == user.id)
    )
    if not allowed or referral is None:
        log.warning("message thread refused: user %s, referral %r", user.id, str(referral_public_id)[:40])
        raise ThreadNotFound(referral_public_id)
    return referral


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
    user = _active_user(session, user_id)
    referral = _readable_referral(session, user, referral_public_id)
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
    author = _active_user(session, author_user_id)
    referral = _readable_referral(session, author, referral_public_id)
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
    # The author has read their own thread up to here (their own message never counts as unread).
    read_column = "staff_read_up_to" if side == MessageSide.STAFF else "professional_read_up_to"
    session.execute(
        update(MessageThread)
        .where(col(MessageThread.id) == thread.id)
        .values({"last_message_at": now, read_column: message.id})
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
    user = _active_user(session, user_id)
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
                read_attr.key: case((col(read_attr) < latest, latest), else_=col(read_attr)),
                pending_attr.key: False,
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


def messages_in(session: Session, *, thread: MessageThread) -> list[MessageView]:
    """The thread's messages, oldest first, with their attachments (access already checked)."""
    rows = session.exec(
        select(PortalMessage, UserAccount)
        .join(UserAccount, col(UserAccount.id) == col(PortalMessage.author_user_id))
        .where(col(PortalMessage.thread_id) == thread.id)
        .order_by(col(PortalMessage.id))
    ).all()
    views = []
    for message, author in rows:
        files = documents.documents_in(session, container_kind=ContainerKind.MESSAGE, container_id=message.id)
        name = author.full_name or author.email
        views.append(
            MessageView(
                id=message.id or 0,
                side=message.author_side,
                author_name=f"{name} (SEN team)" if message.author_side == MessageSide.STAFF else name,
                body=message.body,
                created_at=message.created_at,
                attachments=tuple(Attachment(d.public_id, d.original_name) for d in files),
            )
        )
    return views


def _unread_expression(side: MessageSide):
    """Per thread: messages from the other side past this side's read marker."""
    marker = MessageThread.staff_read_up_to if side == MessageSide.STAFF else MessageThread.professional_read_up_to
    other = MessageSide.PROFESSIONAL if side == MessageSide.STAFF else MessageSide.STAFF
    return func.sum(
        case(((col(PortalMessage.id) > col(marker)) & (col(PortalMessage.author_side) == other), 1), else_=0)
    )


def unread_count_for_user(session: Session, *, user_id: int) -> int:
    """Unread messages for the header: across the professional's referrals, or the whole team's."""
    user = session.get(UserAccount, user_id)
    if user is None:
        return 0
    side = side_of(user)
    query = (
        select(_unread_expression(side))
        .select_from(PortalMessage)
        .join(MessageThread, col(MessageThread.id) == col(PortalMessage.thread_id))
    )
    if side == MessageSide.PROFESSIONAL:
        query = query.join(Referral, col(Referral.id) == col(MessageThread.referral_id)).where(
            col(Referral.owner_user_id) == user_id
        )
    return int(session.exec(query).one() or 0)


def list_threads(session: Session, *, user_id: int) -> list[ThreadSummary]:
    """For the Messages page: a professional's submitted referrals (with or without messages), or,
    for staff, every thread that has messages. Unread first, then the newest conversation."""
    user = _active_user(session, user_id)
    side = side_of(user)
    query = (
        select(
            Referral.public_id,
            Referral.reference,
            Referral.child_name,
            func.count(col(PortalMessage.id)),
            func.coalesce(_unread_expression(side), 0),
            MessageThread.last_message_at,
        )
        .select_from(Referral)
        .outerjoin(MessageThread, col(MessageThread.referral_id) == col(Referral.id))
        .outerjoin(PortalMessage, col(PortalMessage.thread_id) == col(MessageThread.id))
        .where(col(Referral.status) != ReferralStatus.DRAFT)
        .group_by(col(Referral.id), Referral.public_id, Referral.reference, Referral.child_name)
        .group_by(MessageThread.last_message_at)
    )
    if side == MessageSide.PROFESSIONAL:
        query = query.where(col(Referral.owner_user_id) == user_id)
    else:
        query = query.where(col(MessageThread.last_message_at).is_not(None))
    rows = [
        ThreadSummary(public_id, reference or "", child or "", int(count), int(unread), last)
        for public_id, reference, child, count, unread, last in session.exec(query).all()
    ]
    return sorted(rows, key=lambda r: (r.unread == 0, -(r.last_message_at.timestamp() if r.last_message_at else 0)))


def attachment_visible_to(session: Session, *, document_id: int, user_id: int) -> bool:
    """True when the document is attached to a message in a thread ``user_id`` may read (for downloads)."""
    row = session.exec(
        select(Referral.public_id)
        .join(MessageThread, col(MessageThread.referral_id) == col(Referral.id))
        .join(PortalMessage, col(PortalMessage.thread_id) == col(MessageThread.id))
        .join(
            StoredDocument,
            (col(StoredDocument.container_id) == col(PortalMessage.id))
            & (col(StoredDocument.container_kind) == ContainerKind.MESSAGE),
        )
        .where(col(StoredDocument.id) == document_id)
    ).first()
    if row is None:
        return False
    try:
        _readable_referral(session, _active_user(session, user_id), row)
    except ThreadNotFound:
        return False
    return True
