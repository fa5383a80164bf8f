"""Issue 13 defect 1: in-page links (error summary, skip link) are plain anchors that keep the
page's query and move focus; links to other pages (Change) keep every query parameter."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.harness import Mailbox, Portal
from tests.e2e.journeys import heading_is, start_request
from tests.e2e.test_referral import fill, new_professional, save


def _focused_id(page: Page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_error_summary_links_keep_the_query_and_focus_the_field(page: Page, portal: Portal, mailbox: Mailbox) -> None:
    new_professional(portal, mailbox, page)
    page.goto("/requests/new?form=ehc_needs_assessment")
    heading_is(page, "About you")
    section_url = page.url
    assert "id=" in section_url and "section=" in section_url
    fill(page, "referrer_organisation", "Hanley Park Primary School")
    fill(page, "referrer_phone", "")
    save(page)
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    first = summary.get_by_role("link").first
    href = first.get_attribute("href")
    assert href is not None and href.startswith("#"), href
    target = href[1:]
    first.click()
    heading_is(page, "About you")
    assert page.url.split("#")[0] == section_url.split("#")[0]
    expect(page.locator(f"[id='{target}']")).to_be_focused()
    # What was typed and not yet saved is still there.
    expect(page.locator("[id='referrer_organisation']")).to_have_value("Hanley Park Primary School")
    # The skip link on the same page keeps the query too, and focuses main.
    page.locator(".skip-link").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
    assert page.url.split("#")[0] == section_url.split("#")[0]
    heading_is(page, "About you")


def test_save_and_continue_focuses_the_new_heading_and_change_links_keep_the_query(
    page: Page, portal: Portal, mailbox: Mailbox
) -> None:
    new_professional(portal, mailbox, page)
    referral_id = start_request(page)
    page.locator("[id='referrer_role']").select_option(label="SENCO")
    fill(page, "referrer_organisation", "Hanley Park Primary School")
    fill(page, "referrer_phone", "01782 234567")
    save(page)
    heading_is(page, "The child or young person")
    # Focus is on the new page's heading, not left on the button or dropped to <body>.
    expect(page.get_by_role("heading", level=1)).to_be_focused()

    page.goto(f"/requests/check?id={referral_id}")
    change = page.get_by_role("link", name="Change Organisation")
    href = change.get_attribute("href") or ""
    assert f"id={referral_id}" in href and "section=about-you" in href, href
    change.click()
    heading_is(page, "About you")
    assert f"id={referral_id}" in page.url and "section=about-you" in page.url
    # The answer to change has focus.
    expect(page.locator("[id='referrer_organisation']")).to_be_focused()
    expect(page.locator("[id='referrer_organisation']")).to_have_value("Hanley Park Primary School")
    # After the change, Save and continue goes back to check your answers, one card per section.
    fill(page, "referrer_organisation", "Hanley Park Academy")
    save(page)
    heading_is(page, "Check your answers before sending your request")
    card = page.locator(".summary-card").filter(has=page.get_by_role("heading", level=2, name="About you"))
    expect(card).to_contain_text("Hanley Park Academy")
    expect(card.get_by_role("link", name="Change Organisation in About you")).to_be_visible()


def test_sending_an_unfinished_request_lists_each_unfinished_section(
    page: Page, portal: Portal, mailbox: Mailbox
) -> None:
    new_professional(portal, mailbox, page)
    referral_id = start_request(page)
    page.goto(f"/requests/check?id={referral_id}")
    heading_is(page, "Check your answers before sending your request")
    page.get_by_role("button", name="Send request").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    heading_is(page, "Check your answers before sending your request")  # not silently sent elsewhere
    for title in ("About you", "The child or young person", "Consent", "Declaration"):
        expect(summary.get_by_role("link", name=f"Complete the section ‘{title}’")).to_be_visible()
    link = summary.get_by_role("link", name="Complete the section ‘Consent’")
    href = link.get_attribute("href") or ""
    assert f"id={referral_id}" in href and "section=consent" in href, href
    link.click()
    heading_is(page, "Consent")
