"""Maintenance notices: schedule, end, show (banner before and during the window), pause sign-in, email.

The banner's cache, window states and UK-time parsing are in services.notice_views (re-exported here).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from sen_portal import routes
from sen_portal.config import Settings
from sen_portal.email.notice_emails import maintenance_notice_email
from sen_portal.models import MaintenanceNotice, UserAccount
from sen_portal.models.notices import NOTICE_BODY_MAX, NOTICE_TITLE_MAX
from sen_portal.routes import absolute_url
from sen_portal.services import audit, unsubscribe
from sen_portal.services.branding import branding
from sen_portal.services.clock import Clock, system_clock
from sen_portal.services.email_text import body_text_error, header_text_error
from sen_portal.services.notice_views import (
    BANNER_CACHE_SECONDS,
    NoticeView,
    banner_notices,
    clear_banner_cache,
    parse_uk_time,
    window_state,
)
from sen_portal.services.outbox import UnsafeHeader, enqueue

__all__ = [
    "BANNER_CACHE_SECONDS",
    "NoticeEnded",
    "NoticeInvalid",
    "NoticeNotFound",
    "NoticeView",
    "all_notices",
    "banner_notices",
    "broadcast",
    "clear_banner_cache",
    "current_and_upcoming",
    "end_now",
    "parse_uk_time",
    "schedule",
    "sign_in_paused",
    "state_at",
]

log = logging.getLogger(__name__)

# A notice shows from when it is scheduled; this only bounds how far ahead the banner looks.
BANNER_LOOKAHEAD = timedelta(days=30)


class NoticeInvalid(ValueError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("notice is not valid")
        self.errors = errors


class NoticeNotFound(LookupError):
    pass


class NoticeEnded(ValueError):
    pass


def state_at(notice: MaintenanceNotice, now: datetime) -> str:
    """Where ``now`` falls: before the window, inside it (start inclusive, end exclusive), after it."""
    return window_state(notice.starts_at, notice.ends_at, now)


def _view(notice: MaintenanceNotice, now: datetime) -> NoticeView:
    return NoticeView(
        id=notice.id or 0,
        title=notice.title,
        body=notice.body,
        starts_at=notice.starts_at,
        ends_at=notice.ends_at,
        pause_sign_in=notice.pause_sign_in,
        emailed_at=notice.emailed_at,
        state=state_at(notice, now),
    )


def schedule(
    session: Session,
    *,
    title: str,
    body: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    pause_sign_in: bool,
    created_by_user_id: int,
    actor_email: str = "",
    client_ip: str = "",
    clock: Clock = system_clock,
) -> MaintenanceNotice:
    """Check and store a notice (``NoticeInvalid`` with errors per field); audited."""
    title, body = (title or "").strip(), (body or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["Enter a title"]
    elif len(title) > NOTICE_TITLE_MAX:
        errors["title"] = [f"Title must be {NOTICE_TITLE_MAX} characters or fewer"]
    elif problem := header_text_error(title, label="Title"):  # the title is the email's subject line
        errors["title"] = [problem]
    if not body:
        errors["body"] = ["Enter what users need to know"]
    elif len(body) > NOTICE_BODY_MAX:
        errors["body"] = [f"The notice must be {NOTICE_BODY_MAX} characters or fewer"]
    elif problem := body_text_error(body, label="The notice"):
        errors["body"] = [problem]
    if starts_at is None:
        errors["starts_at"] = ["Enter when the maintenance starts"]
    if ends_at is None:
        errors["ends_at"] = ["Enter when the maintenance ends"]
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = ["The end must be after the start"]
    elif ends_at <= clock():
        errors["ends_at"] = ["The end must be in the future"]
    if errors:
        raise NoticeInvalid(errors)
    assert starts_at is not None and ends_at is not None
    notice = MaintenanceNotice(
        title=title,
        body=body,
        starts_at=starts_at,
        ends_at=ends_at,
        pause_sign_in=bool(pause_sign_in),
        created_by_user_id=created_by_user_id,
        created_at=clock(),
    )
    session.add(notice)
    session.flush()
    audit.record(
        session,
        action=audit.AuditAction.NOTICE_SCHEDULED,
        actor_user_id=created_by_user_id,
        actor_email=actor_email,
        object_type="notice",
        object_id=notice.id or 0,
        client_ip=client_ip,
        detail={
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "pause_sign_in": notice.pause_sign_in,
        },
        clock=clock,
    )
    clear_banner_cache()
    return notice


def end_now(
    session: Session,
    *,
    notice_id: int,
    actor_user_id: int,
    actor_email: str = "",
    client_ip: str = "",
    clock: Clock = system_clock,
) -> bool:
    """End (or cancel, if it has not started) a notice now: the banner goes and sign-in resumes.

    False when it had already ended. A mistaken "pause sign-in" must be undoable from the page.
    """
    notice = session.get(MaintenanceNotice, notice_id)
    if notice is None:
        raise NoticeNotFound(notice_id)
    now = clock()
    if notice.ends_at <= now:
        return False
    was = state_at(notice, now)
    notice.starts_at = min(notice.starts_at, now)
    notice.ends_at = now
    session.add(notice)
    audit.record(
        session,
        action=audit.AuditAction.NOTICE_ENDED,
        actor_user_id=actor_user_id,
        actor_email=actor_email,
        object_type="notice",
        object_id=notice_id,
        client_ip=client_ip,
        detail={"was": was},
        clock=clock,
    )
    clear_banner_cache()
    return True


def current_and_upcoming(session: Session, *, clock: Clock = system_clock) -> list[NoticeView]:
    """Notices not yet ended, soonest first (what the banner shows)."""
    now = clock()
    notices = session.exec(
        select(MaintenanceNotice)
        .where(col(MaintenanceNotice.ends_at) > now, col(MaintenanceNotice.starts_at) < now + BANNER_LOOKAHEAD)
        .order_by(col(MaintenanceNotice.starts_at), col(MaintenanceNotice.id))
    ).all()
    return [_view(n, now) for n in notices]


def all_notices(session: Session, *, clock: Clock = system_clock, limit: int = 50) -> list[NoticeView]:
    """For the staff page: newest first, including ended ones."""
    now = clock()
    notices = session.exec(
        select(MaintenanceNotice).order_by(col(MaintenanceNotice.starts_at).desc()).limit(limit)
    ).all()
    return [_view(n, now) for n in notices]


def sign_in_paused(session: Session, *, now: datetime) -> NoticeView | None:
    """The active notice that pauses sign-in at ``now``, if any (checked by services.sign_in)."""
    notice = session.exec(
        select(MaintenanceNotice)
        .where(
            col(MaintenanceNotice.pause_sign_in).is_(True),
            col(MaintenanceNotice.starts_at) <= now,
            col(MaintenanceNotice.ends_at) > now,
        )
        .order_by(col(MaintenanceNotice.ends_at).desc())
    ).first()
    return _view(notice, now) if notice is not None else None


def broadcast(
    session: Session,
    *,
    notice_id: int,
    settings: Settings,
    actor_user_id: int,
    actor_email: str = "",
    client_ip: str = "",
    clock: Clock = system_clock,
) -> int | None:
    """Email the notice to every active, verified user who opted in; returns how many were queued
    (not how many were asked: an address that cannot be a header is skipped and counted apart).

    None when it was already emailed: ``emailed_at`` is claimed with a conditional UPDATE, so a
    double click (or two staff at once) cannot email everyone twice.
    """
    notice = session.get(MaintenanceNotice, notice_id)
    if notice is None:
        raise NoticeNotFound(notice_id)
    now = clock()
    if notice.ends_at <= now:
        raise NoticeEnded(notice_id)  # telling people about maintenance that is over only confuses them
    claimed = session.exec(
        update(MaintenanceNotice)
        .where(col(MaintenanceNotice.id) == notice_id, col(MaintenanceNotice.emailed_at).is_(None))
        .values(emailed_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return None
    users = session.exec(
        select(UserAccount)
        .where(
            col(UserAccount.maintenance_emails).is_(True),
            col(UserAccount.is_active).is_(True),
            col(UserAccount.email_verified_at).is_not(None),
        )
        .order_by(col(UserAccount.id))
    ).all()
    brand = branding(settings)
    queued = not_queued = 0
    for user in users:
        token = unsubscribe.token_for(settings, user_id=user.id or 0)
        message = maintenance_notice_email(
            to=user.email,
            title=notice.title,
            body=notice.body,
            starts_at=notice.starts_at,
            ends_at=notice.ends_at,
            pause_sign_in=notice.pause_sign_in,
            unsubscribe_link=absolute_url(settings, routes.UNSUBSCRIBE, token=token),
            one_click_link=absolute_url(settings, routes.UNSUBSCRIBE_ONE_CLICK, token=token),
            branding=brand,
        )
        try:
            enqueue(session, message, clock=clock)
        except UnsafeHeader:
            # An address stored before addresses were checked; counted apart so staff see it.
            not_queued += 1
            log.warning("maintenance notice %s not queued for user %s: unsafe address", notice_id, user.id)
            continue
        queued += 1
    audit.record(
        session,
        action=audit.AuditAction.NOTICE_EMAILED,
        actor_user_id=actor_user_id,
        actor_email=actor_email,
        object_type="notice",
        object_id=notice_id,
        client_ip=client_ip,
        detail={"recipients": queued, **({"not_queued": not_queued} if not_queued else {})},
        clock=clock,
    )
    log.info("maintenance notice %s emailed to %s users", notice_id, queued)
    return queued
