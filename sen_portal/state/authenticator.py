"""/account/authenticator: set up an authenticator app (TOTP), new recovery codes, turn it off.

Setting up: the service makes a secret and its ``otpauth://`` URI and keeps the secret on the
account, encrypted and pending, until a first right code confirms it. No secret is ever a var
here (page state is stored server-side for an hour, issue 12): the QR code (drawn here as SVG),
the key for typing in by hand and, straight after, the ten recovery codes reach the page only
through a one-off script that writes them into the page, and are stored only as keyed hashes.
Codes and the current password are read from the submitted form, never kept.

New recovery codes and turning the app off ask for the current password first: with a
stolen session alone, nobody can remove or take over the second factor. The password is
checked by ``sign_in.check_current_password``, which shares the sign-in failure count.
"""

from __future__ import annotations

import asyncio
import json

import reflex as rx

from sen_portal import routes
from sen_portal.config import get_settings
from sen_portal.db import session_scope
from sen_portal.services.accounts import account
from sen_portal.services.platform.qr_codes import group_secret, qr_svg_data_uri
from sen_portal.state.account import format_date, load_profile
from sen_portal.state.auth import AuthState, NotSignedIn, sign_in_redirect
from sen_portal.state.form_errors import FormErrorsMixin
from sen_portal.state.password_pool import run_password_work

DISABLE = "disable"
NEW_CODES = "new_codes"
_ACTIONS = (DISABLE, NEW_CODES)


class AuthenticatorState(FormErrorsMixin, AuthState):
    """``step``: overview | setup | codes. ``action`` (overview, app on): "" | disable | new_codes."""

    loaded: bool = False
    enabled: bool = False
    enabled_since: str = ""
    recovery_codes_left: int = 0
    step: str = "overview"
    action: str = ""

    async def _signed_in_user_id(self) -> int | None:
        try:
            return (await self._require_user()).id
        except NotSignedIn:
            return None

    @rx.event
    async def load(self):
        """Show whether an app is set up; forget any setup or codes from before."""
        user = await self._signed_in()
        if user is None:
            return sign_in_redirect(self.router.url.path)
        profile = await asyncio.to_thread(load_profile, user.id)
        self.enabled = profile.totp_enabled_at is not None
        self.enabled_since = format_date(profile.totp_enabled_at)
        self.recovery_codes_left = profile.unused_recovery_codes
        self.step = "overview"
        self.action = ""
        self.errors = {}
        self.loaded = True
        return None

    # ---- setting up --------------------------------------------------------------------------
    @rx.event
    async def start_setup(self):
        """A new secret: show its QR code and the key to type in by hand."""
        user_id = await self._signed_in_user_id()
        if user_id is None:
            return sign_in_redirect(self.router.url.path)
        try:
            secret, uri = await asyncio.to_thread(_start_setup, user_id)
        except account.TotpSetupError as problem:
            self.errors = {"setup": str(problem)}
            return None
        self.errors = {}
        self.step = "setup"
        return rx.call_script(_show_setup_script(qr_svg_data_uri(uri), group_secret(secret)))

    @rx.event
    def set_code(self, value: str) -> None:
        """Code field: clears its error (the value is not kept)."""
        self.clear_error("code")

    @rx.event
    async def confirm_setup(self, form: dict | None = None):
        """A right code turns the app on; then the recovery codes are shown, once."""
        user_id = await self._signed_in_user_id()
        if user_id is None:
            yield sign_in_redirect(self.router.url.path)
            return
        code = "".join(_form_value(form, "code", 40).split())
        if not code:
            for event in self.show_errors({"code": ["Enter the 6-digit code from your authenticator app"]}):
                yield event
            return
        try:
            codes = await asyncio.to_thread(_confirm, user_id, code)
        except account.TotpSetupError as problem:
            for event in self.show_errors({"code": [str(problem)]}):
                yield event
            return
        self.errors = {}
        self.enabled = True
        self.recovery_codes_left = len(codes)
        self.step = "codes"
        yield rx.call_script(_show_codes_script(codes))

    @rx.event
    def cancel_setup(self) -> None:
        """Stop setting up (nothing was turned on)."""
        self.errors = {}
        self.step = "overview"

    @rx.event
    def finish(self):
        """The codes are saved: they leave the page for good (they were never in state)."""
        self.step = "overview"
        return rx.redirect(f"{routes.ACCOUNT}?updated=authenticator")

    # ---- app on: new recovery codes, turn off ------------------------------------------------
    @rx.event
    def choose_action(self, action: str) -> None:
        """Ask for the password before ``disable`` or ``new_codes``."""
        self.action = action if action in _ACTIONS else ""
        self.errors = {}

    @rx.event
    def set_current_password(self, value: str) -> None:
        """Current password field: clears its error (the value is not kept)."""
        self.clear_error("current_password")

    @rx.event
    async def confirm_action(self, form: dict | None = None):
        """Check the password, then turn the app off or make new recovery codes."""
        user_id = await self._signed_in_user_id()
        if user_id is None:
            yield sign_in_redirect(self.router.url.path)
            return
        action = self.action
        if action not in _ACTIONS:
            return
        password = _form_value(form, "current_password", 1000)
        problems, codes = await run_password_work(_with_password, user_id, password, action)
        if problems:
            for event in self.show_errors({"current_password": problems}):
                yield event
            return
        self.errors = {}
        self.action = ""
        if action == DISABLE:
            self.enabled = False
            self.enabled_since = ""
            self.recovery_codes_left = 0
            yield rx.redirect(f"{routes.ACCOUNT}?updated=authenticator")
            return
        self.recovery_codes_left = len(codes)
        self.step = "codes"
        yield rx.call_script(_show_codes_script(codes))


