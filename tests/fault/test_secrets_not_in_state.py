"""Passwords typed on the change-password page never rest in page state (issue 12, item 2).

A real browser types the current, new and confirmation passwords (a wrong attempt, then a right
one); afterwards neither the stored state of any tab (Reflex's Redis state manager, as production
runs with several workers, read directly) nor any update the server sent holds them. The positive
control: the same storage does hold the page's ordinary data (the user's name), so what is read is
what was written.

It lives with the fault tests because it starts a portal of its own (Redis state): a second portal
rebuilds the checkout's .web for its port, which left the shared browser-test portal's pages
reaching for the wrong websocket; the fault tests run after every test that shares that portal.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.harness import CAPTURE_WEBSOCKET, Mailbox, Portal, create_account, start_portal, stop_portal
from tests.e2e.journeys import sign_in
from tests.e2e.test_sign_in import code_from

REDIS_URL = "redis://127.0.0.1:6379/11"


@pytest.fixture(scope="module")
def redis_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """This module's own portal keeping page state in Redis (without Redis it lives in process memory)."""
    running = start_portal(tmp_path_factory.mktemp("redis-portal"), extra_env={"REDIS_URL": REDIS_URL})
    yield running
    stop_portal(running)


def _stored_states() -> bytes:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    values = []
    for key in client.scan_iter(count=1000):
        kind = client.type(key)
        if kind == b"string":
            values.append(client.get(key) or b"")
        elif kind == b"hash":
            values.extend(client.hgetall(key).values())
    client.close()
    return b"".join(values)


def test_change_password_leaves_no_password_in_state_or_updates(browser: Browser, redis_portal: Portal) -> None:
    portal, mailbox = redis_portal, Mailbox(redis_portal.mail_dir)
    context = browser.new_context(base_url=portal.url)
    page = context.new_page()
    first_name = "Ottoline" + uuid.uuid4().hex[:6].translate(str.maketrans("0123456789", "abcdefghij"))
    email = f"senco-{uuid.uuid4().hex[:8]}@school.example.org"
    # Unique per run: the .states folder is shared by every portal this checkout has run.
    current, new, wrong = (f"{words} {uuid.uuid4().hex[:10]}" for words in ("amber falcon", "quartz harbour", "not it"))
    create_account(portal, email=email, password=current, first_name=first_name)
    sign_in(page, mailbox, email, current)
    page.context.add_init_script(CAPTURE_WEBSOCKET)  # from the account page on (sign-in is not this test's)

    page.goto("/account/password")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    page.get_by_label("Current password").fill(wrong)
    page.get_by_label("New password", exact=True).fill(new)
    expect(page.locator("#password-rules li.unmet")).to_have_count(0)
    page.get_by_label("Confirm your new password").fill(new)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#current_password-error")).to_contain_text("Your current password is not correct")
    # The typed values are still in the fields (nothing typed is lost): only the wrong one is retyped.
    expect(page.get_by_label("New password", exact=True)).to_have_value(new)
    page.get_by_label("Current password").fill(current)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been changed")

    received = "\n".join(page.evaluate("window.__received"))
    assert first_name in received  # positive control: updates were captured
    for secret in (current, new, wrong):
        assert secret not in received

    context.close()
    # The state manager writes after each event: wait (bounded) for this tab's state.
    deadline = time.monotonic() + 30
    while first_name.encode() not in (stored := _stored_states()) and time.monotonic() < deadline:
        time.sleep(0.25)
    assert first_name.encode() in stored
    for secret in (current, new, wrong):
        assert secret.encode() not in stored


# Like CAPTURE_WEBSOCKET, but the frames survive full page loads (sign-in ends with one).
CAPTURE_ACROSS_LOADS = """
(() => {
  const Original = window.WebSocket;
  const keep = (data) => {
    const all = JSON.parse(sessionStorage.getItem('__frames') || '[]');
    all.push(String(data));
    sessionStorage.setItem('__frames', JSON.stringify(all));
  };
  class Recording extends Original {
    constructor(...args) { super(...args); this.addEventListener('message', (e) => keep(e.data)); }
  }
  window.WebSocket = Recording;
})();
"""


def _frames(page: Page) -> str:
    return "\n".join(json.loads(page.evaluate("sessionStorage.getItem('__frames') || '[]'")))


