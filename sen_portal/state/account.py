"""Account settings: the summary page (/account) and the maintenance email preference."""

from __future__ import annotations

import asyncio
from datetime import datetime

import reflex as rx

from sen_portal import routes
from sen_portal.db import session_scope
from sen_portal.services.accounts import account, account_profile
from sen_portal.services.accounts.account_profile import AccountProfile
from sen_portal.state.auth import AuthState, NotSignedIn, sign_in_redirect

# ``?updated=<key>`` after a change: a fixed message per key, so the URL cannot put words on the page.
UPDATED_MESSAGES = {
    "details": "Your details have been updated.",
    "maintenance": "Your email preferences have been updated.",
    "authenticator": "Your authenticator app settings have been updated.",
}


def load_profile(user_id: int) -> AccountProfile:
    """The signed-in user's details (for any account settings state, off the event loop)."""
    with session_scope() as db:
        return account_profile.load_profile(db, user_id=user_id)


def format_date(value: datetime | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


class AccountState(AuthState):
    """What /account shows, and the /account/maintenance form."""

    loaded: bool = False
    notice: str = ""
    email: str = ""
    pending_email: str = ""
    is_professional: bool = False
    full_name: str = ""
    phone: str = ""
    role_label: str = ""
    organisation: str = ""
    job_title: str = ""
    work_phone: str = ""
    address: str = ""
    maintenance_emails: bool = False
    totp_enabled: bool = False
    totp_since: str = ""
    recovery_codes_left: int = 0
    # The maintenance form's tick box (saved only on "Save").
    maintenance_choice: bool = False

    async def _load(self) -> bool:
        user = await self._signed_in()
        if user is None:
            return False
        profile = await asyncio.to_thread(load_profile, user.id)
        personal = profile.personal
        self.email = profile.email
        self.pending_email = profile.pending_email
        self.is_professional = profile.is_professional
        self.full_name = " ".join(
            part for part in (personal["title"], personal["first_name"], personal["last_name"]) if part
        )
        self.phone = personal["phone"]
        self.role_label = profile.role_label
        self.organisation = profile.work["organisation"]
        self.job_title = profile.work["job_title"]
        self.work_phone = profile.work["work_phone"]
        self.address = profile.address
        self.maintenance_emails = profile.maintenance_emails
        self.maintenance_choice = profile.maintenance_emails
        self.totp_enabled = profile.totp_enabled_at is not None
        self.totp_since = format_date(profile.totp_enabled_at)
        self.recovery_codes_left = profile.unused_recovery_codes
        self.loaded = True
        return True

    @rx.event
    async def load(self):
        """Check the session, then show the account's details."""
        updated = self.router.url.query_parameters.get("updated", "")
        self.notice = UPDATED_MESSAGES.get(updated, "")
        if not await self._load():
            return sign_in_redirect(self.router.url.path)
        return None

    @rx.event
    async def load_maintenance(self):
        """The maintenance preference form, showing what is saved."""
        self.notice = ""
        if not await self._load():
            return sign_in_redirect(self.router.url.path)
        return None

    @rx.event
    def set_maintenance_choice(self, checked: bool) -> None:
        """The tick box (not saved until the form is sent)."""
        self.maintenance_choice = bool(checked)

    @rx.event
    async def save_maintenance(self, _form: dict | None = None):
        """Save the maintenance email preference."""
        try:
            user = await self._require_user()
        except NotSignedIn:
            return sign_in_redirect(self.router.url.path)
        await asyncio.to_thread(_save_maintenance, user.id, self.maintenance_choice)
        self.maintenance_emails = self.maintenance_choice
        return rx.redirect(f"{routes.ACCOUNT}?updated=maintenance")


def _save_maintenance(user_id: int, enabled: bool) -> None:
    with session_scope() as db:
        account.set_maintenance_emails(db, user_id=user_id, enabled=enabled)
