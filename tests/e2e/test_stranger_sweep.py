"""The sweep: every page that shows user data, opened with a stranger's socket and the owner's tab token.

For each page the owner's tab opens it first (the positive control: their name, and on request pages
the child's name, reach their frames), then closes. A stranger then presents that tab's token on
``hydrate_and_load`` of the same page, once signed out and once signed in as someone else. None of
the owner's personal data may be in any frame the stranger receives.
"""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from reflex.state import State

from tests.e2e.harness import Portal
from tests.e2e.journeys import sent_request
from tests.e2e.test_session_binding import _marker, _tab, signed_in_user_with_draft
from tests.run_async import run_async


def _pages(draft: str, sent: str) -> list[tuple[str, dict[str, str], bool]]:
    """(path, query, shows the child's name) for the professional's pages."""
    return [
        ("/dashboard", {}, False),
        ("/account", {}, False),
        ("/account/details", {}, False),
        ("/account/password", {}, False),
        ("/account/email", {}, False),
        ("/account/maintenance", {}, False),
        ("/account/authenticator", {}, False),
        ("/requests", {}, True),
        ("/requests/section", {"id": draft, "section": "about"}, False),
        ("/requests/check", {"id": draft}, False),
        ("/requests/view", {"id": sent}, False),
        ("/requests/sent", {"id": sent}, False),
        ("/messages", {}, False),
    ]


def _staff_pages(sent: str) -> list[tuple[str, dict[str, str], bool]]:
    return [
        ("/staff", {}, True),
        ("/staff/referral", {"id": sent}, True),
        ("/staff/accounts", {}, False),
        ("/staff/audit", {}, False),
        ("/staff/notices", {}, False),
        ("/staff/forms", {}, False),
        ("/staff/lookups", {}, False),
    ]


async def _visit(portal: Portal, *, token: str, cookie: str, path: str, query: dict[str, str], until) -> str:
    client = await _tab(portal, token=token, cookie=cookie)
    await client.send_event(f"{State.get_full_name()}.hydrate_and_load", {}, path, query)
    seen = ""
    while not until(seen):
        seen += json.dumps(await asyncio.wait_for(client.until_final(), 60))
    await client.close()
    return seen


@pytest.mark.parametrize("stranger", ["signed out", "another user"])
def test_no_page_hands_its_owners_data_to_a_stranger_with_the_tab_token(portal: Portal, stranger: str) -> None:
    owner = _marker()
    owner_email, owner_cookie, draft, owner_id = signed_in_user_with_draft(portal, first_name=owner)
    child = _marker()
    sent, reference = sent_request(portal, owner_id=owner_id, child_name=f"{child} Rivers")
    staff = _marker()
    staff_email, staff_cookie, _, _ = signed_in_user_with_draft(portal, first_name=staff, role="admin")
    other = _marker()
    other_cookie = signed_in_user_with_draft(portal, first_name=other)[1] if stranger == "another user" else ""

    def stranger_done(text: str) -> bool:
        refused = ('"not_found_rx_state_": true', '"refused_rx_state_": true', "_redirect")
        return any(sign in text for sign in refused) or (bool(other_cookie) and other in text)

    leaks = []
    for cookie, name, email, pages in (
        (owner_cookie, owner, owner_email, _pages(draft, sent)),
        (staff_cookie, staff, staff_email, _staff_pages(sent)),
    ):
        for path, query, shows_child in pages:
            token = str(uuid.uuid4())

            def owner_done(text: str, name: str = name, shows_child: bool = shows_child) -> bool:
                return name in text and (child in text or not shows_child)

            run_async(_visit(portal, token=token, cookie=cookie, path=path, query=query, until=owner_done))
            seen = run_async(
                _visit(portal, token=token, cookie=other_cookie, path=path, query=query, until=stranger_done)
            )
            leaks += [(path, personal) for personal in (name, email, child, reference) if personal in seen]
    assert leaks == []
