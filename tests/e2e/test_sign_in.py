"""Sign-in with the emailed code, sessions and the forgotten-password journey, in a real browser."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from tests.e2e.harness import Mailbox, Portal, assert_accessible, create_account

PASSWORD = "marble otter sunrise quilt"


def new_email() -> str:
    return f"pro-{uuid.uuid4().hex[:8]}@school.example.org"


def code_from(mailbox: Mailbox, email: str, after: int = 0) -> str:
    mail = mailbox.wait_for(to=email, subject_contains="code", after=after)
    found = re.search(r"\b(\d{6})\b", mail.text)
    assert found, mail.text
    return found.group(1)


def sign_in_with_password(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()


def test_sign_in_needs_the_emailed_code_and_lands_on_the_dashboard(
    page: Page, portal: Portal, mailbox: Mailbox
) -> None:
    email = new_email()
    create_account(portal, email=email, password=PASSWORD)
    page.goto("/sign-in")
    assert_accessible(page, context="sign in")
    sign_in_with_password(page, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.get_by_role("main")).to_contain_text("p•••@school.example.org")
    expect(page.get_by_role("main")).to_contain_text("junk")
    assert_accessible(page, context="sign in code")

    code = code_from(mailbox, email)
    wrong = "000000" if code != "000000" else "111111"
    page.get_by_label("Code").fill(wrong)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#code-error")).to_be_visible()
    expect(page.locator("#error-summary")).to_be_visible()

    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your dashboard")
    expect(page.get_by_role("main")).to_contain_text(email)
    assert_accessible(page, context="dashboard")

    # The session cookie is HttpOnly: page scripts cannot read it.
    assert page.evaluate("document.cookie") == ""
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["sen_session"]["httpOnly"] is True
    assert cookies["sen_session"]["sameSite"] == "Lax"

    # Sign out ends the session on the server: replaying the old cookie gets nothing.
    old_cookie = cookies["sen_session"]
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    assert_accessible(page, context="signed out")
    page.context.add_cookies([old_cookie])
    page.goto("/dashboard")
    expect(page).to_have_url(re.compile(r"/sign-in/?\?next=/dashboard/?$"))


def test_wrong_password_and_unknown_email_get_the_same_message(page: Page, portal: Portal) -> None:
    email = new_email()
    create_account(portal, email=email, password=PASSWORD)
    messages = []
    for address, password in ((email, "not the right password"), (new_email(), PASSWORD)):
        sign_in_with_password(page, address, password)
        error = page.locator("#email-error")
        expect(error).to_be_visible()
        messages.append(error.inner_text())
    assert messages[0] == messages[1]


def test_a_protected_page_without_a_session_sends_you_to_sign_in_and_back(
    page: Page, portal: Portal, mailbox: Mailbox
) -> None:
    email = new_email()
    create_account(portal, email=email, password=PASSWORD)
    page.goto("/dashboard")
    expect(page).to_have_url(re.compile(r"/sign-in/?\?next=/dashboard/?$"))
    sign_in_with_password(page, email)
    page.get_by_label("Code").fill(code_from(mailbox, email))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/?$"))


def test_forgotten_password_end_to_end(page: Page, portal: Portal, mailbox: Mailbox) -> None:
    email = new_email()
    create_account(portal, email=email, password=PASSWORD)
    page.goto("/sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    assert_accessible(page, context="forgotten password")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    mail = mailbox.wait_for(to=email, subject_contains="eset")
    link = next(url for url in mail.links() if "/reset-password?token=" in url)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    new_password = "copper meadow lighthouse violin"
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Confirm your new password").fill("short")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.locator("#password-error")).to_contain_text("12 characters or more")
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("Confirm your new password").fill(new_password)
    assert_accessible(page, context="reset password")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been changed")
    mailbox.wait_for(to=email, subject_contains="changed")

    # The old password no longer works; the new one still needs the emailed code.
    sign_in_with_password(page, email, PASSWORD)
    expect(page.locator("#email-error")).to_be_visible()
    sign_in_with_password(page, email, new_password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")


def test_a_sign_in_says_signing_you_in_while_the_password_is_checked(
    page: Page, portal: Portal, mailbox: Mailbox
) -> None:
    # Password checks queue on a bounded pool when many people sign in at once: the person waiting
    # must see that something is happening and must not be able to press the button twice.
    email = new_email()
    create_account(portal, email=email, password=PASSWORD)
    page.goto("/sign-in")
    page.wait_for_load_state("networkidle")
    page.evaluate(
        """() => {
          window.__seen = [];
          new MutationObserver(() => {
            const button = document.querySelector('form button[type=submit]');
            const status = document.querySelector('form [role=status]');
            if (button && button.textContent.includes('Signing you in')) {
              window.__seen.push({disabled: button.disabled, status: status ? status.textContent : ''});
            }
          }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
        }"""
    )
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    seen = page.evaluate("window.__seen")
    assert seen, "the page never said it was signing in"
    assert all(state["disabled"] for state in seen)
    assert any("Signing you in" in state["status"] for state in seen)
