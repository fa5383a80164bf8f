"""The database goes down under a real browser (a private PostgreSQL cluster, never the shared one).

A professional is on *Check your answers* with a complete request. PostgreSQL stops: *Send request*
says the README's words ("We could not send your request just now. Your answers are saved…") in the
error summary, and a page opened during the outage is the "Sorry, the service is unavailable" page
(503) instead of an empty form. PostgreSQL starts again: the page opens, and the same *Send request*
sends the request once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, text

from sen_portal.config import settings_from_env
from sen_portal.db import make_engine, session_scope
from sen_portal.services.referral_journey import TRY_AGAIN
from tests.e2e.harness import Mailbox, Portal, create_account, start_portal, stop_portal
from tests.e2e.journeys import PASSWORD, heading_is, sign_in
from tests.fault.private_servers import PrivatePostgres, why_no_private_postgres
from tests.service.test_referrals import Clock, ready_to_submit

UNAVAILABLE = "Sorry, the service is unavailable"
CHECK = "Check your answers before sending your request"


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    if reason := why_no_private_postgres():
        pytest.skip(reason)
    server = PrivatePostgres()
    server.start()
    admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE portal"))
    admin.dispose()
    yield server
    server.remove()


@pytest.fixture
def portal(postgres: PrivatePostgres, tmp_path: Path) -> Iterator[Portal]:
    running = start_portal(tmp_path, extra_env={"DATABASE_URL": postgres.url("portal")})
    yield running
    stop_portal(running)


def open_until_served(page: Page, path: str) -> None:
    """Reload until the portal answers again (the page re-checks the database every few seconds)."""
    for _attempt in range(30):
        response = page.goto(path)
        if response is not None and response.status != 503:
            return
        page.wait_for_timeout(1000)
    raise AssertionError(f"{path} still unavailable after the database came back")


def test_a_database_outage_gets_words_on_send_and_on_pages_opened(
    postgres: PrivatePostgres, portal: Portal, browser: Browser
) -> None:
    email = "sam.senco@school.example.org"
    user_id = create_account(portal, email=email, password=PASSWORD)
    engine = make_engine(portal.env["DATABASE_URL"])
    public_id = ready_to_submit(engine, settings_from_env(portal.env), Clock(), user_id)
    engine.dispose()

    context = browser.new_context(base_url=portal.url)
    page = context.new_page()
    sign_in(page, Mailbox(portal.mail_dir), email)
    page.goto(f"/requests/check?id={public_id}")
    heading_is(page, CHECK)
    page.wait_for_load_state("networkidle")

    postgres.stop()
    try:
        page.get_by_role("button", name="Send request").click()
        expect(page.locator("#error-summary")).to_contain_text(TRY_AGAIN)
        heading_is(page, CHECK)  # never a false success

        opened = context.new_page()
        response = opened.goto(f"/requests/check?id={public_id}")
        assert response is not None and response.status == 503
        heading_is(opened, UNAVAILABLE)
        expect(opened.locator("main")).to_contain_text("Nothing you have saved or sent has been lost")
        assert opened.evaluate("document.documentElement.lang") == "en-GB"
    finally:
        postgres.start()

    open_until_served(opened, f"/requests/check?id={public_id}")
    heading_is(opened, CHECK)
    page.get_by_role("button", name="Send request").click()
    heading_is(page, "Request sent")
    with session_scope(make_engine(portal.env["DATABASE_URL"])) as session:
        sent = session.execute(text("SELECT count(*) FROM referral WHERE status = 'submitted'")).scalar_one()
    assert sent == 1
    context.close()
