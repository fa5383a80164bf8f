"""Brute-force limits for signing in, counted in the database (``rate_limit_event``).

**Per account.** Failed attempts are counted against the *email address typed*
(hashed into the bucket name), never the client IP, so a different
``X-Forwarded-For`` does not reset the count; and unknown addresses are throttled
exactly like real ones, so a lock reveals nothing about who has an account.
Five failures within 15 minutes make the next attempt wait 2 seconds; every further
failure after the wait doubles it (4, 8, 16 ... seconds), **capped at one minute**. A
delay, never a lock-out: anyone can type a colleague's address, so a longer lock would let
them keep the colleague out all day; at one guess a minute the deny-listed 12+ character
password and the emailed code still hold. Once the account has been quiet for 15 minutes
after its last wait ended, the count starts again. Attempts made while waiting are
refused without checking the password and are not counted, so hammering a slowed
account neither extends the wait nor costs a bcrypt hash.

**Per IP.** At most 50 failures in 15 minutes from one address (an IPv6 client
counts as its /64, which one machine can easily own). This slows password
spraying across many accounts, and is the hard limit a single guesser meets; its
message says it is about the network, not the account. No IP (a test or a misconfigured proxy) means no IP limit,
rather than one bucket shared by everyone.

A successful sign-in clears the account's count; an IP's count just ages out.
Two requests at the same instant can both pass the check before either records
its failure (a few extra guesses at most); accepted rather than holding a lock
across the 0.3 s bcrypt check.
"""

from __future__ import annotations

import ipaddress
import math
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from sen_portal.services import rate_limits
from sen_portal.services.clock import Clock, system_clock

ACCOUNT_LIMIT = 5
ACCOUNT_WINDOW = timedelta(minutes=15)
FIRST_WAIT = timedelta(seconds=2)
MAX_WAIT = timedelta(minutes=1)
# How far back failures are read; rate_limits.prune keeps a day of events.
LOOKBACK = timedelta(hours=24)

IP_LIMIT = 50
IP_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class AccountState:
    failures: int  # in the current run of failures
    locked_until: datetime | None  # None when not locked (now or at the last failure)

    def retry_after(self, now: datetime) -> timedelta | None:
        if self.locked_until is None or now >= self.locked_until:
            return None
        return self.locked_until - now


def account_bucket(email: str) -> str:
    """The bucket for an address as typed (normalised by the caller when it can be)."""
    return rate_limits.bucket_key("sign_in_fail", "account", rate_limits.hashed_part(email.strip().lower()))


def ip_bucket(ip: str) -> str | None:
    """The bucket for a client address; IPv6 grouped by /64. None when there is no address."""
    raw = (ip or "").strip()
    if not raw:
        return None
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        part = raw[:45]
    else:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
            part = str(ipaddress.ip_network(f"{address}/64", strict=False))
        else:
            part = str(getattr(address, "ipv4_mapped", None) or address)
    return rate_limits.bucket_key("sign_in_fail", "ip", part)


def wait_after(failures: int) -> timedelta:
    """The wait after the ``failures``-th failure in a run: 0 below the limit, then 2, 4, 8 ... seconds, capped."""
    if failures < ACCOUNT_LIMIT:
        return timedelta(0)
    doublings = min(failures - ACCOUNT_LIMIT, 20)  # 2**20 minutes is far past the cap; keeps the int small
    return min(FIRST_WAIT * (2**doublings), MAX_WAIT)


def account_state(times: list[datetime]) -> AccountState:
    """Replay failure times (oldest first) into the current run and its lock.

    A run starts when ``ACCOUNT_LIMIT`` failures fall within ``ACCOUNT_WINDOW``; while a
    run lasts, each failure sets a new, doubled wait; a run ends when ``ACCOUNT_WINDOW``
    passes after its wait without another failure.
    """
    recent: deque[datetime] = deque()
    run = 0  # failures counted in the current locking run (0: no run)
    locked_until: datetime | None = None
    for when in times:
        if run and locked_until is not None and when > locked_until + ACCOUNT_WINDOW:
            run, locked_until = 0, None
        if run:
            run += 1
            locked_until = when + wait_after(run)
            continue
        recent.append(when)
        while recent and recent[0] <= when - ACCOUNT_WINDOW:
            recent.popleft()
        if len(recent) >= ACCOUNT_LIMIT:
            run = ACCOUNT_LIMIT
            locked_until = when + wait_after(run)
            recent.clear()
    if run:
        return AccountState(failures=run, locked_until=locked_until)
    return AccountState(failures=len(recent), locked_until=None)


def _account(session: Session, email: str, clock: Clock) -> AccountState:
    times = rate_limits.recent_times(session, account_bucket(email), window=LOOKBACK, clock=clock)
    return account_state(times)


def account_retry_after(session: Session, *, email: str, clock: Clock = system_clock) -> timedelta | None:
    """How long the account for ``email`` stays locked, or None when it may try now."""
    now = clock()
    delay = _account(session, email, clock).retry_after(now)
    # A clock that stepped backwards (NTP) must never lock anyone for longer than the cap.
    return None if delay is None else min(delay, MAX_WAIT)


def ip_retry_after(session: Session, *, ip: str, clock: Clock = system_clock) -> timedelta | None:
    """How long the client address must wait, or None."""
    bucket = ip_bucket(ip)
    if bucket is None:
        return None
    times = rate_limits.recent_times(session, bucket, window=IP_WINDOW, clock=clock)
    if len(times) < IP_LIMIT:
        return None
    frees_at = times[len(times) - IP_LIMIT] + IP_WINDOW
    return max(frees_at - clock(), timedelta(seconds=1))


def record_failure(session: Session, *, email: str, ip: str = "", clock: Clock = system_clock) -> bool:
    """Count one failure against the address (and the IP, if any). True when it *started* a lock.

    The caller emails the owner on True: once per lock, however many times it is extended.
    """
    rate_limits.record(session, account_bucket(email), clock=clock)
    bucket = ip_bucket(ip)
    if bucket is not None:
        rate_limits.record(session, bucket, clock=clock)
    state = _account(session, email, clock)
    return state.failures == ACCOUNT_LIMIT and state.locked_until is not None


def clear_account(session: Session, *, email: str) -> None:
    """Forget the account's failures (after a successful sign-in or a password reset)."""
    rate_limits.clear(session, account_bucket(email))


def whole_seconds(delay: timedelta) -> int:
    """A wait for display, rounded up so "0 seconds" is never shown while still locked."""
    return max(1, math.ceil(delay.total_seconds()))
