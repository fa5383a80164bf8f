"""The email that says a portal message is waiting: throttled to one per thread per side until read.

The email carries a sign-in link and the referral's reference only: never the message, never the
child's details (the builder does not even take them). Throttling is a conditional UPDATE of the
thread's ``*_alert_pending`` flag: of two messages posted at once, exactly one flips it and emails,
on SQLite and PostgreSQL alike. ``messages.mark_read`` clears the flag.
"""

from __future__ import annotations

import logging

from sqlalchemy import update
from sqlmodel import Session, col, select

from sen_portal import routes
from sen_portal.config import Settings
from sen_portal.email.message_emails import message_waiting_email
from sen_portal.models import MessageSide, MessageThread, Referral, UserAccount
from sen_portal.models.accounts import STAFF_ROLES
from sen_portal.routes import absolute_url
from sen_portal.services.branding import branding
from sen_portal.services.clock import Clock, system_clock
from sen_portal.services.outbox import enqueue

log = logging.getLogger(__name__)


def alert_if_first_unread(
    session: Session,
    *,
    thread_id: int,
    referral: Referral,
    recipient_side: MessageSide,
    settings: Settings,
    clock: Clock = system_clock,
) -> bool:
    """Queue the "message waiting" email(s) unless the side already has one it has not acted on."""
    flag = (
        MessageThread.staff_alert_pending
        if recipient_side == MessageSide.STAFF
        else MessageThread.professional_alert_pending
    )
    result = session.exec(
        update(MessageThread)
        .where(col(MessageThread.id) == thread_id, col(flag).is_(False))
        .values({col(flag): True})
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    link = absolute_url(settings, routes.MESSAGE_THREAD, id=referral.public_id)
    for address in recipients(session, referral=referral, side=recipient_side, settings=settings):
        message = message_waiting_email(
            to=address, reference=referral.reference or "", link=link, branding=branding(settings)
        )
        enqueue(session, message, clock=clock)
    log.info("message alert queued for thread %s (%s side)", thread_id, recipient_side)
    return True


def recipients(session: Session, *, referral: Referral, side: MessageSide, settings: Settings) -> list[str]:
    """Who hears about a new message: the referral's owner, or the SEN team.

    The team is SEN_TEAM_EMAIL when set (a shared mailbox), otherwise every active, verified
    staff account: small teams work without extra setup, larger ones point it at their inbox.
    """
    if side == MessageSide.PROFESSIONAL:
        owner = session.get(UserAccount, referral.owner_user_id)
        return [owner.email] if owner is not None and owner.is_active else []
    if settings.sen_team_email:
        return [settings.sen_team_email]
    staff = session.exec(
        select(UserAccount.email).where(
            col(UserAccount.role).in_(sorted(STAFF_ROLES)),
            col(UserAccount.is_active).is_(True),
            col(UserAccount.email_verified_at).is_not(None),
        )
    ).all()
    return sorted(staff)
