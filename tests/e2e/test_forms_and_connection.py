"""Nothing typed reaches a URL, and a lost connection is said in words.

Before the page's script runs (slow connection, Enter pressed at once) or with JavaScript off,
a browser submits a form natively. A bare <form> does that as a GET to the page itself, putting
the email and password in the address bar, the history and the access log.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from sen_portal.components.connection_notice import CONNECTION_LOST
from tests.e2e.harness import Portal

SECRET_EMAIL = "leak-check@school.example.org"
SECRET_PASSWORD = "Tangerine-Walrus-4411"
SECRET_CODE = "493817"


@pytest.fixture
def no_script_page(browser: Browser, portal: Portal) -> Iterator[Page]:
    context = browser.new_context(base_url=portal.url, java_script_enabled=False)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def assert_nothing_leaked(page: Page, requested: list[str]) -> None:
    history = page.evaluate("history.length")
    for url in [page.url, *requested]:
        for secret in (SECRET_EMAIL, "leak-check", SECRET_PASSWORD, SECRET_CODE):
            assert secret not in url, (secret, url)
    assert history <= 3


def fill_and_press_enter(page: Page, fields: dict[str, str]) -> list[str]:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label(list(fields)[-1], exact=True).press("Enter")
    page.wait_for_load_state("load")
    return requested


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/sign-in", {"Email address": SECRET_EMAIL, "Password": SECRET_PASSWORD}),
        ("/sign-in/code", {"Code": SECRET_CODE}),
        ("/register/account", {"Email address": SECRET_EMAIL, "Create a password": SECRET_PASSWORD}),
        ("/forgotten-password", {"Email address": SECRET_EMAIL}),
    ],
)
def test_with_javascript_off_enter_never_puts_what_was_typed_in_a_url(
    no_script_page: Page, path: str, fields: dict[str, str]
) -> None:
    page = no_script_page
    page.goto(path)
    requested = fill_and_press_enter(page, fields)

    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers were not sent")
    assert page.url.endswith("/form-not-sent")
    assert_nothing_leaked(page, requested)
    expect(page.get_by_role("link", name="Go back to the page")).to_have_attribute("href", re.compile(f"^{path}/?$"))


def test_before_the_script_has_loaded_enter_never_puts_the_password_in_a_url(page: Page) -> None:
    # The page's modules never arrive: exactly the moment between first paint and hydration.
    page.route(re.compile(r"/assets/.*\.js$"), lambda route: route.abort())
    page.goto("/sign-in")
    requested = fill_and_press_enter(page, {"Email address": SECRET_EMAIL, "Password": SECRET_PASSWORD})

    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers were not sent")
    assert_nothing_leaked(page, requested)


# The network between the browser and the portal, under the test's control: while
# window.__portalUnreachable is set, every new websocket goes to a closed port (a real connection
# refusal, as when the server or the network is down), and __dropSockets() cuts the open ones.
NETWORK_SWITCH = """
(() => {
  const Original = window.WebSocket;
  const open = [];
  window.__portalUnreachable = false;
  window.__dropSockets = () => open.forEach((socket) => socket.close());
  window.WebSocket = class extends Original {
    constructor(url, ...rest) {
      super(window.__portalUnreachable ? 'ws://127.0.0.1:9/_event' : url, ...rest);
      open.push(this);
    }
  };
})();
"""


def test_a_page_that_cannot_reach_the_portal_says_so_and_keeps_the_answers(page: Page) -> None:
    page.add_init_script(NETWORK_SWITCH + "window.__portalUnreachable = true;")
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(SECRET_EMAIL)

    expect(page.locator("#connection-lost")).to_have_text(CONNECTION_LOST)
    expect(page.get_by_role("alert")).to_have_text(CONNECTION_LOST)

    # What was typed waits in Reflex's event queue and is applied once the portal is reachable.
    page.evaluate("window.__portalUnreachable = false")
    expect(page.locator("#connection-lost")).to_have_count(0)
    expect(page.get_by_label("Email address")).to_have_value(SECRET_EMAIL)


def test_a_dropped_connection_is_said_in_words_and_the_notice_goes_when_it_is_back(page: Page) -> None:
    page.add_init_script(NETWORK_SWITCH)
    page.goto("/sign-in")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#connection-lost")).to_have_count(0)  # connected: no notice
    page.get_by_label("Email address").fill(SECRET_EMAIL)
    # A controlled input shows the text once the portal has it: wait for that before cutting the line.
    expect(page.get_by_label("Email address")).to_have_value(SECRET_EMAIL)

    page.evaluate("window.__portalUnreachable = true; window.__dropSockets()")
    expect(page.locator("#connection-lost")).to_have_text(CONNECTION_LOST)
    expect(page.get_by_label("Email address")).to_have_value(SECRET_EMAIL)

    page.evaluate("window.__portalUnreachable = false")  # the next retry gets through
    expect(page.locator("#connection-lost")).to_have_count(0)
    expect(page.get_by_label("Email address")).to_have_value(SECRET_EMAIL)


def test_text_typed_while_the_connection_is_down_is_kept_and_reaches_the_portal(page: Page) -> None:
    page.add_init_script(NETWORK_SWITCH)
    page.goto("/sign-in")
    page.wait_for_load_state("networkidle")
    page.evaluate("window.__portalUnreachable = true; window.__dropSockets()")
    expect(page.locator("#connection-lost")).to_have_text(CONNECTION_LOST)

    page.get_by_label("Email address").press_sequentially(SECRET_EMAIL, delay=20)  # typed key by key
    expect(page.get_by_label("Email address")).to_have_value(SECRET_EMAIL)

    page.evaluate("window.__portalUnreachable = false")
    expect(page.locator("#connection-lost")).to_have_count(0)
    page.get_by_label("Password").click()  # leaving the field tells the portal
    expect(page.get_by_label("Email address")).to_have_value(SECRET_EMAIL)
    # The portal has the whole address, not the last key: only the (empty) password is missing.
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#password-error")).to_contain_text("Enter your password")
    expect(page.locator("#email-error")).to_have_count(0)
