"""Account vetting in the browser: a new professional waits, staff approve, an admin disables."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, col, select

from sen_portal.db import make_engine
from sen_portal.models import AuditEvent, UserAccount
from tests.e2e.harness import CAPTURE_WEBSOCKET, Mailbox, Portal, assert_accessible, create_account, send_event
from tests.e2e.journeys import start_request
from tests.e2e.test_referral import PASSWORD, heading_is, sign_in


def _account(portal: Portal, email: str) -> UserAccount:
    engine = make_engine(portal.env["DATABASE_URL"])
    with Session(engine) as session:
        user = session.exec(select(UserAccount).where(UserAccount.email == email)).one()
        session.expunge(user)
    engine.dispose()
    return user


def _refusals(portal: Portal, user_id: int) -> list[AuditEvent]:
    engine = make_engine(portal.env["DATABASE_URL"])
    with Session(engine) as session:
        rows = session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "access_refused", AuditEvent.actor_user_id == user_id)
        ).all()
    engine.dispose()
    return list(rows)


def test_a_new_professional_waits_for_approval_then_an_admin_can_disable_them(
    page: Page, browser: Browser, portal: Portal, mailbox: Mailbox
) -> None:
    professional = f"new-{uuid.uuid4().hex[:8]}@school.example.org"
    create_account(portal, email=professional, password=PASSWORD, first_name="Nia", approval_status="pending")
    page.context.add_init_script(CAPTURE_WEBSOCKET)
    sign_in(page, mailbox, professional)
    expect(page.locator("#awaiting-approval")).to_contain_text("waiting for approval")

    # Drafting works; sending is refused with the reason, beside the button and in the summary.
    request_id = start_request(page)
    page.goto(f"/requests/check?id={request_id}")
    heading_is(page, "Check your answers before sending your request")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator("#error-summary")).to_contain_text("until the SEN team has approved your account")
    expect(page.locator("#send-request-error")).to_be_visible()

    # Approving oneself with a hand-made staff event is refused, and the refusal is audited.
    from sen_portal.state.staff_accounts import StaffAccountsState

    me = _account(portal, professional)
    received = len(page.evaluate("window.__received"))
    send_event(page, handler=f"{StaffAccountsState.get_full_name()}.approve", payload={"user_id": str(me.id)})
    page.wait_for_function(f"window.__received.length > {received}")
    page.wait_for_timeout(300)
    assert _account(portal, professional).approval_status == "pending"
    assert _refusals(portal, me.id or 0)
    page.goto("/staff/accounts")
    heading_is(page, "You do not have access to this page")

    # A caseworker approves the account; the professional is emailed and can now send.
    staff_context = browser.new_context(base_url=portal.url)
    staff_page = staff_context.new_page()
    caseworker = f"case-{uuid.uuid4().hex[:8]}@council.example.gov.uk"
    create_account(portal, email=caseworker, password=PASSWORD, role="caseworker", first_name="Chris")
    sign_in(staff_page, mailbox, caseworker)
    staff_page.get_by_role("link", name="Accounts").click()
    heading_is(staff_page, "Accounts")
    row = staff_page.get_by_role("row").filter(has_text=professional)
    expect(row).to_contain_text("Nia Taylor")
    assert_accessible(staff_page, context="staff accounts")
    row.get_by_role("button", name=f"Approve {professional}").click()
    expect(staff_page.get_by_role("status")).to_contain_text("Account approved")
    expect(staff_page.get_by_role("row").filter(has_text=professional)).to_have_count(0)
    assert "approved" in mailbox.wait_for(to=professional, subject_contains="approved").subject
    staff_context.close()

    page.goto("/dashboard")
    heading_is(page, "Your dashboard")
    expect(page.locator("#awaiting-approval")).to_have_count(0)

    # An admin disables the account: the professional's session ends at once.
    admin_context = browser.new_context(base_url=portal.url)
    admin_page = admin_context.new_page()
    admin = f"admin-{uuid.uuid4().hex[:8]}@council.example.gov.uk"
    create_account(portal, email=admin, password=PASSWORD, role="admin", first_name="Ade")
    sign_in(admin_page, mailbox, admin)
    admin_page.goto("/staff/accounts")
    admin_page.get_by_label("Email address or name").fill(professional)
    admin_page.get_by_role("button", name="Find accounts").click()
    admin_page.get_by_role("button", name=f"Disable {professional}").click()
    expect(admin_page.get_by_role("status")).to_contain_text("Account disabled")
    assert_accessible(admin_page, context="staff accounts, admin")
    admin_context.close()

    page.goto("/requests")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/requests"))
