"""One-click unsubscribe from maintenance emails, without signing in (RFC 8058).

The token is ``<user id>.<HMAC-SHA256(user id)>`` under a key derived from SECRET_KEY for this
purpose only (services.server_keys), so it cannot be forged, cannot be used for anything else
(no other feature's key signs the same thing), needs no database row and keeps working from
every past email. Unsubscribing is idempotent: a second click (or a mail scanner's replay of the
one-click POST) finds the preference already off and says so.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

from sqlmodel import Session

from sen_portal.config import Settings
from sen_portal.inbound.emails import mask_email
from sen_portal.models import UserAccount
from sen_portal.services.platform import audit
from sen_portal.services.platform.clock import Clock, system_clock
from sen_portal.services.platform.server_keys import keyed_hash

PURPOSE = "unsubscribe-maintenance-emails"
_TOKEN = re.compile(r"([1-9][0-9]{0,11})\.([0-9a-f]{64})")


@dataclass(frozen=True)
class UnsubscribeResult:
    ok: bool
    was_subscribed: bool = False
    masked_email: str = ""


def token_for(settings: Settings, *, user_id: int) -> str:
    return f"{user_id}.{keyed_hash(settings, PURPOSE, str(user_id))}"


def user_id_from(settings: Settings, token: str) -> int | None:
    """The user a token was made for, or None if it is malformed, forged or for another purpose."""
    match = _TOKEN.fullmatch(token or "") if isinstance(token, str) else None
    if match is None:
        return None
    expected = keyed_hash(settings, PURPOSE, match.group(1))
    return int(match.group(1)) if hmac.compare_digest(expected, match.group(2)) else None


def unsubscribe(
    session: Session, *, token: str, settings: Settings, client_ip: str = "", clock: Clock = system_clock
) -> UnsubscribeResult:
    """Turn maintenance emails off for the token's user; ``ok`` False for a bad token."""
    user_id = user_id_from(settings, token)
    user = session.get(UserAccount, user_id) if user_id is not None else None
    if user is None:
        return UnsubscribeResult(ok=False)
    was_subscribed = user.maintenance_emails
    if was_subscribed:
        user.maintenance_emails = False
        user.updated_at = clock()
        session.add(user)
        audit.record(
            session,
            action=audit.AuditAction.NOTICE_UNSUBSCRIBED,
            actor_user_id=user.id,
            actor_email=user.email,
            object_type="user",
            object_id=user.id or 0,
            client_ip=client_ip,
            detail={"via": "email_link"},
            clock=clock,
        )
    return UnsubscribeResult(ok=True, was_subscribed=was_subscribed, masked_email=mask_email(user.email))
