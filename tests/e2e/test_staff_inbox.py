"""Council staff work a referral in a real browser; professionals cannot reach the staff side."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from tests.e2e.harness import CAPTURE_WEBSOCKET, Mailbox, Portal, assert_accessible, send_event
from tests.e2e.journeys import create_staff_with_cli, sign_in
from tests.e2e.test_referral import PASSWORD, new_professional, send_complete_request


def _audit(portal: Portal, action: str, email: str) -> list:
    from sen_portal.db import make_engine
    from sen_portal.models import AuditEvent

    engine = make_engine(portal.env["DATABASE_URL"])
    with Session(engine) as session:
        rows = list(
            session.exec(select(AuditEvent).where(AuditEvent.action == action, AuditEvent.actor_email == email))
        )
    engine.dispose()
    return rows


QUESTION = "Could you send the latest speech and language report, please?"
REPLY = "Attached to the request now; the therapist's report is dated May."


def test_a_caseworker_finds_assigns_and_moves_a_referral(
    browser: Browser, portal: Portal, mailbox: Mailbox, tmp_path: Path
) -> None:
    professional = browser.new_context(base_url=portal.url, viewport={"width": 1100, "height": 900})
    professional.set_default_timeout(15_000)
    pro_page = professional.new_page()
    pro_email = new_professional(portal, mailbox, pro_page)
    reference = send_complete_request(pro_page, tmp_path)
    # Professionals have no Staff link.
    pro_page.goto("/dashboard")
    expect(pro_page.get_by_role("heading", level=1)).to_have_text("Your dashboard")
    expect(pro_page.get_by_role("link", name="Staff", exact=True)).to_have_count(0)
    professional.close()

    staff = browser.new_context(base_url=portal.url, viewport={"width": 1280, "height": 900})
    staff.set_default_timeout(15_000)
    page = staff.new_page()
    email = create_staff_with_cli(page, portal, mailbox)
    sign_in(page, mailbox, email)
    page.get_by_role("link", name="Staff", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals")
    expect(page.locator("#result-count")).to_contain_text("referral")
    assert_accessible(page, context="staff inbox")

    page.get_by_label("Search by reference or child's name").fill(reference)
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#result-count")).to_have_text("1 referral")
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Jamie Rivers")
    expect(row).to_contain_text("Submitted")
    expect(row).to_contain_text("days left")
    # The CSV link carries the same filters.
    expect(page.get_by_role("link", name=re.compile("CSV"))).to_have_attribute("href", re.compile(reference))

    row.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Referral {reference}")
    expect(page.get_by_role("main")).to_contain_text("5 March 2016")  # the answers, read back
    expect(page.get_by_role("link", name="plan-autumn.pdf")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("Submitted")
    assert_accessible(page, context="staff referral")

    page.get_by_role("button", name="Assign to me").click()
    expect(page.locator("#assigned-caseworker")).to_have_text("Casey Worker")
    expect(page.locator("#caseworker option:checked")).to_have_text("Casey Worker")
    # Only the statuses the workflow allows next are offered.
    options = page.locator("#to_status option").all_inner_texts()
    assert options == ["Received", "More information requested"], options
    page.get_by_label("New status").select_option(label="Received")
    page.get_by_label("Note", exact=True).fill("Checked the documents are all there.")
    page.get_by_role("button", name="Change status").click()
    expect(page.locator("#status")).to_have_text("Received")
    expect(page.locator("#timeline")).to_contain_text("Received")
    expect(page.locator("#timeline")).to_contain_text("Checked the documents are all there.")
    expect(page.locator("#timeline")).to_contain_text("Casey Worker")

    # Declining needs a reason: said beside the field and in the summary.
    page.get_by_label("New status").select_option(label="Under consideration")
    page.get_by_role("button", name="Change status").click()
    expect(page.locator("#status")).to_have_text("Under consideration")
    page.get_by_label("New status").select_option(label="Declined to assess")
    page.get_by_role("button", name="Change status").click()
    expect(page.locator("#error-summary")).to_contain_text("Enter the reason for declining")
    expect(page.locator("#reason-error")).to_be_visible()
    expect(page.locator("#status")).to_have_text("Under consideration")
    assert_accessible(page, context="staff referral with an error")

    # Staff download the documents and the CSV through the authorised routes; both are audited.
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in staff.cookies())
    document_href = page.get_by_role("link", name="plan-autumn.pdf").get_attribute("href")
    assert _get(portal.url + str(document_href), cookie) == 200
    assert _audit(portal, "document_downloaded", email)
    request = urllib.request.Request(f"{portal.url}/api/staff/inbox.csv?q={reference}", headers={"Cookie": cookie})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Disposition"].startswith("attachment;")
        exported = response.read().decode()
    assert reference in exported and "Jamie Rivers" in exported and len(exported.strip().splitlines()) == 2
    assert [e.detail["rows"] for e in _audit(portal, "inbox_exported", email)] == [1]

    assert _audit(portal, "referral_viewed", email)
    assert [e.detail for e in _audit(portal, "referral_status_changed", email)][:1] == [
        {"from": "submitted", "to": "received"}
    ]

    # The caseworker writes to the referrer from the referral page.
    page.get_by_role("link", name="Messages with the referrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Messages about {reference}")
    page.get_by_label("Your message").fill(QUESTION)
    page.get_by_role("button", name="Send message").click()
    expect(page.locator("#messages")).to_contain_text(QUESTION)

    # The professional is told a message is waiting, and nothing more; they sign in, read and reply.
    alert = mailbox.wait_for(to=pro_email, subject_contains="new message")
    for leaked in (QUESTION, "speech", "Jamie", "Rivers"):
        assert leaked not in alert.text and leaked not in alert.html and leaked not in alert.subject
    link = next(url for url in alert.links() if "/messages/thread" in url)
    professional = browser.new_context(base_url=portal.url, viewport={"width": 1100, "height": 900})
    professional.set_default_timeout(15_000)
    pro_page = professional.new_page()
    pro_page.goto(link)  # signed out: through sign-in and back to the thread
    expect(pro_page).to_have_url(re.compile(r"/sign-in/?\?next="))
    sign_in(pro_page, mailbox, pro_email, path=pro_page.url, lands_on=f"Messages about {reference}")
    expect(pro_page.locator("#messages")).to_contain_text(QUESTION)
    pro_page.get_by_label("Your message").fill(REPLY)
    pro_page.get_by_role("button", name="Send message").click()
    expect(pro_page.locator("#messages")).to_contain_text(REPLY)
    professional.close()

    # The caseworker sees the unread reply: in the inbox row and in the header.
    page.goto("/staff")
    page.get_by_label("Search by reference or child's name").fill(reference)
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#result-count")).to_have_text("1 referral")
    expect(page.locator("#messages-link")).to_have_accessible_name(re.compile(r"^Messages\s*,?\s*1 unread$"))
    expect(page.get_by_role("row").filter(has_text=reference)).to_contain_text("1 unread")
    page.locator("#messages-link").click()
    page.get_by_role("row").filter(has_text=reference).get_by_role("link", name=reference).click()
    expect(page.locator("#messages")).to_contain_text(REPLY)
    assert _audit(portal, "message_sent", email) and _audit(portal, "message_sent", pro_email)
    staff.close()


def _get(url: str, cookie: str) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_professional_is_refused_the_staff_side_and_it_is_audited(
    page: Page, portal: Portal, mailbox: Mailbox
) -> None:
    page.context.add_init_script(CAPTURE_WEBSOCKET)
    email = new_professional(portal, mailbox, page)

    page.goto("/staff")
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access to this page")
    expect(page.get_by_role("main")).not_to_contain_text("Referrals inbox")

    # A hand-made event for a staff handler is refused (and audited) like the page.
    from sen_portal.state.staff_inbox import StaffInboxState
    from sen_portal.state.staff_referral import StaffReferralState

    refused_before = len(_audit(portal, "access_refused", email))
    received_before = len(page.evaluate("window.__received"))
    send_event(page, handler=f"{StaffInboxState.get_full_name()}.go_to_page", payload={"page": 1})
    send_event(page, handler=f"{StaffReferralState.get_full_name()}.assign_to_me", payload={})
    page.wait_for_function(f"window.__received.length > {received_before + 1}")
    page.wait_for_timeout(500)
    expect(page.get_by_role("main")).not_to_contain_text("EHC-")
    refusals = _audit(portal, "access_refused", email)
    assert len(refusals) >= refused_before + 2
    assert {r.detail["state"] for r in refusals} >= {
        StaffInboxState.get_full_name(),
        StaffReferralState.get_full_name(),
    }
    assert _audit(portal, "referral_assigned", email) == []

    # The CSV route checks the session and the role itself.
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    before = len(_audit(portal, "access_refused", email))
    assert _get(f"{portal.url}/api/staff/inbox.csv", cookie) == 403
    assert _get(f"{portal.url}/api/staff/inbox.csv", "") == 403
    route_refusals = _audit(portal, "access_refused", email)[before:]
    assert [(r.object_type, r.object_id) for r in route_refusals] == [("route", "/api/staff/inbox.csv")]
    assert _audit(portal, "inbox_exported", email) == []


def test_the_audit_log_is_for_admins_only(browser: Browser, portal: Portal, mailbox: Mailbox) -> None:
    from tests.e2e.harness import create_account

    caseworker = f"cw-{uuid.uuid4().hex[:8]}@council.example.gov.uk"
    create_account(portal, email=caseworker, password=PASSWORD, role="caseworker", first_name="Cai")
    context = browser.new_context(base_url=portal.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, mailbox, caseworker)
    page.goto("/staff/audit")
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access to this page")
    page.goto("/staff")
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals")
    expect(page.get_by_role("link", name="Audit log")).to_have_count(0)
    context.close()

    admin = f"admin-{uuid.uuid4().hex[:8]}@council.example.gov.uk"
    create_account(portal, email=admin, password=PASSWORD, role="admin", first_name="Ada")
    context = browser.new_context(base_url=portal.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, mailbox, admin)
    page.goto("/staff")
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    page.get_by_label("Action").select_option(value="access_refused")
    page.get_by_label("Person's email address").fill(caseworker)
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#audit-count")).to_have_text("1 entry")
    expect(page.get_by_role("row").filter(has_text=caseworker)).to_contain_text("/staff/audit")
    assert_accessible(page, context="staff audit log")
    page.get_by_label("To").fill("2001-02-28")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#audit-count")).to_have_text("0 entries")
    context.close()
