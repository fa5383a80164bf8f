"""Issue 20 in a real browser: a hand-made event with a lone surrogate no longer loops the tab.

Before the inbound gate, ``'A\\ud800B'`` in the staff inbox search stayed in the tab's state;
UTF-8 cannot encode it, so no update (not even the next page's hydrate) could be sent, and
the page re-sent ``hydrate_and_load`` about 75 times a second, for ever.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.harness import CAPTURE_WEBSOCKET, Mailbox, Portal, send_event
from tests.e2e.journeys import create_staff_with_cli, sign_in


def _hydrates_sent(page: Page) -> int:
    return page.evaluate("window.__sent.filter((frame) => frame.includes('hydrate_and_load')).length")


def test_a_lone_surrogate_in_the_staff_search_does_not_loop_the_tab(
    page: Page, portal: Portal, mailbox: Mailbox
) -> None:
    from sen_portal.state.staff_inbox import StaffInboxState

    page.context.add_init_script(CAPTURE_WEBSOCKET)
    email = create_staff_with_cli(page, portal, mailbox)
    sign_in(page, mailbox, email)
    page.goto("/staff")
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals")
    expect(page.locator("#result-count")).to_contain_text("referral")

    received = page.evaluate("window.__received.length")
    form = {"__reflex_form_data__": [["q", "A\ud800B"], ["status", ""], ["sort", "received"]]}
    send_event(page, handler=f"{StaffInboxState.get_full_name()}.apply_filters", payload={"form_data": form})
    page.wait_for_function(f"window.__received.length > {received}")

    # The next page in the same tab loads, and stays loaded.
    page.goto("/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your dashboard")
    page.goto("/staff")
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals")
    expect(page.locator("#result-count")).to_contain_text("referral")
    page.wait_for_timeout(10_000)  # a looping tab sent ~750 hydrates in this time
    assert 1 <= _hydrates_sent(page) < 5  # the page did hydrate (the count is real), and only once or so
    assert "UnicodeEncodeError" not in portal.log_text()
