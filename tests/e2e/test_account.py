"""Account settings in a real browser: details, password, maintenance emails, authenticator app, email change."""

from __future__ import annotations

import re
import time
import uuid

import pyotp
from playwright.sync_api import Page, expect

from tests.e2e.harness import Mailbox, Portal, assert_accessible, create_account

PASSWORD = "marble otter sunrise quilt"
NEW_PASSWORD = "copper meadow lighthouse violin"


def new_email(prefix: str = "acct") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@school.example.org"


def code_mails(mailbox: Mailbox, email: str) -> int:
    return len([m for m in mailbox.all() if m.to == email and "sign-in code" in m.subject])


def sign_in(page: Page, mailbox: Mailbox, email: str, password: str = PASSWORD) -> None:
    """Password, then the code emailed for this sign-in (the newest one)."""
    sent_before = code_mails(mailbox, email)
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    mail = mailbox.wait_for(to=email, subject_contains="sign-in code", after=sent_before)
    found = re.search(r"\b(\d{6})\b", mail.text)
    assert found, mail.text
    page.get_by_label("Code").fill(found.group(1))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/?$"))


def open_account(page: Page) -> None:
    page.get_by_role("banner").get_by_role("link", name="Account settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account settings")


def summary_value(page: Page, label: str):
    return (
        page.locator("table.summary-list tr")
        .filter(has=page.get_by_role("rowheader", name=label, exact=True))
        .locator("td")
    )


def expect_field_error(page: Page, field_id: str, message: str) -> None:
    """The message beside the field and, as a link to it, in the focused summary."""
    expect(page.locator(f"#{field_id}-error")).to_contain_text(message)
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name=re.compile(re.escape(message)))).to_have_attribute(
        "href", re.compile(f"#{field_id}$")
    )
    expect(page.locator(f"#{field_id}")).to_have_attribute("aria-invalid", "true")


