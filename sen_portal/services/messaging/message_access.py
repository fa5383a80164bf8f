"""Who may read and write a referral's message thread (shared by services.messages and message_views)."""

from __future__ import annotations

import logging

from sqlmodel import Session, col, select

from sen_portal.models import MessageSide, Referral, UserAccount
from sen_portal.models.accounts import STAFF_ROLES
from sen_portal.models.messages import MESSAGE_MAX_CHARS
from sen_portal.models.referrals import ReferralStatus

log = logging.getLogger("sen_portal.services.messaging.messages")

EMPTY_MESSAGE = "Enter a message"
TOO_LONG = f"Your message must be {MESSAGE_MAX_CHARS} characters or fewer"


class ThreadNotFound(LookupError):
    """No such referral, not submitted yet, or not this user's: deliberately the same thing."""


class MessageInvalid(ValueError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("message is not valid")
        self.errors = errors


def side_of(user: UserAccount) -> MessageSide:
    return MessageSide.STAFF if user.role in STAFF_ROLES else MessageSide.PROFESSIONAL


def active_user(session: Session, user_id: int) -> UserAccount:
    user = session.get(UserAccount, user_id)
    if user is None or not user.is_active:
        raise ThreadNotFound("no such user")
    return user


def readable_referral(session: Session, user: UserAccount, referral_public_id: str) -> Referral:
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
