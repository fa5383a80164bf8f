"""Steps shared by several browser journeys: signing in with the emailed code, a staff account made
the way council IT makes one (the CLI), and a sent request put straight into the portal's database."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import uuid
from datetime import UTC, datetime

from playwright.sync_api import Page, expect

from tests.e2e.harness import PROJECT_ROOT, Mailbox, Portal

PASSWORD = "amber falcon orchard piano"


def new_email(prefix: str = "senco", domain: str = "school.example.org") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@{domain}"


def heading_is(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def start_request(page: Page) -> str:
    """Start a new EHC request as the signed-in professional; its public id (from the first section's address)."""
    page.goto("/requests/new?form=ehc_needs_assessment")
    heading_is(page, "About you")
    return page.url.split("id=")[1].split("&")[0]


def sign_in(
    page: Page,
    mailbox: Mailbox,
    email: str,
    password: str = PASSWORD,
    *,
    path: str = "/sign-in",
    lands_on: str = "Your dashboard",
) -> None:
    """Password, then the emailed code; lands on the dashboard (or the page ``?next=`` names)."""
    before = len([m for m in mailbox.all() if m.to == email and "code" in m.subject])
    page.goto(path)
    page.wait_for_load_state("networkidle")  # typed text can be lost if the page is still connecting
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()
    mail = mailbox.wait_for(to=email, subject_contains="code", after=before)
    code = re.search(r"\b(\d{6})\b", mail.text)
    assert code
    page.get_by_label("Code").fill(code.group(1))
    page.get_by_role("button", name="Sign in").click()
    heading_is(page, lands_on)


def create_staff_with_cli(page: Page, portal: Portal, mailbox: Mailbox, *, role: str = "caseworker") -> str:
    """``python -m sen_portal.cli create-user``, then the emailed link to choose a password."""
    email = new_email("caseworker", "council.example.gov.uk")
    subprocess.run(
        [
            *(sys.executable, "-m", "sen_portal.cli", "create-user", email, "--role", role),
            *("--first-name", "Casey", "--last-name", "Worker"),
        ],
        cwd=PROJECT_ROOT,
        env=portal.env,
        check=True,
        capture_output=True,
    )
    mail = mailbox.wait_for(to=email, subject_contains="")
    link = next(url for url in mail.links() if "token=" in url)
    page.goto(link)
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm your new password").fill(PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    # Wait for the change itself ("Set your password" also contains "password").
    heading_is(page, "Your password has been changed")
    return email


def sent_request(portal: Portal, *, owner_id: int, child_name: str) -> tuple[str, str]:
    """A request as if the professional had sent it: (public id, reference). The browser journey
    through the form itself is test_referral.py's job."""
    from sen_portal.db import make_engine, session_scope
    from sen_portal.models import Referral
    from sen_portal.services.referrals import drafts as referrals
    from sen_portal.services.referrals import referral_intake

    engine = make_engine(portal.env["DATABASE_URL"])
    with session_scope(engine) as session:
        version = referrals.live_version(session, form_key="ehc_needs_assessment")
        assert version is not None
        now = datetime.now(UTC)
        reference = referrals.next_reference(session, prefix=version.reference_prefix, year=now.year)
        # The same inbox columns and timeline start as a real send (services.referrals.submit).
        inbox = referral_intake.inbox_columns(
            referrals.definition_of(version),
            {},
            child_name=child_name,
            lookup_labels=referrals.lookup_labels(session),
            received_at=now,
        )
        referral = Referral(
            public_id=secrets.token_urlsafe(16),
            reference=reference,
            form_version_id=version.id or 0,
            owner_user_id=owner_id,
            status="submitted",
            submitted_at=now,
            **inbox,
        )
        session.add(referral)
        session.flush()
        referral_intake.after_submit(session, referral, user_id=owner_id, now=now)
        public_id = referral.public_id
    engine.dispose()
    return public_id, reference
