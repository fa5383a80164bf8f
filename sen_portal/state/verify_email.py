"""Email verification link: look at the link on load, activate only on a button press.

Mail scanners fetch links to check them, so opening the link must change
nothing; the *Activate my account* button does the work.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from sen_portal.config import get_settings
from sen_portal.db import session_scope
from sen_portal.inbound import emails
from sen_portal.services.accounts import registration
from sen_portal.services.accounts.registration import LinkStatus
from sen_portal.state import link_tokens
from sen_portal.state.form_errors import FormErrorsMixin


class VerifyEmailState(FormErrorsMixin, rx.State):
    """``status``: checking | valid | expired | used | invalid | activated."""

    status: str = "checking"
    resend_email: str = ""
    resend_done: bool = False  # the link's token is never a var: see state.link_tokens

    @rx.event
    async def load(self):
        """Read the token from the link and say what state it is in, without using it."""
        token = link_tokens.token_from_address(self.router)
        self.resend_done = False
        self.errors = {}
        link_status = await asyncio.to_thread(_check, token)
        self.status = link_status.value
        return link_tokens.move_token_into_page(token) if link_status == LinkStatus.VALID else None

    @rx.event
    async def activate(self, form: dict | None = None) -> None:
        """Use the link: verify the email address (single use)."""
        link_status = await asyncio.to_thread(_activate, link_tokens.token_from_form(form, self.router))
        self.status = "activated" if link_status == LinkStatus.VALID else link_status.value

    @rx.event
    def set_resend_email(self, value: str) -> None:
        """The address to send a new link to."""
        self.resend_email = value[:254]
        self.clear_error("resend_email")

    @rx.event
    async def request_new_link(self, _form: dict | None = None):
        """Send a new link; the reply is the same whether or not the address has an account."""
        error = emails.email_error(self.resend_email)
        if error:
            for event in self.show_errors({"resend_email": [error]}):
                yield event
            return
        await asyncio.to_thread(_resend, self.resend_email)
        self.resend_done = True


def _check(token: str) -> LinkStatus:
    with session_scope() as session:
        return registration.check_verification_link(session, token=token)


def _activate(token: str) -> LinkStatus:
    with session_scope() as session:
        return registration.activate(session, token=token)


def _resend(email: str) -> None:
    with session_scope() as session:
        registration.resend_verification(session, email=email, settings=get_settings())
