"""/account/details: change personal details and (professionals) work details.

The same fields, type-aheads and address finder as registration (``WorkDetailsMixin``,
``components.details_fields``) and the same validation (``account.update_details``
runs the registration steps' validators).
"""

from __future__ import annotations

import asyncio

import reflex as rx

from sen_portal import routes
from sen_portal.db import session_scope
from sen_portal.services.accounts import account
from sen_portal.services.accounts.account_profile import PERSONAL_FIELDS
from sen_portal.state.account import load_profile
from sen_portal.state.auth import AuthState, NotSignedIn, sign_in_redirect
from sen_portal.state.form_errors import FormErrorsMixin
from sen_portal.state.work_details import WORK_TEXT_FIELDS, WorkDetailsMixin

_TEXT_FIELDS = frozenset((*PERSONAL_FIELDS, *WORK_TEXT_FIELDS))


class AccountDetailsState(FormErrorsMixin, WorkDetailsMixin, AuthState):
    """The details form, filled from the account on load."""

    loaded: bool = False
    is_professional: bool = False
    title: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""

    @rx.event
    async def load(self):
        """Check the session and fill the form with what is saved."""
        user = await self._signed_in()
        if user is None:
            return sign_in_redirect(self.router.url.path)
        profile = await asyncio.to_thread(load_profile, user.id)
        self.errors = {}
        self.is_professional = profile.is_professional
        for name in PERSONAL_FIELDS:
            setattr(self, name, profile.personal[name])
        self._load_work_details(profile.work, profile.role_name)
        self.loaded = True
        return None

    @rx.event
    def set_field(self, field: str, value: str) -> None:
        """Set a text field the page shows; anything else is ignored."""
        if field in _TEXT_FIELDS and isinstance(value, str):
            setattr(self, field, value)  # never cut: validation reports a long value
            self.clear_error(field)

    @rx.event
    async def save(self, _form: dict | None = None):
        """Validate and save (work fields only for professionals; the service decides)."""
        if self._take_suppressed_submit():
            return None
        try:
            user = await self._require_user()
        except NotSignedIn:
            return sign_in_redirect(self.router.url.path)
        values = {name: getattr(self, name) for name in PERSONAL_FIELDS}
        if self.is_professional:
            values |= self._work_values()
        errors = await asyncio.to_thread(_update, user.id, values)
        if errors:
            return self.show_errors(self._point_at_address_finder(errors))
        self.errors = {}
        return rx.redirect(f"{routes.ACCOUNT}?updated=details")


def _update(user_id: int, values: dict[str, str]) -> dict[str, list[str]]:
    with session_scope() as db:
        return account.update_details(db, user_id=user_id, **values)
