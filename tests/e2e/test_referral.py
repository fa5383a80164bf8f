"""The Request for an EHC needs assessment, end to end, in a real browser."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.harness import Mailbox, Portal, assert_accessible, create_account
from tests.e2e.journeys import PASSWORD, heading_is, sign_in

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# A second, different plan: the same bytes twice in one slot are refused as a duplicate.
OTHER_PDF = MINIMAL_PDF + b"% spring term\n"
MINIMAL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def save(page: Page) -> None:
    page.get_by_role("button", name="Save and continue").click()


def fill(page: Page, field_id: str, value: str) -> None:
    page.locator(f"[id='{field_id}']").fill(value)


def tick(page: Page, field_id: str) -> None:
    page.locator(f"[id='{field_id}']").check()


def upload(page: Page, tmp_path: Path, slot_label: str, name: str, content: bytes) -> None:
    """The slot's own "Choose a file" button, then the file: it uploads as soon as it is chosen."""
    path = tmp_path / name
    path.write_bytes(content)
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=f"Choose a file for {slot_label}", exact=True).click()
    chooser.value.set_files(str(path))


def new_professional(portal: Portal, mailbox: Mailbox, page: Page) -> str:
    email = f"senco-{uuid.uuid4().hex[:8]}@school.example.org"
    create_account(portal, email=email, password=PASSWORD, first_name="Alice")
    sign_in(page, mailbox, email)
    return email


def fill_until_documents(page: Page) -> None:
    heading_is(page, "About you")
    # Pre-filled from the account.
    expect(page.locator("[id='referrer_first_name']")).to_have_value("Alice")
    assert_accessible(page, context="request: about you")
    page.locator("[id='referrer_role']").select_option(label="SENCO")
    fill(page, "referrer_organisation", "Hanley Park Primary School")
    fill(page, "referrer_phone", "01782 234567")
    save(page)

    heading_is(page, "The child or young person")
    fill(page, "child_first_name", "Jamie")
    fill(page, "child_last_name", "Rivers")
    fill(page, "child_date_of_birth.day", "5")
    fill(page, "child_date_of_birth.month", "3")
    fill(page, "child_date_of_birth.year", "2016")
    tick(page, "child_gender-1")
    # The address field reuses the postcode finder; the lines stay editable.
    fill(page, "child_home_address.postcode", "st4 1hh")
    page.get_by_role("button", name="Find address for Home address").click()
    chooser = page.locator("[id='child_home_address-select']")
    expect(chooser).to_be_visible()
    chooser.select_option(index=1)
    expect(page.locator("[id='child_home_address.line1']")).not_to_have_value("")
    expect(page.locator("[id='child_home_address.postcode']")).to_have_value("ST4 1HH")
    fill(page, "child_nhs_number", "943 476 5919")
    fill(page, "child_first_language", "English")
    tick(page, "interpreter_needed-1")
    # "Show only when": choosing Yes reveals the follow-up question at once.
    tick(page, "looked_after-0")
    expect(page.locator("[id='looked_after_authority']")).to_be_visible()
    tick(page, "looked_after-1")
    expect(page.locator("[id='looked_after_authority']")).to_have_count(0)
    fill(page, "current_setting", "Hanley Park Primary School")
    page.locator("[id='year_group']").select_option(label="Year 4")
    assert_accessible(page, context="request: child")
    save(page)

    heading_is(page, "Parents and carers with parental responsibility")
    assert_accessible(page, context="request: parents and carers with parental responsibility")
    fill(page, "parents[0].full_name", "Morgan Rivers")
    fill(page, "parents[0].relationship", "Mother")
    tick(page, "parents[0].has_parental_responsibility-0")
    fill(page, "parents[0].phone", "07700 900123")
    tick(page, "parents[0].lives_with_child-0")
    save(page)

    heading_is(page, "Special educational needs")
    assert_accessible(page, context="request: special educational needs")
    page.locator("[id='primary_sen_type']").select_option(value="SLCN")
    fill(page, "needs_description", "Significant speech, language and communication needs.")
    save(page)

    heading_is(page, "Support so far (the graduated approach)")
    assert_accessible(page, context="request: support so far (the graduated approach)")
    fill(page, "sen_support_since.day", "1")
    fill(page, "sen_support_since.month", "9")
    fill(page, "sen_support_since.year", "2023")
    fill(page, "apdr_cycles", "3")
    fill(page, "interventions_and_impact", "Speech and language therapy twice weekly; limited progress.")
    save(page)

    heading_is(page, "Views of the child and family")
    assert_accessible(page, context="request: views of the child and family")
    fill(page, "child_views", "Jamie says school is noisy and hard.")
    fill(page, "parent_views", "We agree Jamie needs more help.")
    save(page)

    heading_is(page, "Professionals involved in the last 18 months")
    assert_accessible(page, context="request: professionals involved in the last 18 months")
    save(page)

    heading_is(page, "Consent")
    assert_accessible(page, context="request: consent")
    tick(page, "parents_agree-0")
    tick(page, "information_sharing_consent-0")
    save(page)
    heading_is(page, "Supporting documents")


