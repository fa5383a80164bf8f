"""Sign-in: email + password, then the emailed code; then the session cookie.

The challenge id lives in a backend-only var, so a browser cannot swap in
another user's challenge. Password checks and hashing run off the event loop.
Neither the password nor the code is ever a var: the fields are uncontrolled inputs
and each submit handler reads its value from the submitted form data, so it lives only
in that event's locals (issue 12: page state is stored server-side for an hour).
"""

from __future__ import annotations

import asyncio
import json
from urllib.parse import unquote, urlsplit

import reflex as rx

from sen_portal import client_ip, routes
from sen_portal.config import get_settings
from sen_portal.db import session_scope
from sen_portal.email.notice_emails import local_time
from sen_portal.models import UserAccount
from sen_portal.routes import SESSION_ROUTE
from sen_portal.services.accounts import registration
from sen_portal.services.auth import sessions, sign_in
from sen_portal.services.auth.two_factor_policy import must_set_up_authenticator
from sen_portal.services.notices import maintenance
from sen_portal.services.platform.clock import system_clock
from sen_portal.state.form_errors import FormErrorsMixin
from sen_portal.state.password_pool import run_password_work
from sen_portal.state.session_binding import user_for_cookie


def safe_next(raw: str) -> str:
    """Only same-site paths: an open redirect would make phishing links look like ours.

    Browsers drop tabs and newlines while parsing a URL ("/\t/evil.example" becomes
    "//evil.example"), so any control character refuses the path outright.
    """
    path = unquote(raw or "")[:500]
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path) or "\\" in path:
        return routes.DASHBOARD
    parts = urlsplit(path)
    if not path.startswith("/") or path.startswith("//") or parts.scheme or parts.netloc:
        return routes.DASHBOARD
    return path


class SignInState(FormErrorsMixin, rx.State):
    """Both steps of signing in."""

    email: str = ""
    masked_email: str = ""
    method: str = "email"
    notice: str = ""
    unverified: bool = False
    resend_done: bool = False
    # Planned maintenance with sign-in paused: the page explains instead of showing the form
    # (``?staff=1`` shows the form: staff still sign in). services.sign_in enforces it either way.
    paused_title: str = ""
    paused_until: str = ""
    staff_form: bool = False
    # True while the password is being checked (or waits its turn on the password pool, when many
    # people sign in at once): the page says "Signing you in…" and the button cannot be pressed twice.
    signing_in: bool = False
    _challenge_id: int = 0
    _next: str = routes.DASHBOARD

    @rx.event
    async def load(self):
        """Fresh password step; remember where to go afterwards.

        Someone already signed in goes to their dashboard instead: they land here
        when they open a page their role may not see (staff pages, for professionals).
        """
        if await user_for_cookie(self.router.headers.cookie) is not None:
            return rx.redirect(routes.DASHBOARD)
        self._next = safe_next(self.router.url.query_parameters.get("next", ""))
        # The password field is the browser's own (never a var), so nothing typed while the page
        # connected can be wiped here (issue 13).
        self.errors = {}
        self.unverified = False
        self.resend_done = False
        self.staff_form = self.router.url.query_parameters.get("staff", "") == "1"
        paused = await asyncio.to_thread(_paused_now)
        self.paused_title = paused.title if paused else ""
        self.paused_until = local_time(paused.ends_at) if paused else ""
        return None

    def _show_paused(self, outcome: sign_in.SignInPaused) -> None:
        self.paused_title = outcome.title
        self.paused_until = local_time(outcome.ends_at)
        self.staff_form = False

    @rx.event
    def set_email(self, value: str) -> None:
        """Email field."""
        self.email = value  # never cut: a cut address would get the wrong error
        self.clear_error("email")

    @rx.event
    def set_password(self, value: str) -> None:
        """Password field: clears its error (the value is not kept)."""
        self.clear_error("password")

    @rx.event
    def set_code(self, value: str) -> None:
        """Code field: clears its error (the value is not kept)."""
        self.clear_error("code")

    @rx.event
    async def submit_password(self, form: dict | None = None):
        """Check email and password; on success a code is emailed and we move to the code step."""
        # Read from the submitted form, never kept: the browser keeps what was typed before the page
        # connected (the field is uncontrolled), so nothing is lost either.
        password = _form_value(form, "password", 1000)
        errors: dict[str, list[str]] = {}
        if not self.email.strip():
            errors["email"] = ["Enter your email address"]
        if not password:
            errors["password"] = ["Enter your password"]
        if errors:
            for event in self.show_errors(errors):
                yield event
            return
        email = self.email
        ip = client_ip.of_router(self.router)
        self.signing_in = True
        yield  # show "Signing you in…" now: the check may wait its turn behind other sign-ins
        try:
            outcome = await run_password_work(_check_password, email, password, ip)
        finally:
            self.signing_in = False
        if isinstance(outcome, sign_in.PasswordAccepted):
            self._challenge_id = outcome.challenge_id
            self.masked_email = outcome.masked_email
            self.method = outcome.method
            self.errors = {}
            self.notice = ""
            yield rx.redirect(routes.SIGN_IN_CODE)
        elif isinstance(outcome, sign_in.EmailNotVerified):
            self.unverified = True
            self.errors = {}
        elif isinstance(outcome, sign_in.SignInPaused):
            self.errors = {}
            self._show_paused(outcome)
        elif isinstance(outcome, sign_in.AccountLocked):
            for event in self.show_errors({"email": [sign_in.lock_message(outcome)]}):
                yield event
        else:
            for event in self.show_errors({"email": [outcome.message]}):
                yield event

    @rx.event
    async def resend_verification(self):
        """Unverified account: send the activation link again."""
        await asyncio.to_thread(_resend_verification, self.email)
        self.resend_done = True

    @rx.event
    def code_page_loaded(self):
        """No challenge in progress: back to the password step."""
        if not self._challenge_id:
            return rx.redirect(routes.SIGN_IN)
        return None

    @rx.event
    async def submit_code(self, form: dict | None = None):
        """Check the code; on success swap a one-time ticket for the session cookie."""
        code = "".join(ch for ch in _form_value(form, "code", 40) if not ch.isspace())
        if not code:
            for event in self.show_errors({"code": ["Enter the code"]}):
                yield event
            return
        if not self._challenge_id:
            yield rx.redirect(routes.SIGN_IN)
            return
        outcome = await asyncio.to_thread(_verify_code, self._challenge_id, code, client_ip.of_router(self.router))
        if isinstance(outcome, sign_in.CodeAccepted):
            ticket, needs_app = await asyncio.to_thread(_issue_ticket, outcome.user_id)
            self._challenge_id = 0
            self.errors = {}
            # Staff who must use an authenticator app set it up before anything else.
            yield rx.call_script(
                _start_session_script(ticket, routes.ACCOUNT_AUTHENTICATOR if needs_app else self._next)
            )
        elif isinstance(outcome, sign_in.CodeRejected):
            for event in self.show_errors({"code": [outcome.message]}):
                yield event
        elif isinstance(outcome, sign_in.SignInPaused):
            self._challenge_id = 0
            self._show_paused(outcome)
            yield rx.redirect(routes.SIGN_IN)
        else:
            self._challenge_id = 0
            self.notice = (
                "The code has expired. Sign in again to get a new one."
                if outcome.reason == "expired"
                else "You entered the wrong code too many times. Sign in again to get a new code."
            )
            yield rx.redirect(routes.SIGN_IN)

    @rx.event
    async def resend_code(self):
        """Send a new code (the old one stops working)."""
        if not self._challenge_id:
            yield rx.redirect(routes.SIGN_IN)
            return
        result = await asyncio.to_thread(_resend_code, self._challenge_id)
        self.notice = result.message
        self.resend_done = result.sent


