"""Who may download a stored document, and the audit line for each download.

The owner always may. Council staff may download what is part of a *sent* referral and
message attachments; a professional's draft (and anything not yet attached) stays theirs
alone until they send it. A professional may also download attachments in the message thread
of their own sent referral (what the SEN team sent them).
"""

from __future__ import annotations

from sqlmodel import Session

from sen_portal.models import ContainerKind, Referral, StoredDocument
from sen_portal.models.referrals import ReferralStatus
from sen_portal.services.messaging import message_views
from sen_portal.services.platform import audit


def may_download(session: Session, document: StoredDocument, *, user_id: int, is_staff: bool) -> bool:
    if document.owner_user_id == user_id:
        return True
    if not is_staff:
        # A professional may also fetch what the SEN team attached in their own referral's thread.
        return document.container_kind == ContainerKind.MESSAGE and message_views.attachment_in_own_thread(
            session, document_id=document.id or 0, user_id=user_id
        )
    if document.container_kind == ContainerKind.MESSAGE:
        return True
    if document.container_kind != ContainerKind.REFERRAL or document.container_id is None:
        return False
    referral = session.get(Referral, document.container_id)
    return referral is not None and referral.status != ReferralStatus.DRAFT


def record_download(
    session: Session, document: StoredDocument, *, user_id: int, email: str, client_ip: str = ""
) -> None:
    audit.record(
        session,
        action=audit.AuditAction.DOCUMENT_DOWNLOADED,
        actor_user_id=user_id,
        actor_email=email,
        object_type="document",
        object_id=document.public_id,
        client_ip=client_ip,
        detail={"container": document.container_kind, "own": document.owner_user_id == user_id},
    )
