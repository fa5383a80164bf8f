"""Changing the password (/account/password) and the email address (/account/email, then the emailed link).

Both ask for the current password, checked by the services against the same
failure count and lock as the sign-in page. The new password is checked against
the policy and hashed here, off the event loop; the plain passwords leave state as
soon as they have been used.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from sen_portal.config import get_settings
from sen_portal.db import session_scope
from sen_portal.inbound import emails
from sen_portal.services.accounts import account
from sen_portal.services.accounts.email_change import SAME_ADDRESS, TOO_MANY_REQUESTS
from sen_portal.services.auth import passwords
from sen_portal.services.auth.email_tokens import LinkStatus
from sen_portal.services.auth.sessions import token_from_cookie_header
from sen_portal.state import link_tokens
from sen_portal.state.account import load_profile
from sen_portal.state.auth import AuthState, NotSignedIn, sign_in_redirect
from sen_portal.state.form_errors import FormErrorsMixin
from sen_portal.state.password_pool import run_password_work

_MAX_PASSWORD = 1000


def _rules(password: str, context: list[str]) -> list[dict[str, str | bool]]:
    return [{"label": r.label, "met": r.met} for r in passwords.password_rule_status(password, context_words=context)]


class ChangePasswordState(FormErrorsMixin, AuthState):
    """Current password, new password (with the live checklist) and its confirmation.

    No password is ever a var here: the fields are uncontrolled inputs, the checklist handler gets
    the new password as its argument and keeps only which rules are met, and ``save`` reads all
    three from the submitted form data, so they live only in that event's locals.
    """

    done: bool = False
    show_password: bool = False
    password_rules: list[dict[str, str | bool]] = []
    _context: list[str] = []

    @rx.event
    async def load(self):
        """A fresh form for the signed-in user."""
        user = await self._signed_in()
        if user is None:
            return sign_in_redirect(self.router.url.path)
        profile = await asyncio.to_thread(load_profile, user.id)
        self._context = profile.context_words
        self.done = False
        self.show_password = False
        self.errors = {}
        self.password_rules = _rules("", self._context)
        return None

    @rx.event
    def set_current_password(self, value: str) -> None:
        """Current password field: clears its error (the value is not kept)."""
        self.clear_error("current_password")

    @rx.event
    def set_password(self, value: str) -> None:
        """New password: the live checklist (only which rules are met is kept)."""
        self.clear_error("password")
        self.password_rules = _rules(str(value)[:_MAX_PASSWORD], self._context)

    @rx.event
    def set_confirm_password(self, value: str) -> None:
        """Confirmation field: clears its error (the value is not kept)."""
        self.clear_error("confirm_password")

    @rx.event
    def toggle_show_password(self) -> None:
        """Show or hide the new password as typed."""
        self.show_password = not self.show_password

    @rx.event
    async def save(self, form: dict | None = None):
        """Check the new password, hash it off the event loop, then let the service check the current one."""
        try:
            user = await self._require_user()
        except NotSignedIn:
            yield sign_in_redirect(self.router.url.path)
            return
        fields = form if isinstance(form, dict) else {}
        current = str(fields.get("current_password") or "")[:_MAX_PASSWORD]
        new = str(fields.get("password") or "")[:_MAX_PASSWORD]
        confirm = str(fields.get("confirm_password") or "")[:_MAX_PASSWORD]
        errors: dict[str, list[str]] = {}
        if not current:
            errors["current_password"] = ["Enter your current password"]
        problems = passwords.password_errors(new, context_words=self._context)
        if problems:
            errors["password"] = problems[:1]
        elif passwords.normalise(confirm) != passwords.normalise(new):
            errors["confirm_password"] = ["Passwords do not match"]
        if errors:
            for event in self.show_errors(errors):
                yield event
            return
        new_hash = await run_password_work(
            passwords.hash_password, new, pepper=passwords.password_pepper(get_settings())
        )
        keep = token_from_cookie_header(self.router.headers.cookie)
        problems = await run_password_work(_change_password, user.id, current, new_hash, keep)
        if problems:
            for event in self.show_errors({"current_password": problems}):
                yield event
            return
        self.errors = {}
        self.password_rules = _rules("", self._context)
        self.done = True


def _change_password(user_id: int, current: str, new_hash: str, keep_token: str) -> list[str]:
    with session_scope() as db:
        return account.change_password(
            db,
            user_id=user_id,
            current_password=current,
            new_password_hash=new_hash,
            keep_session_token=keep_token or None,
            settings=get_settings(),
        )


class ChangeEmailState(FormErrorsMixin, AuthState):
    """The new address and the current password; the change waits for the new address to confirm."""

    current_email: str = ""
    pending_email: str = ""
    new_email: str = ""
    sent_to: str = ""  # the current password is never a var: ``save`` reads it from the form data

    @rx.event
    async def load(self):
        """A fresh form for the signed-in user."""
        user = await self._signed_in()
        if user is None:
            return sign_in_redirect(self.router.url.path)
        profile = await asyncio.to_thread(load_profile, user.id)
        self.current_email = profile.email
        self.pending_email = profile.pending_email
        self.new_email = ""
        self.sent_to = ""
        self.errors = {}
        return None

    @rx.event
    def set_new_email(self, value: str) -> None:
        """New email address field."""
        self.new_email = str(value)  # never cut: a cut address would get the wrong error
        self.clear_error("new_email")

    @rx.event
    def set_current_password(self, value: str) -> None:
        """Current password field: clears its error (the value is not kept)."""
        self.clear_error("current_password")

    @rx.event
    async def save(self, form: dict | None = None):
        """Ask the service to email a confirmation link to the new address (and tell the old one)."""
        try:
            user = await self._require_user()
        except NotSignedIn:
            yield sign_in_redirect(self.router.url.path)
            return
        errors: dict[str, list[str]] = {}
        email_problem = emails.email_error(self.new_email)
        if email_problem:
            errors["new_email"] = [email_problem]
        current = str((form if isinstance(form, dict) else {}).get("current_password") or "")[:_MAX_PASSWORD]
        if not current:
            errors["current_password"] = ["Enter your current password"]
        if errors:
            for event in self.show_errors(errors):
                yield event
            return
        new_email = self.new_email
        problems = await run_password_work(_request_change, user.id, new_email, current)
        if problems:
            field = "new_email" if problems[0] in (SAME_ADDRESS, TOO_MANY_REQUESTS) else "current_password"
            for event in self.show_errors({field: problems}):
                yield event
            return
        self.errors = {}
        self.sent_to = emails.normalise_email(new_email) or new_email
        self.new_email = ""


def _request_change(user_id: int, new_email: str, current: str) -> list[str]:
    with session_scope() as db:
        return account.request_email_change(
            db, user_id=user_id, new_email=new_email, current_password=current, settings=get_settings()
        )


class ConfirmEmailChangeState(rx.State):
    """The emailed link: look on load, change only on the button (mail scanners open links).

    ``status``: checking | valid | changed | expired | used | invalid.
    """

    status: str = "checking"  # the link's token is never a var: see state.link_tokens

    @rx.event
    async def load(self):
        """Say what the link would do, changing nothing."""
        token = link_tokens.token_from_address(self.router)
        self.status = "checking"
        status = await asyncio.to_thread(_check_link, token)
        self.status = status.value
        return link_tokens.move_token_into_page(token) if status == LinkStatus.VALID else None

    @rx.event
    async def confirm(self, form: dict | None = None) -> None:
        """Use the link: the new address becomes the account's."""
        status = await asyncio.to_thread(_confirm_link, link_tokens.token_from_form(form, self.router))
        self.status = "changed" if status == LinkStatus.VALID else status.value


def _check_link(token: str) -> LinkStatus:
    with session_scope() as db:
        return account.check_email_change_link(db, token=token)


def _confirm_link(token: str) -> LinkStatus:
    with session_scope() as db:
        return account.confirm_email_change(db, token=token)
