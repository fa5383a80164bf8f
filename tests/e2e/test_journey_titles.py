"""Issue 13 defect 8: every title says where the user is, with "Error: " while errors show;
emailed-link pages are titled like their h1."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.harness import Mailbox, Portal
from tests.e2e.journeys import heading_is
from tests.e2e.test_referral import fill, new_professional, save

SERVICE = "SEN Professional Portal"
FORM = "Request for an EHC needs assessment"


def test_request_pages_are_titled_by_section_with_error_prefix(page: Page, portal: Portal, mailbox: Mailbox) -> None:
    new_professional(portal, mailbox, page)
    page.goto("/requests/new?form=ehc_needs_assessment")
    heading_is(page, "About you")
    expect(page).to_have_title(f"About you – {FORM} – {SERVICE}")
    referral_id = page.url.split("id=")[1].split("&")[0]
    fill(page, "referrer_phone", "")
    save(page)
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page).to_have_title(f"Error: About you – {FORM} – {SERVICE}")
    page.goto(f"/requests/section?id={referral_id}&section=consent")
    heading_is(page, "Consent")
    expect(page).to_have_title(f"Consent – {FORM} – {SERVICE}")
    page.goto(f"/requests/check?id={referral_id}")
    expect(page).to_have_title(f"Check your answers – {FORM} – {SERVICE}")
    page.get_by_role("button", name="Send request").click()
    expect(page).to_have_title(f"Error: Check your answers – {FORM} – {SERVICE}")


def test_registration_errors_and_link_pages_titles(page: Page) -> None:
    page.goto("/register")
    heading_is(page, "Your details")
    expect(page).to_have_title(f"Your details – Create an account – {SERVICE}")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page).to_have_title(f"Error: Your details – Create an account – {SERVICE}")

    page.goto("/verify-email?token=not-a-real-token")
    heading_is(page, "This link is not valid")
    expect(page).to_have_title(f"This link is not valid – {SERVICE}")
    page.goto("/reset-password?token=not-a-real-token")
    heading_is(page, "This link is not valid")
    expect(page).to_have_title(f"This link is not valid – {SERVICE}")
