"""One client-IP rule (sen_portal.client_ip) for HTTP routes and Reflex events alike.

The attacker controls everything left of what the trusted proxies appended; a wrong
hop count must never hand them the choice of address (rate limits, audit log).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from sen_portal import client_ip
from sen_portal.config import get_settings

pytestmark = pytest.mark.unit
PACKAGE = Path(__file__).resolve().parents[2] / "sen_portal"


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_ip.resolve("198.51.100.7", ["203.0.113.1"], hops=0) == "198.51.100.7"


def test_one_proxy_believes_only_the_entry_it_appended() -> None:
    # The client sent "X-Forwarded-For: 6.6.6.6"; nginx appended the real peer.
    assert client_ip.resolve("10.0.0.2", ["6.6.6.6, 203.0.113.9"], hops=1) == "203.0.113.9"


def test_two_proxies_count_two_hops_from_the_right() -> None:
    header = "1.1.1.1, 2.2.2.2, 203.0.113.9, 10.0.0.5"
    assert client_ip.resolve("10.0.0.6", [header], hops=2) == "203.0.113.9"


def test_repeated_headers_are_one_list_in_order() -> None:
    assert client_ip.resolve("10.0.0.2", ["6.6.6.6", "203.0.113.9"], hops=1) == "203.0.113.9"


def test_too_few_entries_fall_back_to_the_peer_not_to_a_client_value() -> None:
    assert client_ip.resolve("10.0.0.2", ["6.6.6.6"], hops=2) == "10.0.0.2"
    assert client_ip.resolve("10.0.0.2", [], hops=1) == "10.0.0.2"


def test_an_entry_that_is_not_an_address_falls_back_to_the_peer() -> None:
    assert client_ip.resolve("10.0.0.2", ["a-very-long-garbage-value-to-fill-a-bucket"], hops=1) == "10.0.0.2"
    assert client_ip.resolve("10.0.0.2", ["6.6.6.6, "], hops=1) == "6.6.6.6"  # empty parts are not entries


def test_ipv6_entries_are_normalised() -> None:
    assert client_ip.resolve("::1", ["2001:DB8:0:0::1"], hops=1) == "2001:db8::1"


@pytest.fixture
def one_hop(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_starlette_requests_and_reflex_routers_give_the_same_answer(one_hop: None) -> None:
    from starlette.requests import Request

    request = Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/",
            "headers": [(b"x-forwarded-for", b"6.6.6.6"), (b"x-forwarded-for", b"203.0.113.9")],
            "client": ("10.0.0.2", 5000),
        }
    )
    router = SimpleNamespace(
        headers=SimpleNamespace(
            raw_headers={"asgi-scope-client": "10.0.0.2", "x-forwarded-for": "6.6.6.6, 203.0.113.9"}
        )
    )
    assert client_ip.of_request(request) == client_ip.of_router(router) == "203.0.113.9"


# Everything that records or limits by address must ask sen_portal.client_ip. state/auth.py is being
# reworked on the identity branch; it reads Reflex's own client_ip, which follows the same
# TRUSTED_PROXY_HOPS (rxconfig) and is switched to client_ip.of_router when that branch lands.
# The mailbox and /metrics want the TCP peer itself (is this caller on this machine?): they ask
# client_ip.is_direct_loopback too.
ALLOWED = {"client_ip.py", "state/auth.py"}
DIRECT_READS = re.compile(r"request\.client\b|router\.session\.client_ip|[\"']x-forwarded-for[\"']", re.IGNORECASE)


def test_no_module_reads_the_address_by_itself() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in PACKAGE.rglob("*.py")
        if str(path.relative_to(PACKAGE)) not in ALLOWED
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if DIRECT_READS.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []
