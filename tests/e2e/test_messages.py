"""Portal messages in a real browser: a caseworker writes, the professional is alerted (without the
message or the child's name), reads and replies; both headers count what is unread."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.harness import Mailbox, Portal, assert_accessible, create_account
from tests.e2e.journeys import PASSWORD, create_staff_with_cli, heading_is, new_email, sent_request, sign_in
from tests.e2e.test_referral import MINIMAL_PDF

CHILD = "Peregrine Ashdown-Vale"
QUESTION = "Could you send the latest speech and language report, please?"
ONE_UNREAD = re.compile(r"^Messages\s*,?\s*1 unread$")
NONE_UNREAD = re.compile(r"^Messages$")
REPLY = "Attached to the request now; the therapist's report is dated May."


def test_caseworker_and_professional_exchange_messages(
    page: Page, browser: Browser, portal: Portal, mailbox: Mailbox, tmp_path: Path
) -> None:
    professional = new_email()
    owner_id = create_account(portal, email=professional, password=PASSWORD, first_name="Alice")
    public_id, reference = sent_request(portal, owner_id=owner_id, child_name=CHILD)

    # The caseworker: created by council IT with the CLI, signs in with an emailed code like everyone.
    caseworker = create_staff_with_cli(page, portal, mailbox)
    sign_in(page, mailbox, caseworker)
    page.goto(f"/messages/thread?id={public_id}")
    heading_is(page, f"Messages about {reference}")
    expect(page.get_by_role("main")).to_contain_text(CHILD)
    assert_accessible(page, context="message thread (staff)")
    page.get_by_label("Your message").fill(QUESTION)
    # An attachment goes through the same checks as request documents.
    (tmp_path / "consent-form.pdf").write_bytes(MINIMAL_PDF)
    page.locator("#message-attachment input[type=file]").set_input_files(str(tmp_path / "consent-form.pdf"))
    page.get_by_role("button", name="Attach file").click()
    expect(page.locator("#pending-files")).to_contain_text("consent-form.pdf")
    page.get_by_role("button", name="Send message").click()
    expect(page.locator("#messages")).to_contain_text(QUESTION)
    expect(page.locator("#messages").get_by_role("link", name="consent-form.pdf")).to_be_visible()

    # The professional hears that a message is waiting, and nothing more.
    alert = mailbox.wait_for(to=professional, subject_contains="new message")
    for leaked in (QUESTION, "speech", "Peregrine", "Ashdown"):
        assert leaked not in alert.text and leaked not in alert.html and leaked not in alert.subject
    link = next(url for url in alert.links() if "/messages/thread" in url)

    pro_context = browser.new_context(base_url=portal.url, viewport={"width": 1100, "height": 900})
    pro_context.set_default_timeout(15_000)
    pro = pro_context.new_page()
    try:
        sign_in(pro, mailbox, professional)
        unread = pro.locator("#messages-link")
        expect(unread).to_have_accessible_name(ONE_UNREAD)
        unread.click()
        heading_is(pro, "Messages")
        row = pro.get_by_role("row").filter(has_text=reference)
        expect(row).to_contain_text("1 unread")
        assert_accessible(pro, context="messages list")
        row.get_by_role("link", name=reference).click()
        heading_is(pro, f"Messages about {reference}")
        expect(pro.locator("#messages")).to_contain_text(QUESTION)
        expect(pro.locator("#messages")).to_contain_text("(SEN team)")
        # The professional may download the caseworker's attachment (the download route's rules).
        href = pro.locator("#messages").get_by_role("link", name="consent-form.pdf").get_attribute("href")
        download = pro.request.get(href)
        assert download.status == 200 and download.body().startswith(b"%PDF")
        assert download.headers["content-disposition"].startswith("attachment")
        # Reading it clears the count.
        expect(pro.locator("#messages-link")).to_have_accessible_name(NONE_UNREAD)
        pro.get_by_role("button", name="Send message").click()
        expect(pro.locator("#body-error")).to_contain_text("Enter a message")
        expect(pro.locator("#error-summary")).to_be_visible()
        pro.get_by_label("Your message").fill(REPLY)
        pro.get_by_role("button", name="Send message").click()
        expect(pro.locator("#messages")).to_contain_text(REPLY)
        assert_accessible(pro, context="message thread (professional)")
        # The link in the alert goes to the thread (through sign-in when needed).
        pro.goto(link)
        heading_is(pro, f"Messages about {reference}")
    finally:
        pro_context.close()

    # The caseworker sees the reply counted in the header and in their list.
    page.goto("/dashboard")
    expect(page.locator("#messages-link")).to_have_accessible_name(ONE_UNREAD)
    page.locator("#messages-link").click()
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("1 unread")
    row.get_by_role("link", name=reference).click()
    expect(page.locator("#messages")).to_contain_text(REPLY)
    expect(page.locator("#messages-link")).to_have_accessible_name(NONE_UNREAD)
    assert re.search(r"/messages/thread", page.url)

    # Someone else's professional cannot read the thread or its attachment.
    stranger = new_email()
    create_account(portal, email=stranger, password=PASSWORD)
    other = browser.new_context(base_url=portal.url)
    other.set_default_timeout(15_000)
    try:
        stranger_page = other.new_page()
        # Signed out, the alert's link goes through sign-in and back to the thread (?next= keeps the id)...
        stranger_page.goto(link)
        expect(stranger_page).to_have_url(re.compile(r"/sign-in/?\?next="))
        sign_in(stranger_page, mailbox, stranger, path=stranger_page.url, lands_on="Request not found")
        # ...which is not theirs: the same "not found" as for a request that does not exist.
        assert public_id in stranger_page.url
        assert stranger_page.request.get(href).status == 404
    finally:
        other.close()


def test_asking_for_more_information_posts_the_note_as_a_message(
    page: Page, browser: Browser, portal: Portal, mailbox: Mailbox
) -> None:
    professional = new_email()
    owner_id = create_account(portal, email=professional, password=PASSWORD, first_name="Alice")
    public_id, reference = sent_request(portal, owner_id=owner_id, child_name=CHILD)
    note = "Please upload the educational psychologist's report."

    caseworker = create_staff_with_cli(page, portal, mailbox)
    sign_in(page, mailbox, caseworker)
    page.goto(f"/staff/referral?id={public_id}")
    heading_is(page, f"Referral {reference}")
    page.get_by_label("New status").select_option(label="More information requested")
    page.get_by_label("Note", exact=True).fill(note)
    page.get_by_role("button", name="Change status").click()
    expect(page.locator("#status")).to_have_text("More information requested")
    page.get_by_role("link", name="Messages with the referrer").click()
    heading_is(page, f"Messages about {reference}")
    expect(page.locator("#messages")).to_contain_text(note)

    alert = mailbox.wait_for(to=professional, subject_contains="new message")
    assert note not in alert.text and "Peregrine" not in alert.text
