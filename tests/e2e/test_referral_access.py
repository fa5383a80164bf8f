"""A professional sees only their own requests and documents: by page URL, by event handler, by route."""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from tests.e2e.harness import CAPTURE_WEBSOCKET, Mailbox, Portal, create_account, send_event
from tests.e2e.test_referral import MINIMAL_PDF, PASSWORD, sign_in, upload


def _db(portal: Portal):
    from sen_portal.db import make_engine

    return make_engine(portal.env["DATABASE_URL"])


def _documents_of(portal: Portal, email: str) -> list:
    from sqlmodel import Session

    from sen_portal.models import StoredDocument, UserAccount

    engine = _db(portal)
    with Session(engine) as session:
        user = session.exec(select(UserAccount).where(UserAccount.email == email)).one()
        rows = list(session.exec(select(StoredDocument).where(StoredDocument.owner_user_id == user.id)))
    engine.dispose()
    return rows


def _refusals(portal: Portal, email: str) -> list:
    from sen_portal.models import AuditEvent

    engine = _db(portal)
    with Session(engine) as session:
        rows = list(
            session.exec(
                select(AuditEvent).where(AuditEvent.action == "access_refused", AuditEvent.actor_email == email)
            )
        )
    engine.dispose()
    return rows


def _status(url: str, cookie: str = "") -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_second_professional_cannot_reach_the_first_ones_request_or_document(
    page: Page, browser: Browser, portal: Portal, mailbox: Mailbox, tmp_path: Path
) -> None:
    owner = f"owner-{uuid.uuid4().hex[:8]}@school.example.org"
    create_account(portal, email=owner, password=PASSWORD, first_name="Olive")
    page.context.add_init_script(CAPTURE_WEBSOCKET)
    sign_in(page, mailbox, owner)
    page.goto("/requests/new?form=ehc_needs_assessment")
    expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    request_id = page.url.split("id=")[1].split("&")[0]
    page.goto(f"/requests/section?id={request_id}&section=documents")
    upload(page, tmp_path, "Signed consent form", "consent.pdf", MINIMAL_PDF)
    expect(page.get_by_role("main")).to_contain_text("consent.pdf has been uploaded")
    [document] = _documents_of(portal, owner)

    # The owner downloads it, as an attachment the browser will not render in our origin.
    download_url = f"{portal.url}/documents/{document.public_id}"
    owner_cookie = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    with urllib.request.urlopen(urllib.request.Request(download_url, headers={"Cookie": owner_cookie})) as response:
        assert response.read() == MINIMAL_PDF
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"

    # Nobody reaches it without a session, and nothing of ours is under Reflex's public /_upload.
    assert _status(download_url) == 404
    for public_path in (f"/_upload/{document.storage_name}", "/_upload/consent.pdf", f"/_upload/{document.public_id}"):
        assert _status(portal.url + public_path) != 200, public_path

    # A second professional, signed in, in another browser.
    intruder_context = browser.new_context(base_url=portal.url)
    intruder_context.add_init_script(CAPTURE_WEBSOCKET)
    intruder = intruder_context.new_page()
    other = f"other-{uuid.uuid4().hex[:8]}@school.example.org"
    create_account(portal, email=other, password=PASSWORD)
    sign_in(intruder, mailbox, other)

    # By page URL.
    for path in (f"/requests/view?id={request_id}", f"/requests/section?id={request_id}&section=documents"):
        intruder.goto(path)
        expect(intruder.get_by_role("heading", level=1)).to_have_text("Request not found")
        expect(intruder.get_by_role("main")).not_to_contain_text("consent.pdf")

    # By the download route, with their own valid session.
    intruder_cookie = "; ".join(f"{c['name']}={c['value']}" for c in intruder_context.cookies())
    assert _status(download_url, intruder_cookie) == 404
    # ...and the attempt is in the audit log for staff to see (who, which document; nothing else).
    refusals = _refusals(portal, other)
    assert [(r.object_type, r.object_id, r.outcome) for r in refusals] == [("document", document.public_id, "refused")]

    # By calling event handlers directly over the websocket, with the owner's ids as arguments.
    intruder.goto("/requests/new?form=ehc_needs_assessment")
    expect(intruder.get_by_role("heading", level=1)).to_have_text("About you")
    from sen_portal.state.referral import ReferralState

    state = ReferralState.get_full_name()
    received_before = len(intruder.evaluate("window.__received"))
    send_event(intruder, handler=f"{state}.remove_document", payload={"document_id": document.public_id})
    send_event(intruder, handler=f"{state}.load_view", payload={})
    # The server answered the hand-made events (so they were processed), yet nothing of the owner's moved.
    intruder.wait_for_function(f"window.__received.length > {received_before + 1}")
    intruder.wait_for_timeout(500)
    assert [d.public_id for d in _documents_of(portal, owner) if d.deleted_at is None] == [document.public_id]
    intruder_context.close()

    # Without any session at all, the same hand-made event is refused too.
    anonymous_context = browser.new_context(base_url=portal.url)
    anonymous_context.add_init_script(CAPTURE_WEBSOCKET)
    anonymous = anonymous_context.new_page()
    anonymous.goto("/sign-in")
    expect(anonymous.get_by_role("heading", level=1)).to_have_text("Sign in")
    received_before = len(anonymous.evaluate("window.__received"))
    send_event(anonymous, handler=f"{state}.remove_document", payload={"document_id": document.public_id})
    anonymous.wait_for_function(f"window.__received.length > {received_before}")
    anonymous.wait_for_timeout(500)
    assert [d.public_id for d in _documents_of(portal, owner) if d.deleted_at is None] == [document.public_id]
    anonymous_context.close()

    # Control: the same hand-made event from the owner does remove it, so the refusal above was real.
    page.goto(f"/requests/section?id={request_id}&section=documents")
    expect(page.get_by_role("main")).to_contain_text("consent.pdf")
    send_event(page, handler=f"{state}.remove_document", payload={"document_id": document.public_id})
    expect(page.get_by_role("main")).to_contain_text("The file has been removed")
    assert [d.public_id for d in _documents_of(portal, owner) if d.deleted_at is None] == []
