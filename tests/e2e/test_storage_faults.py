"""Storage faults get words: an upload into a document store that cannot be written says so, the
slot works again once the store is back, and the operator's /metrics counts it (with the event
timings Reflex reports through its hook)."""

from __future__ import annotations

import re
import urllib.request
import uuid
from pathlib import Path

from playwright.sync_api import Page, expect

from sen_portal.services.documents.document_upload import STORE_UNAVAILABLE
from tests.e2e.harness import Mailbox, Portal, create_account
from tests.e2e.journeys import PASSWORD, sign_in
from tests.e2e.test_referral import MINIMAL_PDF, fill_until_documents, upload

SLOT = "Signed consent form"


def metrics_text(portal: Portal) -> str:
    """Straight to the worker from this machine, as the council's monitoring scrapes it."""
    with urllib.request.urlopen(f"{portal.url}/metrics", timeout=10) as response:
        return response.read().decode()


def metric(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def test_an_unwritable_store_is_told_in_words_and_the_slot_works_again(
    page: Page, portal: Portal, mailbox: Mailbox, tmp_path: Path
) -> None:
    email = f"senco-{uuid.uuid4().hex[:8]}@school.example.org"
    create_account(portal, email=email, password=PASSWORD, first_name="Alice")
    sign_in(page, mailbox, email)
    page.goto("/requests/new?form=ehc_needs_assessment")
    fill_until_documents(page)
    before = metrics_text(portal)

    # Where uploads arrive is made a plain file: nothing can be written there, even by root.
    incoming = Path(portal.env["DOCUMENT_STORE_DIR"]) / "incoming"
    aside = incoming.with_name("incoming.aside")
    incoming.parent.mkdir(parents=True, exist_ok=True)
    if incoming.exists():
        incoming.rename(aside)
    incoming.write_text("not a folder")
    try:
        upload(page, tmp_path, SLOT, "consent.pdf", MINIMAL_PDF)
        expect(page.locator("#upload-error")).to_contain_text(STORE_UNAVAILABLE)
        expect(page.get_by_role("button", name=f"Choose a file for {SLOT}")).to_be_enabled()
    finally:
        incoming.unlink()
        if aside.exists():
            aside.rename(incoming)
    assert "could not store an upload in DOCUMENT_STORE_DIR" in portal.log_text()

    # The store is back: the same slot takes the file.
    upload(page, tmp_path, SLOT, "consent.pdf", MINIMAL_PDF)
    expect(page.get_by_role("main")).to_contain_text("consent.pdf has been uploaded")
    expect(page.locator("#upload-error")).to_have_count(0)

    after = metrics_text(portal)
    failures = "sen_portal_document_storage_failures_total"
    assert metric(after, failures) == metric(before, failures) + 1
    assert metric(after, "sen_portal_upload_bytes_total") >= metric(before, "sen_portal_upload_bytes_total") + len(
        MINIMAL_PDF
    )
    # Every page event went through Reflex's timing hook into the histogram.
    assert re.search(r'^sen_portal_event_duration_seconds_count\{handler="[^"]+"\} [1-9]', after, re.MULTILINE)
