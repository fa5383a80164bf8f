"""Take the README's screenshots from a real production build: `python -m scripts.screenshots`.

Starts the portal the way the browser tests do (own SQLite database and mailbox),
walks the main pages and writes PNGs to docs/screenshots/.
"""

from __future__ import annotations

import re
import tempfile
import uuid
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.e2e.harness import CHROMIUM_ARGS, Mailbox, create_account, start_portal, stop_portal

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PASSWORD = "amber falcon orchard piano"


def shot_page(page, name: str) -> None:
    page.wait_for_timeout(400)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def staff_pages(browser, portal, mailbox) -> None:
    """The council side: a few dozen generated referrals, one with a message, seen by an admin."""
    from sen_portal.db import make_engine, session_scope
    from sen_portal.services.referrals.demo_referrals import seed_referrals
    from tests.e2e.journeys import sent_request, sign_in

    engine = make_engine(portal.env["DATABASE_URL"])
    with session_scope(engine) as session:
        seed_referrals(session, 40)
    engine.dispose()
    owner = create_account(portal, email="pat.senco@school.example.org", password=PASSWORD, first_name="Pat")
    public_id, _reference = sent_request(portal, owner_id=owner, child_name="Jamie Rivers")
    admin = "ada.admin@council.example.gov.uk"
    create_account(portal, email=admin, password=PASSWORD, role="admin", first_name="Ada")
    page = browser.new_page(base_url=portal.url, viewport={"width": 1280, "height": 900})
    sign_in(page, mailbox, admin)
    page.goto("/staff")
    page.get_by_role("heading", name="Referrals").wait_for()
    shot_page(page, "staff-inbox")
    # A generated referral (it has answers and a history), not the bare one made above.
    page.get_by_role("link", name="EHC-2026-000007").click()
    page.get_by_role("heading", name="Referral EHC-2026-000007").wait_for()
    shot_page(page, "staff-referral")
    page.goto(f"/messages/thread?id={public_id}")
    page.get_by_label("Your message").fill("Could you send the latest speech and language report, please?")
    page.get_by_role("button", name="Send message").click()
    page.locator("#messages").wait_for()
    shot_page(page, "message-thread")
    page.goto("/staff/accounts")
    page.get_by_role("heading", name="Accounts").wait_for()
    shot_page(page, "staff-accounts")
    page.goto("/staff/forms")
    page.get_by_role("heading", level=1).wait_for()
    shot_page(page, "form-designer")
    page.goto("/staff/audit")
    page.get_by_role("heading", name="Audit log").wait_for()
    shot_page(page, "audit-log")
    page.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    portal = start_portal(Path(tempfile.mkdtemp(prefix="shots-")))
    mailbox = Mailbox(portal.mail_dir)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(base_url=portal.url, viewport={"width": 1100, "height": 900})

            def shot(name: str) -> None:
                page.wait_for_timeout(400)
                page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)

            page.goto("/")
            shot("home")
            page.goto("/register")
            page.get_by_label("First name").fill("Alice")
            page.get_by_label("Last name").fill("Brown")
            page.get_by_label("Phone number").fill("01782 234567")
            page.get_by_role("button", name="Continue").click()
            page.get_by_label("Email address").fill("alice@school.example.org")
            page.get_by_label("Create a password").fill("short")
            page.get_by_role("button", name="Continue").click()
            shot("register-errors")
            page.get_by_label("Create a password").fill(PASSWORD)
            page.get_by_label("Confirm your password").fill(PASSWORD)
            page.get_by_role("button", name="Continue").click()
            page.get_by_role("combobox", name="Professional role").press_sequentially("SE", delay=50)
            page.get_by_role("option", name="SENCO", exact=True).wait_for()
            page.get_by_label("Postcode", exact=True).fill("ST4 1HH")
            page.get_by_role("button", name="Find address").click()
            page.get_by_label("Select an address").wait_for()
            shot("register-work")

            email = f"demo-{uuid.uuid4().hex[:6]}@school.example.org"
            create_account(portal, email=email, password=PASSWORD, first_name="Alice")
            page.goto("/sign-in")
            page.get_by_label("Email address").fill(email)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Continue").click()
            mail = mailbox.wait_for(to=email, subject_contains="code")
            shot("sign-in-code")
            page.get_by_label("Code").fill(re.search(r"\b(\d{6})\b", mail.text).group(1))
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("heading", name="Your dashboard").wait_for()
            shot("dashboard")
            page.goto("/requests/new?form=ehc_needs_assessment")
            page.get_by_role("heading", name="About you").wait_for()
            request_url = page.url
            page.goto(request_url.replace("about-you", "child"))
            page.get_by_role("heading", name="The child or young person").wait_for()
            shot("request-child")
            page.goto(request_url.replace("about-you", "documents"))
            page.get_by_role("heading", name="Supporting documents").wait_for()
            page.get_by_role("button", name="Save and continue").click()
            page.locator("#error-summary").wait_for()
            shot("request-documents")
            page.goto("/requests")
            page.get_by_role("heading", name="Your requests").wait_for()
            shot("my-requests")
            page.goto("/dev/mailbox")
            shot("dev-mailbox")
            staff_pages(browser, portal, mailbox)
            browser.close()
    finally:
        stop_portal(portal)
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main()