def _form_value(form: dict | None, name: str, limit: int) -> str:
    return str((form if isinstance(form, dict) else {}).get(name) or "")[:limit]


# The scripts wait for the element the same update renders (the step's delta and the script
# arrive together; React may draw the step a frame later). Values go in as JSON literals and
# reach the page as text and attributes, never as markup.
_WHEN_SHOWN = (
    "(function show(tries) {{ const target = document.getElementById({id}); "
    "if (!target) {{ if (tries < 400) setTimeout(() => show(tries + 1), 25); return; }} {body} }})(0)"
)


def _show_setup_script(qr_data_uri: str, manual_key: str) -> str:
    body = (
        f"target.setAttribute('src', {json.dumps(qr_data_uri)}); "
        f"document.getElementById('setup-key').textContent = {json.dumps(manual_key)};"
    )
    return _WHEN_SHOWN.format(id=json.dumps("totp-qr"), body=body)


def _show_codes_script(codes: list[str]) -> str:
    body = (
        f"target.replaceChildren(...{json.dumps(codes)}.map((text) => {{ const item = document.createElement('li'); "
        "const code = document.createElement('code'); code.textContent = text; item.append(code); return item; }));"
    )
    return _WHEN_SHOWN.format(id=json.dumps("recovery-codes"), body=body)


def _start_setup(user_id: int) -> tuple[str, str]:
    with session_scope() as db:
        return account.start_totp_setup(db, user_id=user_id, settings=get_settings())


def _confirm(user_id: int, code: str) -> list[str]:
    with session_scope() as db:
        return account.confirm_totp(db, user_id=user_id, code=code, settings=get_settings())


def _with_password(user_id: int, password: str, action: str) -> tuple[list[str], list[str]]:
    """(password problems, new recovery codes); the services check the password themselves."""
    settings = get_settings()
    with session_scope() as db:
        # Caught inside the unit of work, so the failed attempt it counted is committed.
        try:
            if action == DISABLE:
                account.disable_totp(db, user_id=user_id, current_password=password, settings=settings)
                return [], []
            codes = account.regenerate_recovery_codes(db, user_id=user_id, current_password=password, settings=settings)
            return [], codes
        except account.CurrentPasswordRejected as rejected:
            return rejected.problems, []
        except account.TotpSetupError as problem:  # no app set up (a stale page)
            return [str(problem)], []