def send_complete_request(page: Page, tmp_path: Path) -> str:
    """Fill in and send a whole EHC request as the signed-in professional; returns its reference."""
    page.goto("/requests/new?form=ehc_needs_assessment")
    fill_until_documents(page)
    plans = "The two most recent reviewed SEN support plans"
    for slot, name, content in (
        (plans, "plan-autumn.pdf", MINIMAL_PDF),
        (plans, "plan-spring.pdf", OTHER_PDF),
        ("Latest progress and attainment data", "progress.png", MINIMAL_PNG),
        ("Signed consent form", "consent.pdf", MINIMAL_PDF),
    ):
        upload(page, tmp_path, slot, name, content)
        expect(page.get_by_role("main")).to_contain_text(f"{name} has been uploaded")
    save(page)
    heading_is(page, "Declaration")
    tick(page, "declaration-0")
    save(page)
    heading_is(page, "Check your answers before sending your request")
    page.get_by_role("button", name="Send request").click()
    heading_is(page, "Request sent")
    return page.locator("#reference").inner_text()


def test_complete_and_submit_the_ehc_request_with_documents(
    page: Page, portal: Portal, mailbox: Mailbox, tmp_path: Path
) -> None:
    email = new_professional(portal, mailbox, page)
    page.goto("/requests/new?form=ehc_needs_assessment")
    fill_until_documents(page)

    # Documents are required: saving without them says which.
    save(page)
    expect(page.locator("#error-summary")).to_contain_text("SEN support plans")
    upload(page, tmp_path, "The two most recent reviewed SEN support plans", "plan-autumn.pdf", MINIMAL_PDF)
    expect(page.get_by_role("main")).to_contain_text("plan-autumn.pdf has been uploaded")
    # Saving part-way (still missing files) must not make the page forget uploads that follow.
    save(page)
    expect(page.locator("#error-summary")).to_contain_text("Upload both")
    upload(page, tmp_path, "The two most recent reviewed SEN support plans", "plan-spring.pdf", OTHER_PDF)
    expect(page.get_by_role("main")).to_contain_text("plan-spring.pdf has been uploaded")
    upload(page, tmp_path, "Latest progress and attainment data", "progress.png", MINIMAL_PNG)
    expect(page.get_by_role("main")).to_contain_text("progress.png has been uploaded")
    upload(page, tmp_path, "Signed consent form", "consent.pdf", MINIMAL_PDF)
    expect(page.get_by_role("main")).to_contain_text("consent.pdf has been uploaded")
    assert_accessible(page, context="request: documents")
    save(page)

    heading_is(page, "Declaration")
    assert_accessible(page, context="request: declaration")
    tick(page, "declaration-0")
    save(page)

    heading_is(page, "Check your answers before sending your request")
    expect(page.get_by_role("main")).to_contain_text("5 March 2016")
    expect(page.get_by_role("main")).to_contain_text("plan-autumn.pdf")
    expect(page.get_by_role("main")).to_contain_text("plan-spring.pdf")
    expect(page.get_by_role("main")).to_contain_text("Jamie")
    assert_accessible(page, context="request: check answers")
    page.get_by_role("button", name="Send request").click()

    heading_is(page, "Request sent")
    reference = page.locator("#reference").inner_text()
    assert re.fullmatch(r"EHC-\d{4}-\d{6}", reference), reference
    assert_accessible(page, context="request: sent")

    confirmation = mailbox.wait_for(to=email, subject_contains=reference)
    assert reference in confirmation.text
    assert "Jamie" not in confirmation.text and "Rivers" not in confirmation.text

    page.goto("/requests")
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Jamie Rivers")
    assert_accessible(page, context="your requests")
    row.get_by_role("link", name=reference).click()
    heading_is(page, f"Request {reference}")
    expect(page.get_by_role("link", name="plan-autumn.pdf")).to_be_visible()
    assert_accessible(page, context="request read back")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"MZ\x90\x00" + b"\x00" * 200, "is not a PDF"),
        ("huge-scan.pdf", MINIMAL_PDF + b"\x00" * (21 * 1024 * 1024), "must be smaller than 20MB"),
    ],
    ids=["exe-renamed-pdf", "over-the-size-limit"],
)
def test_a_disguised_executable_is_refused_with_a_clear_message(
    page: Page, portal: Portal, mailbox: Mailbox, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    new_professional(portal, mailbox, page)
    page.goto("/requests/new?form=ehc_needs_assessment")
    fill_until_documents(page)
    upload(page, tmp_path, "Signed consent form", name, content)
    expect(page.locator("#upload-error")).to_contain_text(message)
    expect(page.locator("#upload-error")).to_contain_text(name)
