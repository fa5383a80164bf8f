"""Notice display helpers: the window states, UK times from forms, and the banner's cache.

Every page shows the banner, so ``banner_notices`` keeps a short in-process cache: a page load
costs a dictionary lookup, not a query, and a new notice appears within ``BANNER_CACHE_SECONDS``
on every worker (each has its own cache; scheduling or ending a notice clears this worker's).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")
BANNER_CACHE_SECONDS = 30


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


def window_state(starts_at: datetime, ends_at: datetime, now: datetime) -> str:
    if now < starts_at:
        return "upcoming"
    if now < ends_at:
        return "active"
    return "ended"


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
    return [replace(n, state=window_state(n.starts_at, n.ends_at, now)) for n in cached[1] if n.ends_at > now]
