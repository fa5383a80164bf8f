"""The page shell in a real browser: home, 404, info pages, keyboard skip link, axe."""

from __future__ import annotations

import json
import urllib.request

from playwright.sync_api import Page, expect

from tests.e2e.harness import Portal, assert_accessible


def test_home_page_explains_the_portal_and_offers_both_ways_in(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("SEN Professional Portal")
    main = page.get_by_role("main")
    expect(main.get_by_role("button", name="Create an account")).to_have_attribute("href", "/register")
    expect(main.get_by_role("button", name="Sign in")).to_have_attribute("href", "/sign-in")
    expect(page.get_by_role("banner")).to_contain_text("SEN Professional Portal")
    expect(page.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement")).to_be_visible()
    assert_accessible(page, context="home")


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page: Page) -> None:
    page.goto("/")
    page.wait_for_load_state("networkidle")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main-content"


def test_unknown_address_shows_a_helpful_not_found_page(page: Page) -> None:
    response = page.goto("/no-such-page")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("link", name="Go to the portal home page")).to_be_visible()
    assert_accessible(page, context="404")


def test_information_pages_render_and_pass_axe(page: Page) -> None:
    for path, title in (
        ("/accessibility", "Accessibility statement"),
        ("/privacy", "Privacy notice"),
        ("/contact", "Contact the SEN team"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(title)
        assert_accessible(page, context=path)


def test_the_favicon_is_served(portal: Portal) -> None:
    with urllib.request.urlopen(portal.url + "/favicon.ico") as response:
        assert response.status == 200
        assert response.read()[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_health_reports_the_database(portal: Portal) -> None:
    with urllib.request.urlopen(portal.url + "/health") as response:
        assert response.status == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert json.loads(response.read()) == {"status": "ok", "database": "ok"}


def test_dev_mailbox_lists_and_shows_emails_with_clickable_links(page: Page, portal: Portal) -> None:
    import subprocess
    import sys

    from tests.e2e.harness import PROJECT_ROOT

    subprocess.run(
        [sys.executable, "-m", "sen_portal.cli", "send-test-email", "mailbox-check@example.org"],
        cwd=PROJECT_ROOT,
        env=portal.env,
        check=True,
        capture_output=True,
    )
    page.goto("/dev/mailbox")
    expect(page.get_by_role("heading", level=1)).to_have_text("Development mailbox")
    page.get_by_role("link", name="Test email from the SEN Professional Portal").first.click()
    expect(page.get_by_test_id("mail-body")).to_contain_text("can send email")
    assert_accessible(page, context="mailbox")


def test_the_accessibility_check_itself_catches_a_serious_violation(page: Page) -> None:
    """Guards the guard: an unlabelled input and an image without alt text must fail the check."""
    import pytest

    page.set_content('<html lang="en"><body><main><input type="text"><img src="x.png"></main></body></html>')
    with pytest.raises(AssertionError, match="serious accessibility problems"):
        assert_accessible(page, context="deliberately broken page")
