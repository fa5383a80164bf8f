"""Issue 13 defect 10: the GOV.UK character count on long answers with a limit: live, polite,
no maxlength (pasting beyond the limit is allowed) and a clear error when saved too long."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.harness import Mailbox, Portal, assert_accessible
from tests.e2e.journeys import heading_is, start_request
from tests.e2e.test_referral import new_professional, save


def test_long_answer_counts_characters_and_explains_the_limit(page: Page, portal: Portal, mailbox: Mailbox) -> None:
    new_professional(portal, mailbox, page)
    referral_id = start_request(page)
    page.goto(f"/requests/section?id={referral_id}&section=needs")
    heading_is(page, "Special educational needs")
    needs = page.locator("[id='needs_description']")
    info = page.locator("[id='needs_description-info']")
    expect(info).to_have_text("You can enter up to 5000 characters")
    assert needs.get_attribute("maxlength") is None
    needs.fill("x" * 5010)  # a paste beyond the limit is allowed
    expect(info).to_have_text("You have 10 characters too many")
    expect(info).to_have_class("hint character-count-message character-count-over")
    expect(page.locator(".character-count-status")).to_have_text("You have 10 characters too many")
    assert needs.get_attribute("aria-describedby").endswith("needs_description-info")
    save(page)
    expect(page.locator("[id='needs_description-error']")).to_contain_text("5000 characters or fewer")
    expect(needs).to_have_value("x" * 5010)  # nothing typed is cut off
    needs.fill("Short answer")
    expect(info).to_have_text("You have 4,988 characters remaining")
    assert_accessible(page, context="character count")
