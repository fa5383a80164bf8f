"""Maintenance notices: schedule, show (banner before and during the window), pause sign-in, email.

Every page shows the banner, so ``banner_notices`` keeps a short in-process cache: a page load
costs a dictionary lookup, not a query, and a new notice appears within ``BANNER_CACHE_SECONDS``
on every worker (each has its own cache; ``schedule`` clears this worker's at once).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

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
from sen_portal.services.outbox import enqueue

log = logging.getLogger(__name__)

UK = ZoneInfo("Europe/London")
BANNER_CACHE_SECONDS = 30
# A notice shows from when it is scheduled; this only bounds how far ahead the banner looks.
BANNER_LOOKAHEAD = timedelta(days=30)


class NoticeInvalid(ValueError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("notice is not valid")
        self.errors = errors


class NoticeNotFound(LookupError):
    pass


@dataclass(frozen=True)
class NoticeView:
    id: int
    title: str
    body: str
    starts_at: datetime
    ends_at: datetime
    pause_sign_in: bool
    emailed_at: datetime | None
    state: str  # "upcoming" | "active" | "ended"


def parse_uk_time(value: str) -> datetime | None:
    """A ``datetime-local`` form value ("2026-05-01T18:00") read as UK time (GMT/BST), in UTC.

    Staff think in UK time; the browser sends no zone. None when it is not a date and time.
    """
    try:
        parsed = datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        return None
    return parsed.replace(tzinfo=UK).astimezone(UTC)


def state_at(notice: MaintenanceNotice, now: datetime) -> str:
    """Where ``now`` falls: before the window, inside it (start inclusive, end exclusive), after it."""
    return _state(notice.starts_at, notice.ends_at, now)


def _state(starts_at: datetime, ends_at: datetime, now: datetime) -> str:
    if now < starts_at:
        return "upcoming"
    if now < ends_at:
        return "active"
    return "ended"


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
    if not body:
        errors["body"] = ["Enter what users need to know"]
    elif len(body) > NOTICE_BODY_MAX:
        errors["body"] = [f"The notice must be {NOTICE_BODY_MAX} characters or fewer"]
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
    """Email the notice to every active, verified user who opted in; returns how many were queued.

    None when it was already emailed: ``emailed_at`` is claimed with a conditional UPDATE, so a
    double click (or two staff at once) cannot email everyone twice.
    """
    notice = session.get(MaintenanceNotice, notice_id)
    if notice is None:
        raise NoticeNotFound(notice_id)
    now = clock()
    claimed = session.execute(
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
        enqueue(session, message, clock=clock)
    audit.record(
        session,
        action=audit.AuditAction.NOTICE_EMAILED,
        actor_user_id=actor_user_id,
        actor_email=actor_email,
        object_type="notice",
        object_id=notice_id,
        client_ip=client_ip,
        detail={"recipients": len(users)},
        clock=clock,
    )
    log.info("maintenance notice %s emailed to %s users", notice_id, len(users))
    return len(users)


# ---- the banner's cache -------------------------------------------------------------------

_cache_lock = threading.Lock()
_cache: tuple[float, list[NoticeView]] | None = None


def clear_banner_cache() -> None:
    global _cache
    with _cache_lock:
        _cache = None


def banner_notices(
    load: Callable[[], Iterable[NoticeView]], *, now: datetime, monotonic: Callable[[], float] = time.monotonic
) -> list[NoticeView]:
    """Cached ``current_and_upcoming``: ``load()`` runs at most every BANNER_CACHE_SECONDS per worker.

    Notices that ended since the cache was filled are dropped by ``now`` without a query.
    """
    global _cache
    with _cache_lock:
        cached = _cache
    if cached is None or monotonic() - cached[0] > BANNER_CACHE_SECONDS:
        cached = (monotonic(), list(load()))
        with _cache_lock:
            _cache = cached
    return [replace(n, state=_state(n.starts_at, n.ends_at, now)) for n in cached[1] if n.ends_at > now]
