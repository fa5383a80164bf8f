"""Issue 13 defect 2: a timeout warning two minutes before the idle timeout (WCAG 2.2.1);
*Stay signed in* extends the session; if it ends, next= keeps the path and query and what
was typed comes back after signing in again. The page's clock is fast-forwarded (Playwright's
clock), so the test does not wait 28 minutes."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.harness import Mailbox, Portal, create_account
from tests.e2e.journeys import PASSWORD, heading_is, new_email, sign_in, start_request
from tests.e2e.test_referral import fill


def test_timeout_warning_then_sign_in_again_keeps_the_place_and_the_answers(
    page: Page, portal: Portal, mailbox: Mailbox
) -> None:
    page.clock.install()
    email = new_email()
    create_account(portal, email=email, password=PASSWORD, first_name="Alice")
    sign_in(page, mailbox, email)
    page.goto("/requests/new?form=ehc_needs_assessment")
    heading_is(page, "About you")
    section = page.url.split(portal.url)[1]
    fill(page, "referrer_organisation", "Hanley Park Primary School")

    page.clock.fast_forward("28:30")
    dialog = page.get_by_role("alertdialog", name="You’re about to be signed out")
    expect(dialog).to_be_visible()
    expect(dialog).to_be_focused()
    with page.expect_response("**/api/session/extend") as extended:
        dialog.get_by_role("button", name="Stay signed in").click()
    assert extended.value.status == 204
    expect(dialog).to_be_hidden()

    # No answer to the next warning: signed out at 30 minutes, sent to sign in with the full path.
    page.clock.fast_forward("30:30")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert "next=" in page.url
    sign_in(page, mailbox, email, path=page.url.split(portal.url)[1], lands_on="About you")
    assert page.url.split(portal.url)[1].replace("/?", "?") == section
    expect(page.locator("[id='referrer_organisation']")).to_have_value("Hanley Park Primary School")


def test_opening_a_request_section_signed_out_returns_to_it_after_signing_in(
    page: Page, portal: Portal, mailbox: Mailbox
) -> None:
    email = new_email()
    create_account(portal, email=email, password=PASSWORD, first_name="Alice")
    sign_in(page, mailbox, email)
    referral_id = start_request(page)
    page.context.clear_cookies()  # the session has ended
    page.goto(f"/requests/section?id={referral_id}&section=consent")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    sign_in(page, mailbox, email, path=page.url.split(portal.url)[1], lands_on="Consent")
    assert f"id={referral_id}" in page.url
