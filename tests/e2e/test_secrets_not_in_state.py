"""Passwords typed on the change-password page never rest in page state (issue 12, item 2).

A real browser types the current, new and confirmation passwords (a wrong attempt, then a right
one); afterwards neither the stored state of any tab (the disk state manager's ``.states`` files,
read directly) nor any update the server sent holds them. The positive control: the same storage
does hold the page's ordinary data (the user's name), so the files read are the ones written.
"""

from __future__ import annotations

import time
import uuid

from playwright.sync_api import Page, expect

from tests.e2e.harness import CAPTURE_WEBSOCKET, PROJECT_ROOT, Mailbox, Portal, create_account
from tests.e2e.journeys import sign_in


def _stored_states() -> bytes:
    folder = PROJECT_ROOT / ".states"
    return b"".join(path.read_bytes() for path in folder.glob("*.pkl")) if folder.exists() else b""


def test_change_password_leaves_no_password_in_state_or_updates(page: Page, portal: Portal, mailbox: Mailbox) -> None:
    first_name = "Ottoline" + uuid.uuid4().hex[:6].translate(str.maketrans("0123456789", "abcdefghij"))
    email = f"senco-{uuid.uuid4().hex[:8]}@school.example.org"
    # Unique per run: the .states folder is shared by every portal this checkout has run.
    current, new, wrong = (f"{words} {uuid.uuid4().hex[:10]}" for words in ("amber falcon", "quartz harbour", "not it"))
    create_account(portal, email=email, password=current, first_name=first_name)
    sign_in(page, mailbox, email, current)
    page.context.add_init_script(CAPTURE_WEBSOCKET)  # from the account page on (sign-in is not this test's)

    page.goto("/account/password")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    page.get_by_label("Current password").fill(wrong)
    page.get_by_label("New password", exact=True).fill(new)
    expect(page.locator("#password-rules li.unmet")).to_have_count(0)
    page.get_by_label("Confirm your new password").fill(new)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#current_password-error")).to_contain_text("Your current password is not correct")
    # The typed values are still in the fields (nothing typed is lost): only the wrong one is retyped.
    expect(page.get_by_label("New password", exact=True)).to_have_value(new)
    page.get_by_label("Current password").fill(current)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been changed")

    received = "\n".join(page.evaluate("window.__received"))
    assert first_name in received  # positive control: updates were captured
    for secret in (current, new, wrong):
        assert secret not in received

    # The disk state manager writes shortly after each event: wait (bounded) for this tab's state.
    deadline = time.monotonic() + 30
    while first_name.encode() not in (stored := _stored_states()) and time.monotonic() < deadline:
        time.sleep(0.25)
    assert first_name.encode() in stored
    for secret in (current, new, wrong):
        assert secret.encode() not in stored
