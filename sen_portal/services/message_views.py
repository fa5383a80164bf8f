"""Reading portal messages: a thread's messages, unread counts, the Messages page's list, and
whether a message attachment may be downloaded. Access rules are in services.message_access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, func
from sqlmodel import Session, col, select

from sen_portal.models import (
    ContainerKind,
    MessageSide,
    MessageThread,
    PortalMessage,
    Referral,
    StoredDocument,
    UserAccount,
)
from sen_portal.models.referrals import ReferralStatus
from sen_portal.services import documents
from sen_portal.services.message_access import active_user, side_of


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


def _unread_expression(side: MessageSide) -> ColumnElement[int]:
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
    user = active_user(session, user_id)
    side = side_of(user)
    query = (
        select(  # type: ignore[call-overload]  # SQLModel types select() for at most 4 columns
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


def attachment_in_own_thread(session: Session, *, document_id: int, user_id: int) -> bool:
    """True when the document is attached to a message about ``user_id``'s own sent referral.

    Only the professional's side: staff reach message attachments through their role
    (services.document_access), which also knows whether they still owe an authenticator app.
    """
    owner = session.exec(
        select(Referral.owner_user_id)
        .join(MessageThread, col(MessageThread.referral_id) == col(Referral.id))
        .join(PortalMessage, col(PortalMessage.thread_id) == col(MessageThread.id))
        .join(
            StoredDocument,
            (col(StoredDocument.container_id) == col(PortalMessage.id))
            & (col(StoredDocument.container_kind) == ContainerKind.MESSAGE),
        )
        .where(col(StoredDocument.id) == document_id, col(Referral.status) != ReferralStatus.DRAFT)
    ).first()
    if owner is None or owner != user_id:
        return False
    user = session.get(UserAccount, user_id)
    return user is not None and user.is_active


def unread_for_staff_by_referral(session: Session, *, referral_ids: list[int]) -> dict[int, int]:
    """Unread messages from professionals per referral (for the staff inbox's rows); absent = 0."""
    if not referral_ids:
        return {}
    rows = session.exec(
        select(MessageThread.referral_id, _unread_expression(MessageSide.STAFF))
        .select_from(PortalMessage)
        .join(MessageThread, col(MessageThread.id) == col(PortalMessage.thread_id))
        .where(col(MessageThread.referral_id).in_(referral_ids))
        .group_by(col(MessageThread.referral_id))
    ).all()
    return {int(referral_id): int(unread or 0) for referral_id, unread in rows if unread}