def test_details_password_maintenance_and_authenticator_app(page: Page, portal: Portal, mailbox: Mailbox) -> None:
    email = new_email()
    create_account(portal, email=email, password=PASSWORD)
    sign_in(page, mailbox, email)
    open_account(page)
    expect(summary_value(page, "Authenticator app").first).to_contain_text("Off")
    assert_accessible(page, context="account settings")

    # ---- details: the registration fields, type-ahead and address finder, saved to the account
    page.get_by_role("link", name="Change phone number").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your details")
    expect(page.get_by_label("First name")).to_have_value("Sam")
    page.get_by_label("Phone number", exact=True).fill("12")
    page.get_by_role("button", name="Save changes").click()
    expect_field_error(page, "phone", "phone")
    expect_field_error(page, "professional_role", "Select your professional role")
    expect(page.locator("#error-summary")).to_be_focused()
    assert_accessible(page, context="change details with errors")

    page.get_by_label("Phone number", exact=True).fill("07700 900456")
    role = page.get_by_role("combobox", name="Professional role")
    role.press_sequentially("SE", delay=50)
    expect(page.get_by_role("option", name="SENCO", exact=True)).to_be_visible()
    role.press("Enter")
    expect(role).to_have_value("SENCO")
    page.get_by_role("combobox", name="Organisation or setting").fill("Hanley Park Primary School")
    page.get_by_label("Job title").fill("SENCO and deputy head")
    page.get_by_label("Postcode", exact=True).fill("st4 1hh")
    page.get_by_role("button", name="Find address").click()
    select = page.get_by_label("Select an address")
    select.select_option(value=select.locator("option").nth(1).get_attribute("value"))
    expect(page.get_by_label("Postcode of the address")).to_have_value("ST4 1HH")
    assert_accessible(page, context="change details")
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Account settings")
    expect(page.get_by_role("status").filter(has_text="Your details have been updated")).to_be_visible()
    expect(summary_value(page, "Phone number").first).to_have_text("07700 900456")
    expect(summary_value(page, "Professional role").first).to_have_text("SENCO")
    expect(summary_value(page, "Work address").first).to_contain_text("ST4 1HH")
    # Saved in the database, not just in the page: a fresh load shows it.
    page.goto("/account/details")
    expect(page.get_by_label("Phone number", exact=True)).to_have_value("07700 900456")
    expect(page.get_by_role("combobox", name="Professional role")).to_have_value("SENCO")
    expect(page.get_by_label("Job title")).to_have_value("SENCO and deputy head")

    # ---- password: the current one is checked; success emails the account
    page.goto("/account")
    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    assert_accessible(page, context="change password")
    page.get_by_label("Current password").fill("not my password at all")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    expect(page.locator("#password-rules li.unmet")).to_have_count(0)
    page.get_by_label("Confirm your new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect_field_error(page, "current_password", "Your current password is not correct")
    assert_accessible(page, context="change password with errors")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm your new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been changed")
    mailbox.wait_for(to=email, subject_contains="password has been changed")
    assert_accessible(page, context="password changed")

    # ---- maintenance emails
    page.goto("/account")
    page.get_by_role("link", name="Change maintenance emails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Emails about maintenance")
    opt_in = page.get_by_label("Email me about planned maintenance of the portal")
    expect(opt_in).not_to_be_checked()
    opt_in.click()
    expect(opt_in).to_be_checked()
    assert_accessible(page, context="maintenance emails")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account settings")
    expect(summary_value(page, "Maintenance emails").first).to_have_text("Yes")

    # ---- authenticator app: QR code and key, a first code, ten recovery codes shown once
    page.get_by_role("link", name="Change authenticator app").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Authenticator app")
    assert_accessible(page, context="authenticator app (off)")
    page.get_by_role("button", name="Set up an authenticator app").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    qr = page.get_by_role("img", name=re.compile("QR code"))
    expect(qr).to_be_visible()
    # Written in by a one-off script (the secret is never page state): wait for it, no timing assumed.
    expect(qr).to_have_attribute("src", re.compile(r"^data:image/svg\+xml"))
    expect(page.locator("#setup-key")).to_have_text(re.compile(r"\S"))
    secret = page.locator("#setup-key").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    assert_accessible(page, context="authenticator setup")
    app = pyotp.TOTP(secret)
    wrong = "000000" if app.now() != "000000" else "111111"
    page.get_by_label("Code from the app").fill(wrong)
    page.get_by_role("button", name="Turn on the app").click()
    expect_field_error(page, "code", "The code is not correct")
    page.get_by_label("Code from the app").fill(app.now())
    page.get_by_role("button", name="Turn on the app").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    expect(page.get_by_role("main")).to_contain_text("only once")
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", text.strip()) for text in codes.all_inner_texts())
    assert_accessible(page, context="recovery codes")
    mailbox.wait_for(to=email, subject_contains="Security settings changed")
    page.get_by_role("button", name="I have saved my recovery codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account settings")
    expect(summary_value(page, "Authenticator app").first).to_contain_text("On since")
    expect(summary_value(page, "Authenticator app").first).to_contain_text("10 recovery codes left")
    # Shown once: the page does not show them again.
    page.goto("/account/authenticator")
    expect(page.get_by_role("heading", level=1)).to_have_text("Authenticator app")
    expect(page.locator("#recovery-codes")).to_have_count(0)

    # ---- sign out, sign in again: the app's code, and no emailed code
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    emailed_codes = code_mails(mailbox, email)
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code from your authenticator app")
    assert_accessible(page, context="sign in with the app")
    # The setup code's time step is spent (no replay): the app's next code is within the allowed drift.
    page.get_by_label("Code").fill(app.at(time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/?$"))

    # ---- turn the app off: needs the password
    page.goto("/account/authenticator")
    page.get_by_role("button", name="Turn off the authenticator app").click()
    page.get_by_label("Current password").fill("wrong password entirely")
    page.get_by_role("button", name="Turn off the app").click()
    expect_field_error(page, "current_password", "Your current password is not correct")
    assert_accessible(page, context="turn off the app")
    page.get_by_label("Current password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Turn off the app").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account settings")
    expect(summary_value(page, "Authenticator app").first).to_contain_text("Off")
    # Its notice was queued after the app sign-in; once it has arrived, an emailed code would have too.
    mailbox.wait_for(to=email, subject_contains="Security settings changed", after=1)
    assert code_mails(mailbox, email) == emailed_codes


def test_changing_the_email_address_waits_for_the_new_address(page: Page, portal: Portal, mailbox: Mailbox) -> None:
    old = new_email("old")
    new = new_email("new")
    create_account(portal, email=old, password=PASSWORD)
    sign_in(page, mailbox, old)
    page.goto("/account")
    page.get_by_role("link", name="Change email address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your email address")
    assert_accessible(page, context="change email")

    page.get_by_label("New email address").fill(old)
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Send a confirmation link").click()
    expect_field_error(page, "new_email", "different from your current one")

    page.get_by_label("New email address").fill(new)
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Send a confirmation link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your new email")
    expect(page.get_by_role("main")).to_contain_text(new)
    assert_accessible(page, context="check your new email")
    mailbox.wait_for(to=old, subject_contains="change of email address was requested")
    link = next(
        url for url in mailbox.wait_for(to=new, subject_contains="Confirm your new email").links() if "token=" in url
    )
    assert "/confirm-email-change?token=" in link

    # Until the link is used, nothing has changed (opening it changes nothing either).
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your new email address")
    assert_accessible(page, context="confirm new email")
    page.goto("/account")
    expect(summary_value(page, "Email address").first).to_contain_text(old)
    expect(summary_value(page, "Email address").first).to_contain_text(f"waiting for you to confirm {new}")

    page.goto(link)
    page.get_by_role("button", name="Confirm my new email address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your email address has been changed")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has already been used")

    page.goto("/account")
    expect(summary_value(page, "Email address").first).to_have_text(new)
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    sign_in(page, mailbox, new)


def test_account_pages_need_a_session(page: Page) -> None:
    for path in ("/account", "/account/details", "/account/password", "/account/email", "/account/authenticator"):
        page.goto(path)
        expect(page).to_have_url(re.compile(rf"/sign-in/?\?next={re.escape(path)}/?$"))
