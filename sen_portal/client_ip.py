"""The client's address: one rule for every HTTP route and every Reflex event.

Rate limits, the audit log, downloads, the CSV export, ``/api/session`` and unsubscribe all
ask here, so a spoofed ``X-Forwarded-For`` cannot buy one of them a fresh address while the
others see the real one.

The rule (``TRUSTED_PROXY_HOPS`` = N): with N = 0 the header is ignored and the TCP peer is
the client. With N proxies in front, each *appends* the address it received the request
from, so the client is the N-th entry from the right; anything further left was written by
the client and is never believed. Too few entries (a request that bypassed a proxy) or an
entry that is not an IP address fall back to the TCP peer rather than to a client-chosen value.
This module imports neither Reflex nor Starlette, so services and tests can use it directly.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from sen_portal.config import get_settings

# Reflex puts the socket's TCP peer into the router headers under this name (reflex/app.py).
REFLEX_PEER_HEADER = "asgi-scope-client"


def resolve(peer: str, forwarded_for: Iterable[str], *, hops: int) -> str:
    """The client address given the TCP ``peer`` and every ``X-Forwarded-For`` value, in order."""
    if hops <= 0:
        return peer
    entries = [part.strip() for value in forwarded_for for part in value.split(",") if part.strip()]
    if len(entries) < hops:
        return peer
    candidate = entries[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return peer


def of_request(request: Any) -> str:
    """The client address of a Starlette request (downloads, export, session, unsubscribe)."""
    peer = request.client.host if request.client else ""
    return resolve(peer, request.headers.getlist("x-forwarded-for"), hops=get_settings().trusted_proxy_hops)


# A proxy on the same machine connects from 127.0.0.1 but speaks for someone else.
_PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


def is_direct_loopback(request: Any) -> bool:
    """True only when this machine itself made the request, with no proxy in between.

    For the operator's own endpoints (/metrics, the development mailbox): the question is "is the
    TCP peer this machine?", not "who is the client?", so no forwarded header is ever believed.
    """
    if any(name in request.headers for name in _PROXY_HEADERS) or request.client is None:
        return False
    try:
        return ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False


def of_headers(headers: Mapping[str, str]) -> str:
    """The client address from Reflex's router headers (``self.router.headers.raw_headers``)."""
    peer = headers.get(REFLEX_PEER_HEADER, "")
    forwarded = headers.get("x-forwarded-for", "")
    return resolve(peer, [forwarded] if forwarded else [], hops=get_settings().trusted_proxy_hops)


def of_router(router: Any) -> str:
    """The client address of the websocket behind a Reflex event (``self.router``)."""
    return of_headers(router.headers.raw_headers)