def _form_value(form: dict | None, name: str, limit: int) -> str:
    return str((form if isinstance(form, dict) else {}).get(name) or "")[:limit]


def _start_session_script(ticket: str, next_path: str) -> str:
    # Values go in as JSON literals, never pasted into the script's syntax.
    return (
        f"fetch({json.dumps(SESSION_ROUTE)}, {{method: 'POST', credentials: 'same-origin', "
        f"headers: {{'Content-Type': 'application/json'}}, body: JSON.stringify({{ticket: {json.dumps(ticket)}}})}})"
        f".then(r => window.location.assign(r.ok ? {json.dumps(next_path)} : {json.dumps(routes.SIGN_IN)}))"
    )


def _check_password(email: str, password: str, ip: str):
    with session_scope() as db:
        return sign_in.check_password(db, email=email, password=password, ip=ip, settings=get_settings())


def _verify_code(challenge_id: int, code: str, ip: str):
    with session_scope() as db:
        return sign_in.verify_code(db, challenge_id=challenge_id, code=code, settings=get_settings(), ip=ip)


def _resend_code(challenge_id: int) -> sign_in.ResendResult:
    with session_scope() as db:
        return sign_in.resend_code(db, challenge_id=challenge_id, settings=get_settings())


def _issue_ticket(user_id: int) -> tuple[str, bool]:
    with session_scope() as db:
        user = db.get(UserAccount, user_id)
        needs_app = user is not None and must_set_up_authenticator(user, get_settings())
        return sessions.issue_ticket(db, user_id=user_id), needs_app


def _paused_now() -> maintenance.NoticeView | None:
    with session_scope() as db:
        return maintenance.sign_in_paused(db, now=system_clock())


def _resend_verification(email: str) -> None:
    with session_scope() as db:
        registration.resend_verification(db, email=email, settings=get_settings())