def _holds(text: str, secret: str) -> bool:
    """Digit-only codes must stand alone: the same six digits inside a longer number are not a leak."""
    if secret.isdigit():
        return re.search(rf"(?<!\d){secret}(?!\d)", text) is not None
    return secret in text


def _assert_stored_states_hold_none_of(marker: str, secrets: list[str]) -> None:
    """Wait (bounded) for the state holding ``marker`` to be written, then look for every secret."""
    deadline = time.monotonic() + 30
    while marker.encode() not in (stored := _stored_states()) and time.monotonic() < deadline:
        time.sleep(0.25)
    assert marker.encode() in stored  # positive control: this run's state is there
    text = stored.decode("utf-8", "replace")
    for secret in secrets:
        assert not _holds(text, secret), secret


def test_sign_in_leaves_no_password_code_or_ticket_in_state_or_updates(browser: Browser, redis_portal: Portal) -> None:
    portal, mailbox = redis_portal, Mailbox(redis_portal.mail_dir)
    context = browser.new_context(base_url=portal.url)
    context.add_init_script(CAPTURE_ACROSS_LOADS)
    page = context.new_page()
    email = f"signin-{uuid.uuid4().hex[:8]}@school.example.org"
    password, wrong = (f"{words} {uuid.uuid4().hex[:10]}" for words in ("cobalt lantern", "not this one"))
    create_account(portal, email=email, password=password)

    page.goto("/sign-in")
    page.wait_for_load_state("networkidle")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(wrong)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#email-error")).to_be_visible()
    expect(page.get_by_label("Password")).to_have_value(wrong)  # nothing typed is lost
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    code = code_from(mailbox, email)
    wrong_code = "000000" if code != "000000" else "111111"
    page.get_by_label("Code").fill(wrong_code)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#code-error")).to_be_visible()
    expect(page.get_by_label("Code")).to_have_value(wrong_code)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your dashboard")

    received = _frames(page)
    assert email in received  # positive control: updates were captured
    tickets = re.findall(r'ticket: \\?"([^"\\]+)', received)
    assert tickets  # the one-time ticket reaches the browser only inside the call that spends it
    for secret in (password, wrong, code):
        assert not _holds(received, secret), secret
    context.close()
    _assert_stored_states_hold_none_of(email, [password, wrong, code, *tickets])


