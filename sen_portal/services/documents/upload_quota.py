"""How much one account may still upload: a total across its draft requests and unsent messages.

Per-file and per-request caps (MAX_FILE_MB, MAX_REFERRAL_MB) bound one container; without an account
total, one account could fill the document store with many drafts. A professional not yet approved
gets the smaller MAX_UNAPPROVED_UPLOAD_MB. Sent requests and sent messages do not count: they are
the council's record.
"""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from sen_portal.config import Settings
from sen_portal.models import ContainerKind, Referral, StoredDocument, UserAccount
from sen_portal.services.documents.document_upload import MB


def unsent_bytes(session: Session, *, user_id: int) -> int:
    """Bytes of the user's live files in draft requests and waiting for a message."""
    drafts = select(Referral.id).where(Referral.owner_user_id == user_id, Referral.status == "draft")
    query = select(func.coalesce(func.sum(StoredDocument.size_bytes), 0)).where(
        StoredDocument.owner_user_id == user_id,
        col(StoredDocument.deleted_at).is_(None),
        or_(
            col(StoredDocument.container_kind) == ContainerKind.DRAFT,
            (col(StoredDocument.container_kind) == ContainerKind.REFERRAL)
            & col(StoredDocument.container_id).in_(drafts),
        ),
    )
    return int(session.exec(query).one())


def account_room(session: Session, *, user_id: int, settings: Settings) -> int:
    """Bytes the account may still add (0 or less: full)."""
    user = session.get(UserAccount, user_id)
    approved = user is not None and user.approval_status == "approved"
    cap_mb = settings.max_account_upload_mb if approved else settings.max_unapproved_upload_mb
    return cap_mb * MB - unsent_bytes(session, user_id=user_id)
