"""Issue 13 defect 9 / also found: an upload clears the chooser, the same file twice in a slot is
refused with a reason, and a file of the wrong type gets a plain-words error beside the field."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.harness import Mailbox, Portal
from tests.e2e.journeys import heading_is, start_request
from tests.e2e.test_referral import MINIMAL_PDF, new_professional, upload


def test_uploads_clear_the_chooser_refuse_duplicates_and_say_why_a_type_is_refused(
    page: Page, portal: Portal, mailbox: Mailbox, tmp_path: Path
) -> None:
    new_professional(portal, mailbox, page)
    referral_id = start_request(page)
    page.goto(f"/requests/section?id={referral_id}&section=documents")
    heading_is(page, "Supporting documents")

    upload(page, tmp_path, "Signed consent form", "consent.pdf", MINIMAL_PDF)
    expect(page.get_by_role("main")).to_contain_text("consent.pdf has been uploaded")
    # The chooser is cleared: nothing is left chosen to be sent twice.
    assert page.locator("#document-upload input[type=file]").evaluate("(input) => input.files.length") == 0

    upload(page, tmp_path, "Signed consent form", "consent-again.pdf", MINIMAL_PDF)  # the same bytes
    expect(page.locator("#upload-error")).to_contain_text("consent-again.pdf is already uploaded for")
    expect(page.get_by_role("button", name="Remove consent.pdf")).to_have_count(1)

    upload(page, tmp_path, "Signed consent form", "notes.txt", b"just some notes\n")
    expect(page.locator("#upload-error")).to_contain_text("notes.txt must be a PDF")
    expect(page.locator("[data-sonner-toast]")).to_have_count(0)  # beside the field, not a toast
    # The error is beside the slot's own chooser, and in the summary linking to the slot.
    slot = page.locator(".form-group").filter(
        has=page.get_by_role("button", name="Choose a file for Signed consent form")
    )
    expect(slot.locator("#upload-error")).to_be_visible()
    expect(page.locator("#error-summary")).to_contain_text("notes.txt must be a PDF")