def _deltas(frames: str) -> str:
    """Only the state updates in the frames (a one-off script's text is not state: it is how secrets are shown once)."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            if "delta" in value:
                found.append(json.dumps(value["delta"]))
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    for frame in frames.splitlines():
        start = frame.find("[") if not frame.startswith("{") else 0
        try:
            walk(json.loads(frame[start:]))
        except ValueError:
            continue
    return "\n".join(found)


def test_authenticator_leaves_no_secret_qr_code_recovery_code_or_password_in_state(
    browser: Browser, redis_portal: Portal
) -> None:
    import pyotp

    portal, mailbox = redis_portal, Mailbox(redis_portal.mail_dir)
    context = browser.new_context(base_url=portal.url)
    page = context.new_page()
    email = f"app-{uuid.uuid4().hex[:8]}@school.example.org"
    password, wrong = (f"{words} {uuid.uuid4().hex[:10]}" for words in ("saffron meadow", "wrong again"))
    create_account(portal, email=email, password=password)
    sign_in(page, mailbox, email, password)
    context.add_init_script(CAPTURE_ACROSS_LOADS)

    page.goto("/account/authenticator")
    page.get_by_role("button", name="Set up an authenticator app").click()
    qr = page.get_by_role("img", name=re.compile("QR code"))
    expect(qr).to_have_attribute("src", re.compile(r"^data:image/svg\+xml"))
    expect(page.locator("#setup-key")).to_have_text(re.compile(r"\S"))
    qr_uri = qr.get_attribute("src") or ""
    shown_key = page.locator("#setup-key").inner_text()
    secret = shown_key.replace(" ", "")
    app = pyotp.TOTP(secret)
    page.get_by_label("Code from the app").fill("000000" if app.now() != "000000" else "111111")
    page.get_by_role("button", name="Turn on the app").click()
    expect(page.locator("#code-error")).to_be_visible()
    expect(qr).to_have_attribute("src", qr_uri)  # a wrong code keeps the QR code and key on the page
    expect(page.locator("#setup-key")).to_have_text(shown_key)
    setup_code = app.now()
    page.get_by_label("Code from the app").fill(setup_code)
    page.get_by_role("button", name="Turn on the app").click()
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    first_codes = [text.strip() for text in codes.all_inner_texts()]
    page.get_by_role("button", name="I have saved my recovery codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account settings")

    page.goto("/account/authenticator")
    page.get_by_role("button", name="Get new recovery codes").click()
    page.get_by_label("Current password").fill(wrong)
    page.get_by_role("button", name="Get new codes").click()
    expect(page.locator("#current_password-error")).to_be_visible()
    page.get_by_label("Current password").fill(password)
    page.get_by_role("button", name="Get new codes").click()
    expect(codes).to_have_count(10)
    new_codes = [text.strip() for text in codes.all_inner_texts()]
    assert set(new_codes).isdisjoint(first_codes)
    page.get_by_role("button", name="I have saved my recovery codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account settings")

    frames = _frames(page)
    deltas = _deltas(frames)
    assert email in deltas  # positive control: the updates were read
    assert first_codes[0] in frames  # ...and the one-off scripts that show the codes were in them
    for value in (secret, shown_key, qr_uri[len(qr_uri) // 2 :][:80], *first_codes, *new_codes):
        assert value not in deltas, value
    for value in (password, wrong):
        assert value not in frames
    assert not _holds(deltas, setup_code)
    context.close()
    _assert_stored_states_hold_none_of(
        email,
        [secret, shown_key, qr_uri[len(qr_uri) // 2 :][:80], password, wrong, setup_code, *first_codes, *new_codes],
    )


def _password_hash_of(portal: Portal, email: str) -> str:
    from sqlmodel import select

    from sen_portal.db import make_engine, session_scope
    from sen_portal.models import UserAccount

    with session_scope(make_engine(portal.env["DATABASE_URL"])) as session:
        user = session.exec(select(UserAccount).where(UserAccount.email == email)).one()
        return user.password_hash or ""


def test_registration_activation_and_password_reset_leave_no_password_hash_or_link_token_in_state(
    browser: Browser, redis_portal: Portal
) -> None:
    from tests.e2e.test_registration import fill_personal, fill_work

    portal, mailbox = redis_portal, Mailbox(redis_portal.mail_dir)
    context = browser.new_context(base_url=portal.url)
    context.add_init_script(CAPTURE_ACROSS_LOADS)
    page = context.new_page()
    first_name = "Perpetua" + uuid.uuid4().hex[:6].translate(str.maketrans("0123456789", "abcdefghij"))
    email = f"reg-{uuid.uuid4().hex[:8]}@school.example.org"
    password, mismatch, reset_to = (
        f"{words} {uuid.uuid4().hex[:10]}" for words in ("juniper orchard", "not the same", "harbour kestrel")
    )

    fill_personal(page, first=first_name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Create a password").fill(password)
    page.get_by_label("Confirm your password").fill(mismatch)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#confirm_password-error")).to_be_visible()
    expect(page.get_by_label("Create a password")).to_have_value(password)  # nothing typed is lost
    page.get_by_label("Confirm your password").fill(password)
    page.get_by_role("button", name="Continue").click()
    fill_work(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your details")
    page.get_by_role("button", name="Submit registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    password_hash = _password_hash_of(portal, email)
    assert password_hash.startswith("$2")  # the hash kept between the steps is the account's now

    mail = mailbox.wait_for(to=email, subject_contains="Confirm your email")
    verify_link = next(url for url in mail.links() if "/verify-email?token=" in url)
    verify_token = verify_link.split("token=", 1)[1]
    page.goto(verify_link)
    page.get_by_role("button", name="Activate my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is set up")
    page.goto("/forgotten-password")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    mail = mailbox.wait_for(to=email, subject_contains="eset")
    link = next(url for url in mail.links() if "/reset-password?token=" in url)
    reset_token = link.split("token=", 1)[1]
    page.goto(link)
    page.get_by_label("New password", exact=True).fill(reset_to)
    page.get_by_label("Confirm your new password").fill(mismatch)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.locator("#confirm_password-error")).to_be_visible()
    page.get_by_label("Confirm your new password").fill(reset_to)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been changed")
    new_hash = _password_hash_of(portal, email)

    frames = _frames(page)
    assert first_name in frames  # positive control: the updates were captured
    for secret in (password, mismatch, reset_to, password_hash, new_hash):
        assert secret not in frames, secret
    context.close()
    _assert_stored_states_hold_none_of(
        first_name, [password, mismatch, reset_to, password_hash, new_hash, reset_token, verify_token]
    )
