"""Security headers on every kind of response the running portal makes, and a CSP the built app
lives with: every page, signed out and signed in as an admin, loads in Chromium without a single
CSP violation (the policy allows inline scripts only by the hashes of the built ones)."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from sen_portal import routes
from tests.e2e.harness import Mailbox, Portal, create_account
from tests.e2e.journeys import PASSWORD, new_email, sign_in

EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
PAGES = [
    routes.HOME, routes.ACCESSIBILITY, routes.PRIVACY, routes.CONTACT, routes.REGISTER, routes.REGISTER_ACCOUNT,
    routes.REGISTER_WORK, routes.REGISTER_CHECK, routes.REGISTER_CHECK_EMAIL, routes.VERIFY_EMAIL, routes.SIGN_IN,
    routes.SIGN_IN_CODE, routes.SIGNED_OUT, routes.FORGOTTEN_PASSWORD, routes.RESET_PASSWORD,
    routes.CONFIRM_EMAIL_CHANGE, routes.DASHBOARD, routes.ACCOUNT, routes.ACCOUNT_DETAILS, routes.ACCOUNT_PASSWORD,
    routes.ACCOUNT_EMAIL, routes.ACCOUNT_MAINTENANCE, routes.ACCOUNT_AUTHENTICATOR, routes.MY_REFERRALS,
    routes.NEW_REFERRAL, routes.MESSAGES, routes.UNSUBSCRIBE, routes.STAFF_INBOX, routes.STAFF_ACCOUNTS,
    routes.STAFF_AUDIT, routes.STAFF_NOTICES, routes.STAFF_FORMS, routes.STAFF_LOOKUPS, "/no-such-page",
]  # fmt: skip
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


def fetch(portal: Portal, path: str, method: str = "GET", headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    request = urllib.request.Request(
        portal.url + path, method=method, headers=headers or {}, data=b"" if method == "POST" else None
    )
    try:
        return urllib.request.urlopen(request, timeout=20)
    except urllib.error.HTTPError as error:
        return error


def test_every_kind_of_response_carries_the_headers(page: Page, portal: Portal) -> None:
    page.goto("/")
    asset = page.evaluate("[...document.querySelectorAll('link[href*=\"/assets/\"]')].map(l => l.href)[0]")
    asset = re.sub(r"^https?://[^/]+", "", asset)
    responses = {
        "page": fetch(portal, "/"),
        "404 page": fetch(portal, "/no-such-page"),
        "asset": fetch(portal, asset),
        "stylesheet": fetch(portal, "/portal.css"),
        "health": fetch(portal, "/health"),
        "download refused": fetch(portal, "/documents/not-a-document"),
        "export refused": fetch(portal, "/api/staff/inbox.csv"),
        "upload refused": fetch(portal, "/_upload", "POST", {"Reflex-Client-Token": "x"}),
        "uploaded files": fetch(portal, "/_upload/anything.pdf"),
        "session": fetch(portal, "/api/session", "POST"),
        "mailbox": fetch(portal, "/dev/mailbox"),
    }
    for what, response in responses.items():
        for name, value in EXPECTED.items():
            assert response.headers.get(name) == value, (what, name, response.headers.get(name))
        assert "frame-ancestors 'none'" in response.headers.get("Content-Security-Policy", ""), what
    assert responses["404 page"].status == 404
    assert "script-src 'self' 'unsafe-eval' 'sha256-" in responses["page"].headers["Content-Security-Policy"]


def visit_all(page: Page) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in PAGES:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__csp")
        if violations:
            found[path] = violations
    return found


def test_every_page_loads_without_a_csp_violation(page: Page, portal: Portal, mailbox: Mailbox) -> None:
    page.context.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    assert visit_all(page) == {}

    email = new_email("admin", "council.example.gov.uk")
    create_account(portal, email=email, password=PASSWORD, role="admin")
    sign_in(page, mailbox, email, lands_on="Your dashboard")
    assert visit_all(page) == {}
    assert console == []


def non_loopback_address() -> str | None:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("198.51.100.1", 9))  # no packet is sent: this only picks the outgoing interface
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def test_the_portal_listens_on_loopback_only(portal: Portal) -> None:
    # BIND_ADDRESS defaults to 127.0.0.1: the development portal and its mailbox are not on the network.
    import socket
    from urllib.parse import urlparse

    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address to try")
    port = urlparse(portal.url).port
    assert fetch(portal, "/health").status == 200  # positive control: reachable on loopback
    with pytest.raises(OSError), socket.create_connection((address, port), timeout=5):
        pass
