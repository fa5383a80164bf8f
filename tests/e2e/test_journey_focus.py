"""Issue 13 defect 3: after an action on the page focus goes to its confirmation, never to <body>;
busy buttons are aria-disabled (a disabled button throws focus away)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.harness import Mailbox, Portal
from tests.e2e.journeys import heading_is, start_request
from tests.e2e.test_referral import MINIMAL_PDF, new_professional, upload


def test_upload_and_remove_move_focus_to_the_confirmation(
    page: Page, portal: Portal, mailbox: Mailbox, tmp_path: Path
) -> None:
    new_professional(portal, mailbox, page)
    referral_id = start_request(page)
    page.goto(f"/requests/section?id={referral_id}&section=documents")
    heading_is(page, "Supporting documents")
    upload(page, tmp_path, "Signed consent form", "consent.pdf", MINIMAL_PDF)
    confirmation = page.locator("[data-focus-on-change]").filter(has_text="consent.pdf has been uploaded")
    expect(confirmation).to_be_focused()
    expect(page.get_by_role("button", name="Choose a file for Signed consent form")).to_be_enabled()

    page.get_by_role("button", name="Remove consent.pdf").click()
    removed = page.locator("[data-focus-on-change]").filter(has_text="The file has been removed")
    expect(removed).to_be_focused()
    assert page.evaluate("document.activeElement !== document.body")


def test_staff_do_not_get_a_your_requests_link(page: Page, portal: Portal, mailbox: Mailbox) -> None:
    from tests.e2e.journeys import create_staff_with_cli, sign_in

    email = create_staff_with_cli(page, portal, mailbox)
    sign_in(page, mailbox, email)
    banner = page.get_by_role("banner")
    expect(banner.get_by_role("link", name="Account settings")).to_be_visible()
    expect(banner.get_by_role("link", name="Your requests")).to_have_count(0)


def test_the_navigation_marks_the_current_page(page: Page, portal: Portal, mailbox: Mailbox) -> None:
    new_professional(portal, mailbox, page)
    page.goto("/requests")
    banner = page.get_by_role("banner")
    expect(banner.get_by_role("link", name="Your requests")).to_have_attribute("aria-current", "page")
    expect(banner.get_by_role("link", name="Account settings")).not_to_have_attribute("aria-current", "page")


def test_a_professional_awaiting_approval_is_told_from_the_first_section(
    page: Page, portal: Portal, mailbox: Mailbox
) -> None:
    from tests.e2e.harness import create_account
    from tests.e2e.journeys import PASSWORD, new_email, sign_in

    email = new_email()
    create_account(portal, email=email, password=PASSWORD, approval_status="pending")
    sign_in(page, mailbox, email)
    page.goto("/requests/new?form=ehc_needs_assessment")
    heading_is(page, "About you")
    notice = page.get_by_role("region", name="Your account is waiting for approval")
    expect(notice).to_contain_text("You can fill in and save this request now")
