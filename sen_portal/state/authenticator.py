"""/account/authenticator: set up an authenticator app (TOTP), new recovery codes, turn it off.

Setting up: the service makes a secret and its ``otpauth://`` URI; the secret stays in a
backend-only var until a first right code confirms it, and the page gets the QR code
(drawn here as SVG) and the key for typing in by hand. The ten recovery codes are shown
once, straight after, and are stored only as keyed hashes.

New recovery codes and turning the app off ask for the current password first: with a
stolen session alone, nobody can remove or take over the second factor. The password is
checked by ``sign_in.check_current_password``, which shares the sign-in failure count.
"""

from __future__ import annotations

import asyncio

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
    qr_code: str = ""
    manual_key: str = ""
    code: str = ""
    recovery_codes: list[str] = []
    action: str = ""
    current_password: str = ""
    _secret: str = ""

    async def _signed_in_user_id(self) -> int | None:
        try:
            return (await self._require_user()).id
        except NotSignedIn:
            return None

    def _forget_setup(self) -> None:
        self._secret = ""
        self.qr_code = ""
        self.manual_key = ""
        self.code = ""

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
        self.current_password = ""
        self.recovery_codes = []
        self.errors = {}
        self._forget_setup()
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
        self._secret = secret
        self.qr_code = qr_svg_data_uri(uri)
        self.manual_key = group_secret(secret)
        self.code = ""
        self.errors = {}
        self.step = "setup"
        return None

    @rx.event
    def set_code(self, value: str) -> None:
        """The code the app shows."""
        self.code = str(value)[:20]
        self.clear_error("code")

    @rx.event
    async def confirm_setup(self, _form: dict | None = None):
        """A right code turns the app on; then the recovery codes are shown, once."""
        user_id = await self._signed_in_user_id()
        if user_id is None:
            yield sign_in_redirect(self.router.url.path)
            return
        code = "".join(self.code.split())
        if not code:
            for event in self.show_errors({"code": ["Enter the 6-digit code from your authenticator app"]}):
                yield event
            return
        try:
            codes = await asyncio.to_thread(_confirm, user_id, self._secret, code)
        except account.TotpSetupError as problem:
            for event in self.show_errors({"code": [str(problem)]}):
                yield event
            return
        self._forget_setup()
        self.errors = {}
        self.enabled = True
        self.recovery_codes = codes
        self.recovery_codes_left = len(codes)
        self.step = "codes"

    @rx.event
    def cancel_setup(self) -> None:
        """Stop setting up (nothing was saved)."""
        self._forget_setup()
        self.errors = {}
        self.step = "overview"

    @rx.event
    def finish(self):
        """The codes are saved: they leave the page for good."""
        self.recovery_codes = []
        self.step = "overview"
        return rx.redirect(f"{routes.ACCOUNT}?updated=authenticator")

    # ---- app on: new recovery codes, turn off ------------------------------------------------
    @rx.event
    def choose_action(self, action: str) -> None:
        """Ask for the password before ``disable`` or ``new_codes``."""
        self.action = action if action in _ACTIONS else ""
        self.current_password = ""
        self.errors = {}

    @rx.event
    def set_current_password(self, value: str) -> None:
        """Current password field."""
        self.current_password = str(value)[:1000]
        self.clear_error("current_password")

    @rx.event
    async def confirm_action(self, _form: dict | None = None):
        """Check the password, then turn the app off or make new recovery codes."""
        user_id = await self._signed_in_user_id()
        if user_id is None:
            yield sign_in_redirect(self.router.url.path)
            return
        action = self.action
        if action not in _ACTIONS:
            return
        password = self.current_password
        self.current_password = ""
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
        self.recovery_codes = codes
        self.recovery_codes_left = len(codes)
        self.step = "codes"


def _start_setup(user_id: int) -> tuple[str, str]:
    with session_scope() as db:
        return account.start_totp_setup(db, user_id=user_id, settings=get_settings())


def _confirm(user_id: int, secret: str, code: str) -> list[str]:
    with session_scope() as db:
        return account.confirm_totp(db, user_id=user_id, secret=secret, code=code, settings=get_settings())


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
