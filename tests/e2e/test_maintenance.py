"""Maintenance notices in a real browser: staff schedule one, its banner shows on public pages, the
email reaches opted-in users only, and its unsubscribe link works without signing in."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.e2e.harness import Mailbox, Portal, assert_accessible, create_account
from tests.e2e.journeys import PASSWORD, create_staff_with_cli, heading_is, new_email, sign_in

TITLE = "Portal upgrade on Saturday"


def _local(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("Europe/London")).strftime("%Y-%m-%dT%H:%M")


def _opted_in(portal: Portal, email: str) -> bool:
    from sqlmodel import Session, select

    from sen_portal.db import make_engine
    from sen_portal.models import UserAccount

    engine = make_engine(portal.env["DATABASE_URL"])
    with Session(engine) as session:
        value = session.exec(select(UserAccount.maintenance_emails).where(UserAccount.email == email)).one()
    engine.dispose()
    return bool(value)


def test_schedule_banner_broadcast_and_unsubscribe(page: Page, portal: Portal, mailbox: Mailbox) -> None:
    opted, not_opted = new_email("opted"), new_email("quiet")
    create_account(portal, email=opted, password=PASSWORD)
    create_account(portal, email=not_opted, password=PASSWORD)
    _set_opt_in(portal, opted)

    admin = create_staff_with_cli(page, portal, mailbox, role="admin")
    sign_in(page, mailbox, admin)
    page.goto("/staff/notices")
    heading_is(page, "Maintenance notices")
    assert_accessible(page, context="staff notices")
    # Errors beside the field and in the summary.
    page.get_by_role("button", name="Schedule notice").click()
    expect(page.locator("#error-summary")).to_contain_text("Enter a title")
    start = datetime.now(ZoneInfo("UTC")) + timedelta(days=1)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("What users need to know").fill("The portal will be unavailable for two hours.")
    page.get_by_label("Starts").fill(_local(start))
    page.get_by_label("Ends").fill(_local(start + timedelta(hours=2)))
    page.get_by_role("button", name="Schedule notice").click()
    expect(page.get_by_role("status").filter(has_text="scheduled")).to_be_visible()
    row = page.locator("#notices").get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text("Upcoming")

    # The broadcast asks for confirmation, then reaches opted-in users only.
    row.get_by_role("button", name=f"Email portal users about {TITLE}").click()
    row.get_by_role("button", name="Yes, email portal users").click()
    expect(row).to_contain_text("Emailed")
    mail = mailbox.wait_for(to=opted, subject_contains=TITLE)
    assert "two hours" in mail.text
    assert not [m for m in mailbox.all() if m.to == not_opted and TITLE in m.subject]

    # The banner shows on public pages, signed out (a fresh context).
    page.context.clear_cookies()
    for path in ("/", "/sign-in"):
        page.goto(path)
        banner = page.get_by_role("region", name="Planned maintenance")
        expect(banner).to_contain_text(TITLE)
        expect(banner).to_contain_text("Planned:")
    assert_accessible(page, context="sign-in page with the maintenance banner")

    # The unsubscribe link works without signing in: a GET shows a button, the click unsubscribes.
    link = next(url for url in mail.links() if "/unsubscribe?token=" in url)
    page.goto(link)
    heading_is(page, "Unsubscribe from maintenance emails")
    assert _opted_in(portal, opted)  # merely opening the link (as a mail scanner would) changes nothing
    assert_accessible(page, context="unsubscribe")
    page.get_by_role("button", name="Unsubscribe").click()
    heading_is(page, "You have unsubscribed")
    assert not _opted_in(portal, opted)
    # Idempotent: the same link again still says so.
    page.goto(link)
    page.get_by_role("button", name="Unsubscribe").click()
    heading_is(page, "You have unsubscribed")

    # RFC 8058: the headers name a POST endpoint that unsubscribes in one request, no sign-in.
    headers = _raw_headers(portal, opted, TITLE)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = headers["List-Unsubscribe"].strip("<>")
    assert "/api/unsubscribe?token=" in one_click
    _set_opt_in(portal, opted)
    response = page.request.post(one_click, form={"List-Unsubscribe": "One-Click"})
    assert response.status == 200
    assert not _opted_in(portal, opted)
    assert page.request.post(one_click + "x", form={"List-Unsubscribe": "One-Click"}).status == 404
    # Opening the header's URL in a browser (a GET) shows the confirm page, and changes nothing.
    _set_opt_in(portal, opted)
    page.goto(one_click)
    heading_is(page, "Unsubscribe from maintenance emails")
    assert _opted_in(portal, opted)


def test_sign_in_paused_during_a_window_for_professionals(page: Page, portal: Portal, mailbox: Mailbox) -> None:
    admin = new_email("admin", "council.example.gov.uk")
    create_account(portal, email=admin, password=PASSWORD, role="admin")
    sign_in(page, mailbox, admin)
    page.goto("/staff/notices")
    now = datetime.now(ZoneInfo("UTC"))
    page.get_by_label("Title").fill("Database move")
    page.get_by_label("What users need to know").fill("Sign-in is paused while we move the database.")
    page.get_by_label("Starts").fill(_local(now - timedelta(minutes=1)))
    page.get_by_label("Ends").fill(_local(now + timedelta(hours=1)))
    pause = page.get_by_label("Pause sign-in during the maintenance")
    pause.click()  # a controlled box: its state comes back from the server
    expect(pause).to_be_checked()
    page.get_by_role("button", name="Schedule notice").click()
    row = page.locator("#notices").get_by_role("row").filter(has_text="Database move")
    try:
        expect(row).to_contain_text("Happening now")
        page.context.clear_cookies()
        page.goto("/sign-in")
        heading_is(page, "Sign-in is paused for maintenance")
        expect(page.get_by_role("main")).to_contain_text("Database move")
        expect(page.get_by_label("Password")).to_have_count(0)
        assert_accessible(page, context="sign-in paused")
        # Staff still sign in (they carry out the maintenance); the service refuses professionals.
        page.get_by_role("link", name="Council staff sign in").click()
        heading_is(page, "Sign in")
        professional = new_email()
        create_account(portal, email=professional, password=PASSWORD)
        page.get_by_label("Email address").fill(professional)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Continue").click()
        heading_is(page, "Sign-in is paused for maintenance")
        sign_in(page, mailbox, admin, path="/sign-in?staff=1")
        # Ending the notice from the staff page lifts the pause at once.
        page.goto("/staff/notices")
        row = page.locator("#notices").get_by_role("row").filter(has_text="Database move")
        row.get_by_role("button", name="End now Database move").click()
        expect(row).to_contain_text("Ended")
        page.context.clear_cookies()
        sign_in(page, mailbox, professional)
    finally:
        _end_all_notices(portal)  # other journeys in this run need sign-in


def _raw_headers(portal: Portal, to: str, subject_part: str) -> dict[str, str]:
    import email
    import email.policy

    for path in sorted(portal.mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == to and subject_part in str(message["Subject"]):
            return {key: str(value) for key, value in message.items()}
    raise AssertionError(f"no email to {to} about {subject_part!r}")


def _end_all_notices(portal: Portal) -> None:
    from sqlalchemy import update

    from sen_portal.db import make_engine, session_scope
    from sen_portal.models import MaintenanceNotice

    engine = make_engine(portal.env["DATABASE_URL"])
    ended = datetime.now(ZoneInfo("UTC")) - timedelta(seconds=1)
    with session_scope(engine) as session:
        session.execute(update(MaintenanceNotice).values(ends_at=ended))
    engine.dispose()


def _set_opt_in(portal: Portal, email: str) -> None:
    from sqlalchemy import update

    from sen_portal.db import make_engine, session_scope
    from sen_portal.models import UserAccount

    engine = make_engine(portal.env["DATABASE_URL"])
    with session_scope(engine) as session:
        session.execute(update(UserAccount).where(UserAccount.email == email).values(maintenance_emails=True))
    engine.dispose()
