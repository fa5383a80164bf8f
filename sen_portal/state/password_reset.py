"""Forgotten password: ask for a link (same reply for every address), then set a new password."""

from __future__ import annotations

import asyncio

import reflex as rx

from sen_portal.config import get_settings
from sen_portal.db import session_scope
from sen_portal.inbound import emails
from sen_portal.services.auth import password_reset, passwords
from sen_portal.services.auth.email_tokens import LinkStatus
from sen_portal.state import link_tokens
from sen_portal.state.form_errors import FormErrorsMixin
from sen_portal.state.password_pool import run_password_work


class ForgottenPasswordState(FormErrorsMixin, rx.State):
    """Step one: the email address."""

    email: str = ""
    sent_to: str = ""

    @rx.event
    def load(self) -> None:
        """A fresh form."""
        self.sent_to = ""
        self.errors = {}

    @rx.event
    def set_email(self, value: str) -> None:
        """Email field."""
        self.email = value  # never cut: a cut address would get the wrong error
        self.clear_error("email")

    @rx.event
    async def submit(self, _form: dict | None = None):
        """Send a reset link if there is an account; the page says the same either way."""
        error = emails.email_error(self.email)
        if error:
            for event in self.show_errors({"email": [error]}):
                yield event
            return
        email = self.email
        await asyncio.to_thread(_request_reset, email)
        self.sent_to = emails.normalise_email(email) or email
        self.errors = {}


class ResetPasswordState(FormErrorsMixin, rx.State):
    """Step two: the emailed link and the new password. ``status``: checking | valid | done | expired | used | invalid.

    Neither password is ever a var (uncontrolled fields; ``submit`` reads the form data, the
    checklist keeps only which rules are met). Nor is the link's token: ``load`` reads it from the
    address, writes it into the form's hidden field and takes it out of the address bar, so the
    next event's copy of the page address (Reflex keeps it in the stored state) no longer holds it.
    """

    status: str = "checking"
    purpose: str = ""
    password_rules: list[dict[str, str | bool]] = []
    _context: list[str] = []

    @rx.event
    async def load(self):
        """Look at the link without using it; the token moves from the address into the form."""
        self.errors = {}
        token = link_tokens.token_from_address(self.router)
        status, purpose, context = await asyncio.to_thread(_inspect, token)
        self.status = status.value
        self.purpose = purpose or ""
        self._context = context
        self.password_rules = _rules("", context)
        return link_tokens.move_token_into_page(token)

    @rx.event
    def set_password(self, value: str) -> None:
        """New password: the live checklist (only which rules are met is kept)."""
        self.clear_error("password")
        self.password_rules = _rules(str(value)[:1000], self._context)

    @rx.event
    def set_confirm_password(self, value: str) -> None:
        """Confirmation field: clears its error (the value is not kept)."""
        self.clear_error("confirm_password")

    @rx.event
    async def submit(self, form: dict | None = None):
        """Check the policy, hash off the event loop, use the link."""
        fields = form if isinstance(form, dict) else {}
        password = str(fields.get("password") or "")[:1000]
        confirm = str(fields.get("confirm_password") or "")[:1000]
        errors: dict[str, list[str]] = {}
        problems = passwords.password_errors(password, context_words=self._context)
        if problems:
            errors["password"] = problems[:1]
        elif passwords.normalise(confirm) != passwords.normalise(password):
            errors["confirm_password"] = ["Passwords do not match"]
        if errors:
            for event in self.show_errors(errors):
                yield event
            return
        token = link_tokens.token_from_form(fields, self.router)
        current = await asyncio.to_thread(_inspect, token)
        if current[0] != LinkStatus.VALID:
            # No bcrypt work for a link that cannot be used (and no way to make the server hash for free).
            self.status = current[0].value
            return
        hashed = await run_password_work(
            passwords.hash_password, password, pepper=passwords.password_pepper(get_settings())
        )
        status = await asyncio.to_thread(_reset, token, hashed)
        self.status = "done" if status == LinkStatus.VALID else status.value


def _rules(password: str, context: list[str]) -> list[dict[str, str | bool]]:
    return [{"label": r.label, "met": r.met} for r in passwords.password_rule_status(password, context_words=context)]


def _request_reset(email: str) -> None:
    with session_scope() as db:
        password_reset.request_reset(db, email=email, settings=get_settings())


def _inspect(token: str) -> tuple[LinkStatus, str | None, list[str]]:
    with session_scope() as db:
        return (
            password_reset.check_reset_link(db, token=token),
            password_reset.link_purpose(db, token=token),
            password_reset.reset_context_words(db, token=token),
        )


def _reset(token: str, password_hash: str) -> LinkStatus:
    with session_scope() as db:
        return password_reset.reset_password(db, token=token, password_hash=password_hash, settings=get_settings())
