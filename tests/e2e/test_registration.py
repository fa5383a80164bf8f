"""Registration in a real browser: every step, the type-ahead, the postcode finder, the email link."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from tests.e2e.harness import Mailbox, assert_accessible

GOOD_PASSWORD = "violet kettle harbour lantern"


def unique_email(prefix: str = "senco") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@school.example.org"


def fill_personal(page: Page, *, first: str = "Alice", last: str = "Brown", phone: str = "01782 234567") -> None:
    page.goto("/register")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Phone number").fill(phone)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")


def fill_account(page: Page, *, email: str, password: str = GOOD_PASSWORD, confirm: str | None = None) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Create a password").fill(password)
    page.get_by_label("Confirm your password").fill(password if confirm is None else confirm)
    page.get_by_role("button", name="Continue").click()


def choose_role_by_typeahead(page: Page, typed: str = "SE", expected: str = "SENCO") -> None:
    role = page.get_by_role("combobox", name="Professional role")
    role.press_sequentially(typed, delay=50)
    option = page.get_by_role("option", name=expected, exact=True)
    expect(option).to_be_visible()
    expect(role).to_have_attribute("aria-expanded", "true")
    # Keyboard only: the first suggestion is highlighted; Enter picks it.
    expect(page.get_by_role("option").first).to_have_text(expected)
    role.press("Enter")
    expect(role).to_have_value(expected)
    expect(role).to_have_attribute("aria-expanded", "false")


def fill_work(page: Page, *, postcode: str = "st4 1hh") -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work")
    choose_role_by_typeahead(page)
    page.get_by_role("combobox", name="Organisation or setting").fill("Hanley Park Primary School")
    page.get_by_label("Job title").fill("Special educational needs co-ordinator")
    page.get_by_label("Postcode", exact=True).fill(postcode)
    page.get_by_role("button", name="Find address").click()
    select = page.get_by_label("Select an address")
    expect(select).to_be_visible()
    first_address = select.locator("option").nth(1)
    select.select_option(value=first_address.get_attribute("value"))
    expect(page.get_by_label("Address line 1")).not_to_have_value("")
    expect(page.get_by_label("Postcode of the address")).to_have_value("ST4 1HH")
    opt_in = page.get_by_label("Email me about planned maintenance of the portal")
    opt_in.click()  # the box is bound to server state: it shows ticked once the server agrees
    expect(opt_in).to_be_checked()
    page.get_by_role("button", name="Continue").click()


def test_register_through_every_step_then_activate_from_the_email(page: Page, mailbox: Mailbox) -> None:
    email = unique_email()
    fill_personal(page)
    assert_accessible(page, context="register: your details")

    page.get_by_label("Email address").fill(email)
    page.get_by_label("Create a password").press_sequentially("short", delay=20)
    checklist = page.locator("#password-rules")
    expect(checklist.locator("li.unmet").first).to_contain_text("12")
    page.get_by_label("Create a password").fill(GOOD_PASSWORD)
    expect(checklist.locator("li.unmet")).to_have_count(0)
    page.get_by_role("button", name="Show password").click()
    expect(page.get_by_label("Create a password")).to_have_attribute("type", "text")
    page.get_by_role("button", name="Hide password").click()
    assert_accessible(page, context="register: your account")
    page.get_by_label("Confirm your password").fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Continue").click()

    assert_accessible(page, context="register: your work")
    fill_work(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your details")
    summary = page.locator("table.summary-list")
    expect(summary).to_contain_text("Alice Brown")
    expect(summary).to_contain_text("SENCO")
    expect(summary).to_contain_text("ST4 1HH")
    assert_accessible(page, context="register: check your details")

    # Change a detail: nothing else is lost and we come straight back here.
    page.get_by_role("link", name="Change phone number").click()
    expect(page.get_by_label("First name")).to_have_value("Alice")
    page.get_by_label("Phone number").fill("07700 900123")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your details")
    expect(summary).to_contain_text("07700 900123")
    expect(summary).to_contain_text("Hanley Park Primary School")

    page.get_by_role("button", name="Submit registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.get_by_role("main")).to_contain_text(email)
    assert_accessible(page, context="register: check your email")

    mail = mailbox.wait_for(to=email, subject_contains="Confirm your email")
    link = next(url for url in mail.links() if "/verify-email?token=" in url)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Activate your account")
    assert_accessible(page, context="verify email")
    page.get_by_role("button", name="Activate my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is set up")
    expect(page.get_by_role("main").get_by_role("button", name="Sign in")).to_be_visible()

    # The link is single use.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has already been used")

    # And the new account signs in, with the code emailed to it.
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    code_mail = mailbox.wait_for(to=email, subject_contains="code")
    code = re.search(r"\b(\d{6})\b", code_mail.text)
    assert code, code_mail.text
    page.get_by_label("Code").fill(code.group(1))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your dashboard")


def test_a_malformed_link_gets_its_own_page_with_a_way_to_get_a_new_one(page: Page) -> None:
    page.goto("/verify-email?token=not-a-real-token")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link is not valid")
    page.get_by_role("button", name="Send a new link").click()
    expect(page.get_by_role("link", name="Enter your email address")).to_be_visible()
    assert_accessible(page, context="invalid link")


def expect_error(page: Page, field_id: str, message: str) -> None:
    """The message shows beside the field and, as a link to it, in the summary."""
    expect(page.locator(f"#{field_id}-error")).to_contain_text(message)
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name=message)).to_have_attribute("href", re.compile(f"#{field_id}$"))
    expect(page.locator(f"#{field_id}")).to_have_attribute("aria-invalid", "true")


def test_account_step_errors_are_specific_and_in_the_summary(page: Page) -> None:
    fill_personal(page)
    fill_account(page, email="not-an-email", password="short")
    expect_error(page, "email", "Enter an email address in the correct format")
    expect_error(page, "password", "12 characters or more")
    expect(page.locator("#error-summary")).to_be_focused()
    assert_accessible(page, context="account step with errors")

    fill_account(page, email=unique_email(), password="password1234")
    expect_error(page, "password", "too common")

    fill_account(page, email=unique_email(), password=GOOD_PASSWORD, confirm="violet kettle harbour lanterns")
    expect_error(page, "confirm_password", "match")


def test_work_step_errors_for_unknown_postcode_and_missing_role(page: Page) -> None:
    fill_personal(page)
    fill_account(page, email=unique_email())
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work")

    page.get_by_label("Postcode", exact=True).fill("st9 9zz")
    page.get_by_role("button", name="Find address").click()
    expect_error(page, "postcode", "We could not find any addresses for ST9 9ZZ")

    page.get_by_label("Postcode", exact=True).fill("not a postcode")
    page.get_by_role("button", name="Find address").click()
    expect_error(page, "postcode", "Enter a real postcode")

    page.get_by_role("button", name="Continue").click()
    expect_error(page, "professional_role", "Select your professional role")
    assert_accessible(page, context="work step with errors")

    # Typing something that is not on the list is not a role.
    page.get_by_role("combobox", name="Professional role").fill("Wizard")
    expect(page.get_by_role("option")).to_have_count(0)
    page.get_by_role("button", name="Continue").click()
    expect_error(page, "professional_role", "Select your professional role")

    # Manual entry is always possible.
    page.get_by_role("button", name="Enter the address manually").click()
    expect(page.get_by_label("Address line 1")).to_be_visible()


def test_registering_an_existing_email_looks_the_same_and_emails_the_owner(page: Page, mailbox: Mailbox) -> None:
    email = unique_email("owner")
    for _attempt in range(2):
        fill_personal(page)
        fill_account(page, email=email)
        fill_work(page)
        page.get_by_role("button", name="Submit registration").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
        expect(page.get_by_role("main")).to_contain_text(email)
    mailbox.wait_for(to=email, subject_contains="Confirm your email")
    warning = mailbox.wait_for(to=email, subject_contains="already")
    assert "/sign-in" in warning.text


def test_a_name_holding_a_web_address_or_a_line_break_is_refused_beside_the_field(page: Page) -> None:
    # The name is greeted in emails: a link in it would be a stranger's link sent by the council.
    page.goto("/register")
    page.wait_for_load_state("networkidle")
    page.get_by_label("First name").fill("Visit www.evil-portal.example")
    page.get_by_label("Last name").fill("Brown")
    page.get_by_label("Phone number").fill("01782 234567")
    page.get_by_role("button", name="Continue").click()

    expect_error(page, "first_name", "First name must not contain a web address or email address")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    expect(page.get_by_label("First name")).to_have_value("Visit www.evil-portal.example")  # nothing typed is lost
