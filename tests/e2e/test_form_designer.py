"""The form designer in a real browser: an admin changes the EHC request and creates a new form, professionals
answer and submit them, and nothing is restarted or rebuilt in between."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from tests.e2e.harness import CAPTURE_WEBSOCKET, Mailbox, Portal, assert_accessible, create_account, send_event
from tests.e2e.test_referral import (
    MINIMAL_PDF,
    MINIMAL_PNG,
    OTHER_PDF,
    PASSWORD,
    fill,
    fill_until_documents,
    heading_is,
    new_professional,
    save,
    sign_in,
    tick,
    upload,
)


@pytest.fixture(scope="module", autouse=True)
def shipped_forms_afterwards(portal: Portal) -> Iterator[None]:
    """These tests publish an EHC version with a new required question; the other modules' journeys send
    EHC requests on the same portal, so the shipped definition is published again when they finish
    (pass or fail). A second portal would be cleaner, but two in one project folder share its .web build."""
    yield
    from sen_portal.db import make_engine, session_scope
    from sen_portal.forms import shipped_definition_data
    from sen_portal.services.referrals.drafts import publish_version

    engine = make_engine(portal.env["DATABASE_URL"])
    with session_scope(engine) as session:
        publish_version(session, definition=shipped_definition_data("ehc_needs_assessment"))
    engine.dispose()


NEW_QUESTION = "Has the family seen this request before it is sent?"
NEW_NAME = "has_the_family_seen_this_request_before_it_is_sent"


def new_admin(portal: Portal, mailbox: Mailbox, page: Page) -> str:
    email = f"admin-{uuid.uuid4().hex[:8]}@council.example.gov.uk"
    create_account(portal, email=email, password=PASSWORD, role="admin", first_name="Ada")
    sign_in(page, mailbox, email)
    return email


def second_page(browser: Browser, portal: Portal) -> Page:
    context = browser.new_context(base_url=portal.url, viewport={"width": 1100, "height": 900})
    context.set_default_timeout(15_000)
    return context.new_page()


def caseworker_reads(
    browser: Browser, portal: Portal, mailbox: Mailbox, reference: str, *texts: str, answer: tuple[str, str] = ("", "")
) -> None:
    """A caseworker finds the referral in the staff inbox and reads the answers on its page."""
    page = second_page(browser, portal)
    email = f"casey-{uuid.uuid4().hex[:8]}@council.example.gov.uk"
    create_account(portal, email=email, password=PASSWORD, role="caseworker", first_name="Casey")
    sign_in(page, mailbox, email)
    page.goto("/staff")
    page.get_by_label("Search by reference or child's name").fill(reference)
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#result-count")).to_have_text("1 referral")
    page.get_by_role("row").filter(has_text=reference).get_by_role("link", name=reference).click()
    heading_is(page, f"Referral {reference}")
    for text in texts:
        expect(page.get_by_role("main")).to_contain_text(text)
    question, value = answer
    if question:
        expect(page.get_by_role("row").filter(has_text=question)).to_contain_text(value)
    page.context.close()


def stored_answers(portal: Portal, reference: str) -> dict:
    from sen_portal.db import make_engine
    from sen_portal.models import Referral

    engine = make_engine(portal.env["DATABASE_URL"])
    with Session(engine) as session:
        referral = session.exec(select(Referral).where(Referral.reference == reference)).one()
        answers = dict(referral.answers)
    engine.dispose()
    return answers


def test_admin_adds_a_conditional_question_previews_publishes_and_it_is_answered(
    page: Page, browser: Browser, portal: Portal, mailbox: Mailbox, tmp_path: Path
) -> None:
    new_admin(portal, mailbox, page)
    page.get_by_role("link", name="Forms", exact=True).click()  # from the dashboard
    heading_is(page, "Forms")
    expect(page.get_by_role("main")).to_contain_text("Request for an EHC needs assessment")
    assert_accessible(page, context="designer: forms list")
    page.get_by_role("link", name="Edit draft of Request for an EHC needs assessment").click()
    heading_is(page, "Edit Request for an EHC needs assessment")
    expect(page.get_by_role("banner")).to_contain_text("Ada Taylor")  # the header knows who is signed in
    expect(page.get_by_role("navigation", name="Staff").get_by_role("link", name="Lookup lists")).to_be_visible()
    assert_accessible(page, context="designer: edit draft")

    # Add a required yes/no question to the last section, by keyboard only.
    where = "section Declaration"
    page.get_by_label(f"Type of question to add to {where}").focus()
    page.get_by_label(f"Type of question to add to {where}").select_option(label="Yes or no")
    page.keyboard.press("Tab")
    page.keyboard.type(NEW_QUESTION)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text(f"Question added: {NEW_QUESTION}")
    expect(page.get_by_role("heading", name=NEW_QUESTION)).to_be_visible()

    # Reorder by keyboard: up above the declaration, then back down.
    page.get_by_role("button", name=f"Move up {NEW_QUESTION}").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Moved up")
    page.get_by_role("button", name=f"Move down {NEW_QUESTION}").press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Moved down")

    # Its settings: required stays ticked; show it only when the parents agreed (an earlier answer).
    page.get_by_role("link", name=f"Edit {NEW_QUESTION}").click()
    heading_is(page, NEW_QUESTION)
    expect(page.get_by_role("main")).to_contain_text(NEW_NAME)
    expect(page.get_by_label("An answer is required")).to_be_checked()
    assert_accessible(page, context="designer: edit question")
    page.get_by_label("Show only when this earlier answer…").select_option(value="parents_agree")
    page.get_by_label("…is one of (separate values with commas)").fill("maybe")
    page.get_by_role("button", name="Save changes").click()
    # An impossible value is the engine's problem, shown beside the question being edited.
    expect(page.locator("#item-problems")).to_contain_text("can never be an answer to 'parents_agree'")
    page.get_by_label("…is one of (separate values with commas)").fill("yes")
    page.get_by_role("button", name="Save changes").click()
    heading_is(page, "Edit Request for an EHC needs assessment")
    expect(page.get_by_role("main")).to_contain_text("Shown only when parents_agree is yes")
    expect(page.get_by_role("main")).to_contain_text("No problems: this draft can be published.")

    # Preview exactly as a professional sees it, with working validation, saving nothing.
    page.get_by_role("link", name="Preview", exact=True).click()
    heading_is(page, "About you")
    page.get_by_role("button", name="Go to Consent").click()
    heading_is(page, "Consent")
    tick(page, "parents_agree-0")
    page.get_by_role("button", name="Go to Declaration").click()
    heading_is(page, "Declaration")
    expect(page.locator(f"[id='{NEW_NAME}']")).to_be_visible()
    assert_accessible(page, context="designer: preview")
    page.get_by_role("button", name="Check this page").click()
    expect(page.locator(f"[id='{NEW_NAME}-error']")).to_be_visible()
    tick(page, f"{NEW_NAME}-0")
    tick(page, "declaration-0")
    page.get_by_role("button", name="Check this page").click()
    expect(page.get_by_role("status").first).to_contain_text("No problems")

    # Publish, after seeing what changed.
    page.goto("/staff/forms/publish?key=ehc_needs_assessment")
    heading_is(page, "Publish this draft")
    expect(page.locator("#changes")).to_contain_text(f"Question added to 'Declaration': '{NEW_QUESTION}'")
    assert_accessible(page, context="designer: publish")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status").first).to_contain_text(re.compile(r"Version \d+ is live"))

    # A professional gets the new question at once (no restart, no rebuild) and answers it.
    professional = second_page(browser, portal)
    new_professional(portal, mailbox, professional)
    professional.goto("/requests/new?form=ehc_needs_assessment")
    fill_until_documents(professional)
    upload(professional, tmp_path, "The two most recent reviewed SEN support plans", "a.pdf", MINIMAL_PDF)
    expect(professional.get_by_role("main")).to_contain_text("a.pdf has been uploaded")
    upload(professional, tmp_path, "The two most recent reviewed SEN support plans", "b.pdf", OTHER_PDF)
    expect(professional.get_by_role("main")).to_contain_text("b.pdf has been uploaded")
    upload(professional, tmp_path, "Latest progress and attainment data", "c.png", MINIMAL_PNG)
    expect(professional.get_by_role("main")).to_contain_text("c.png has been uploaded")
    upload(professional, tmp_path, "Signed consent form", "d.pdf", MINIMAL_PDF)
    expect(professional.get_by_role("main")).to_contain_text("d.pdf has been uploaded")
    save(professional)
    heading_is(professional, "Declaration")
    tick(professional, "declaration-0")
    save(professional)
    expect(professional.locator("#error-summary")).to_be_visible()  # the new question is required
    tick(professional, f"{NEW_NAME}-0")
    save(professional)
    heading_is(professional, "Check your answers before sending your request")
    expect(professional.get_by_role("main")).to_contain_text(NEW_QUESTION)
    professional.get_by_role("button", name="Send request").click()
    heading_is(professional, "Request sent")
    reference = professional.locator("#reference").inner_text()
    assert re.fullmatch(r"EHC-\d{4}-\d{6}", reference)

    # The answer is stored under the question's stable name, and a caseworker reads it on the referral page.
    assert stored_answers(portal, reference)[NEW_NAME] == "yes"
    caseworker_reads(browser, portal, mailbox, reference, answer=(NEW_QUESTION, "Yes"))


def test_a_new_two_section_form_from_blank_is_published_and_submitted(
    page: Page, browser: Browser, portal: Portal, mailbox: Mailbox
) -> None:
    new_admin(portal, mailbox, page)
    page.goto("/staff/forms")
    heading_is(page, "Forms")
    page.get_by_label("Form title").fill("Short breaks request")
    page.get_by_label("Reference prefix").fill("SBR")
    page.get_by_role("button", name="Create form").click()
    heading_is(page, "Edit Short breaks request")

    page.get_by_role("link", name="Edit section First section").click()
    heading_is(page, "First section")
    assert_accessible(page, context="designer: edit section")
    page.get_by_label("Section title").fill("About the child")
    page.get_by_role("button", name="Save changes").click()
    heading_is(page, "Edit Short breaks request")
    expect(page.get_by_role("heading", name="About the child")).to_be_visible()

    page.get_by_role("link", name="Edit First question").click()
    heading_is(page, "First question")
    page.get_by_label("Question", exact=True).fill("Child's full name")
    page.get_by_role("button", name="Save changes").click()
    heading_is(page, "Edit Short breaks request")
    expect(page.get_by_role("main")).to_contain_text("stored as first_question")  # renaming kept the name

    page.get_by_label("Section title").fill("Support needed")
    page.get_by_role("button", name="Add section").click()
    expect(page.get_by_role("heading", name="Support needed")).to_be_visible()
    where = "section Support needed"
    page.get_by_label(f"Type of question to add to {where}").select_option(label="Long text")
    page.get_by_label(f"Question to add to {where}", exact=True).fill("What support would help?")
    page.get_by_role("button", name=f"Add question to {where}").click()
    expect(page.get_by_role("heading", name="What support would help?")).to_be_visible()
    # A question added in the wrong section moves to another one, keeping its name.
    page.get_by_label(f"Type of question to add to {where}").select_option(label="Date")
    page.get_by_label(f"Question to add to {where}", exact=True).fill("Date of birth")
    page.get_by_role("button", name=f"Add question to {where}").click()
    page.get_by_role("link", name="Edit Date of birth").click()
    heading_is(page, "Date of birth")
    page.get_by_label("An answer is required").uncheck()
    page.get_by_role("button", name="Save changes").click()
    heading_is(page, "Edit Short breaks request")
    page.get_by_role("link", name="Edit Date of birth").click()
    page.get_by_label("Section", exact=True).select_option(label="About the child")
    page.get_by_role("button", name="Move question").click()
    heading_is(page, "Edit Short breaks request")
    expect(page.get_by_role("main")).to_contain_text("Date · Optional · stored as date_of_birth")

    # The section's starter question is not wanted here.
    page.get_by_role("button", name="Remove First question").last.click()
    expect(page.get_by_role("main")).to_contain_text("No problems: this draft can be published.")

    page.goto("/staff/forms/publish?key=short_breaks_request")
    expect(page.locator("#changes")).to_contain_text("A new form: 2 sections, 3 questions")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status").first).to_contain_text("Version 1 is live")

    professional = second_page(browser, portal)
    new_professional(portal, mailbox, professional)
    professional.goto("/requests")
    professional.get_by_role("link", name="Short breaks request").click()
    heading_is(professional, "About the child")
    expect(professional.get_by_text("Date of birth (optional)")).to_be_visible()
    fill(professional, "first_question", "Robin Ash")
    save(professional)
    heading_is(professional, "Support needed")
    save(professional)
    expect(professional.locator("#error-summary")).to_be_visible()
    fill(professional, "what_support_would_help", "Two weekends a month.")
    save(professional)
    heading_is(professional, "Check your answers before sending your request")
    professional.get_by_role("button", name="Send request").click()
    heading_is(professional, "Request sent")
    reference = professional.locator("#reference").inner_text()
    assert re.fullmatch(r"SBR-\d{4}-000001", reference), reference
    answers = stored_answers(portal, reference)
    assert answers["first_question"] == "Robin Ash"
    assert answers["what_support_would_help"] == "Two weekends a month."
    # It arrives in the staff inbox like any referral, with its own reference prefix.
    caseworker_reads(browser, portal, mailbox, reference, "Short breaks request", "Two weekends a month.")

    # Export the live version as YAML and import it again: it becomes the next draft, unchanged.
    page.goto("/staff/forms")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export YAML of Short breaks request version 1").click()
    exported = Path(download.value.path()).read_text()
    assert "key: short_breaks_request" in exported
    page.get_by_label("Form definition (YAML)").fill(exported)
    page.get_by_role("button", name="Import").click()
    heading_is(page, "Edit Short breaks request")
    expect(page.get_by_text("Draft version 2")).to_be_visible()
    expect(page.locator("#history")).to_contain_text("Live")
    page.goto("/staff/forms/publish?key=short_breaks_request")
    expect(page.get_by_role("main")).to_contain_text("Nothing has changed.")

    # A definition as large as the EHC request (about 20 kB) travels the same way; its draft is then discarded.
    page.goto("/staff/forms")
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile(r"^Export YAML of Request for an EHC needs assessment")).click()
    page.get_by_label("Form definition (YAML)").fill(Path(download.value.path()).read_text())
    page.get_by_role("button", name="Import").click()
    heading_is(page, "Edit Request for an EHC needs assessment")
    page.get_by_role("link", name="Publish", exact=True).click()
    expect(page.get_by_role("main")).to_contain_text("Nothing has changed.")
    page.get_by_role("button", name="Discard this draft").click()
    heading_is(page, "Forms")

    # Archiving takes it off "Start a new request".
    page.goto("/staff/forms")
    page.get_by_role("button", name="Archive Short breaks request").click()
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("button", name="Yes, archive it")).to_have_count(0)
    page.get_by_role("button", name="Archive Short breaks request").click()
    page.get_by_role("button", name="Yes, archive it").click()
    expect(page.get_by_role("status").first).to_contain_text("The form has been archived")
    professional.goto("/requests")
    expect(professional.get_by_role("heading", name="Start a new request")).to_be_visible()
    expect(professional.get_by_role("link", name="Short breaks request")).to_have_count(0)


def test_lookup_lists_page_adds_renames_and_retires(page: Page, portal: Portal, mailbox: Mailbox) -> None:
    new_admin(portal, mailbox, page)
    page.goto("/staff/lookups")
    heading_is(page, "Lookup lists")
    assert_accessible(page, context="designer: lookup lists")
    page.get_by_label("New entry for Professional role").fill("Play therapist")
    page.get_by_role("button", name="Add to Professional role").click()
    expect(page.get_by_role("status").first).to_contain_text("Play therapist added")
    page.get_by_role("button", name="Retire Play therapist").click()
    expect(page.get_by_role("status").first).to_contain_text("Play therapist retired")
    expect(page.get_by_role("button", name="Bring back Play therapist")).to_be_visible()
    # A new list for a form: a bad name is said beside the box and in the summary.
    page.get_by_label("List name (lower-case words joined by _, like school_phase)").fill("School phase")
    page.get_by_label("First entry").fill("Primary")
    page.get_by_role("button", name="Start list").click()
    expect(page.locator("#new-list-error")).to_contain_text("lower-case letters")
    expect(page.locator("#error-summary")).to_contain_text("lower-case letters")
    page.get_by_label("List name (lower-case words joined by _, like school_phase)").fill("school_phase")
    page.get_by_role("button", name="Start list").click()
    expect(page.get_by_role("heading", name="School phase")).to_be_visible()
    assert_accessible(page, context="designer: lookup lists after changes")


def test_a_professional_calling_designer_handlers_directly_changes_nothing_and_is_audited(
    browser: Browser, portal: Portal, mailbox: Mailbox
) -> None:
    from sen_portal.db import make_engine
    from sen_portal.models import AuditEvent, FormVersion, LookupEntry
    from sen_portal.state.form_designer import FormsListState
    from sen_portal.state.lookup_lists import LookupListsState

    context = browser.new_context(base_url=portal.url)
    context.add_init_script(CAPTURE_WEBSOCKET)
    intruder = context.new_page()
    new_professional(portal, mailbox, intruder)
    intruder.goto("/staff/forms")  # refused: a signed-in professional is sent to their dashboard
    heading_is(intruder, "Your dashboard")
    forms_state, lookups_state = FormsListState.get_full_name(), LookupListsState.get_full_name()
    send_event(intruder, handler=f"{forms_state}.ask_archive", payload={"form_key": "ehc_needs_assessment"})
    send_event(intruder, handler=f"{forms_state}.archive", payload={})
    send_event(
        intruder,
        handler=f"{lookups_state}.retire",
        payload={"list_key": "professional_role", "value": "senco", "retired": True},
    )
    engine = make_engine(portal.env["DATABASE_URL"])

    def refused_states() -> list[str]:
        with Session(engine) as session:
            events = session.exec(select(AuditEvent).where(AuditEvent.action == "access_refused")).all()
            return [str(event.detail.get("state")) for event in events]

    # The page load was refused once; each hand-made event is refused (and audited) when it is processed.
    def both_refused() -> bool:
        states = refused_states()
        return states.count(forms_state) >= 3 and lookups_state in states

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not both_refused():
        time.sleep(0.25)
    context.close()
    assert both_refused()
    with Session(engine) as session:
        live = session.exec(
            select(FormVersion).where(FormVersion.form_key == "ehc_needs_assessment", FormVersion.status == "live")
        ).all()
        senco = session.exec(
            select(LookupEntry).where(LookupEntry.list_key == "professional_role", LookupEntry.value == "senco")
        ).one()
    engine.dispose()
    assert len(live) == 1 and senco.is_active
