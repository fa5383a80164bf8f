"""Registration journey state: four steps and a check page, one state so nothing typed is lost.

Each step is validated by the same service functions the final submit runs
again (a client can call any handler directly, in any order). The password
fields are uncontrolled: the plain password is never a var, ``submit_account``
reads it from the submitted form and hashes it there, off the event loop; the
peppered hash waits in the database (``services.accounts.pending_password``) until
the final submit, and the page keeps only a random handle to it.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import reflex as rx

from sen_portal import client_ip, routes
from sen_portal.config import get_settings
from sen_portal.db import session_scope
from sen_portal.inbound import emails
from sen_portal.services.accounts import pending_password, registration
from sen_portal.services.auth import passwords
from sen_portal.services.platform import rate_limits
from sen_portal.state.form_errors import FormErrorsMixin
from sen_portal.state.password_pool import run_password_work
from sen_portal.state.work_details import WORK_TEXT_FIELDS, WorkDetailsMixin

# Which step each field lives on, so the check page can send "Change" to the right place.
PERSONAL_FIELDS = ("title", "first_name", "last_name", "phone")
WORK_FIELDS = (
    "professional_role",
    "professional_role_other",
    "organisation",
    "job_title",
    "work_phone",
    "postcode",
    "address_line1",
    "address_line2",
    "address_town",
    "address_postcode",
)


class RegistrationState(FormErrorsMixin, WorkDetailsMixin, rx.State):
    """The professional registration journey (work fields and their handlers come from ``WorkDetailsMixin``)."""

    # Personal details
    title: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    # Account
    email: str = ""
    show_password: bool = False
    password_rules: list[dict[str, str | bool]] = []
    _password_handle: str = ""
    _hashed_for_email: str = ""
    maintenance_emails: bool = False
    # Journey
    completed_steps: list[str] = []
    submitted_email: str = ""
    resend_message: str = ""

    # ---- generic field setters (explicit, one per field group) -------------------------
    @rx.event
    def set_field(self, field: str, value: str) -> None:
        """Set a plain text field the pages expose; anything else is ignored."""
        if field in _TEXT_FIELDS and isinstance(value, str):
            setattr(self, field, value)  # never cut: validation reports a long value and the box keeps it
            self.clear_error(field)

    @rx.event
    def set_maintenance_emails(self, checked: bool) -> None:
        """The maintenance email opt-in."""
        self.maintenance_emails = bool(checked)

    # ---- step 1: personal details ------------------------------------------------------
    @rx.event
    def submit_personal(self, _form: dict | None = None) -> list[rx.event.EventSpec] | rx.event.EventSpec:
        """Validate personal details and go on."""
        errors = registration.validate_personal_step(
            title=self.title, first_name=self.first_name, last_name=self.last_name, phone=self.phone
        )
        if errors:
            return self.show_errors(errors)
        self.errors = {}
        self._complete("personal")
        return rx.redirect(self._next_after("personal"))

    # ---- step 2: account -----------------------------------------------------------------
    @rx.event
    def set_password(self, value: str) -> None:
        """The live rules checklist (only which rules are met is kept, never the password)."""
        self.clear_error("password")
        self.password_rules = [
            {"label": rule.label, "met": rule.met}
            for rule in passwords.password_rule_status(str(value)[:1000], context_words=self._context_words())
        ]

    @rx.event
    def set_confirm_password(self, value: str) -> None:
        """Confirmation field: clears its error (the value is not kept)."""
        self.clear_error("confirm_password")

    @rx.event
    def toggle_show_password(self) -> None:
        """Show or hide what was typed in the password fields."""
        self.show_password = not self.show_password

    @rx.event
    async def submit_account(self, form: dict | None = None):
        """Validate email and password, hash the password off the event loop, and go on."""
        fields = form if isinstance(form, dict) else {}
        password = str(fields.get("password") or "")[:1000]
        confirm = str(fields.get("confirm_password") or "")[:1000]
        keep_existing = self._password_handle and not password and self._hashed_for_email == self.email.strip()
        if keep_existing:
            errors = registration.validate_account_step(
                email=self.email,
                password=None,
                confirm_password=None,
                first_name=self.first_name,
                last_name=self.last_name,
            )
        else:
            errors = registration.validate_account_step(
                email=self.email,
                password=password,
                confirm_password=confirm,
                first_name=self.first_name,
                last_name=self.last_name,
            )
        if errors:
            for event in self.show_errors(errors):
                yield event
            return
        if not keep_existing:
            if not await asyncio.to_thread(_may_hash, client_ip.of_router(self.router)):
                for event in self.show_errors(
                    {"password": ["Too many attempts from your network. Wait a few minutes and try again."]}
                ):
                    yield event
                return
            pepper = passwords.password_pepper(get_settings())
            password_hash = await run_password_work(passwords.hash_password, password, pepper=pepper)
            self._password_handle = await asyncio.to_thread(_keep_hash, password_hash, self._password_handle)
            self._hashed_for_email = self.email.strip()
        self.errors = {}
        self._complete("account")
        yield rx.redirect(self._next_after("account"))

    # ---- step 3: work details (type-ahead and address handlers: WorkDetailsMixin) -------------
    @rx.event
    async def submit_work(self, _form: dict | None = None):
        """Validate work details and go to the check page."""
        if self._take_suppressed_submit():
            return
        errors = self._point_at_address_finder(await asyncio.to_thread(_validate_work, self._work_values()))
        if errors:
            return self.show_errors(errors)
        self.errors = {}
        self._complete("work")
        return rx.redirect(routes.REGISTER_CHECK)

    # ---- check page and submit -------------------------------------------------------------
    @rx.event
    def check_page_loaded(self):
        """Send people who skipped steps back to the first missing one."""
        for step, route in _STEP_ROUTES:
            if step not in self.completed_steps:
                return rx.redirect(route)
        return None

    @rx.event
    async def submit_registration(self):
        """Create the account (or quietly email the owner of an existing one) and send the link."""
        if self._take_suppressed_submit():
            return
        missing = [route for step, route in _STEP_ROUTES if step not in self.completed_steps]
        password_hash = await asyncio.to_thread(_look_up_hash, self._password_handle) if not missing else None
        if missing or not password_hash:
            if not missing:  # kept too long (or never): the password is asked for again
                self._password_handle = ""
                self.errors = {"password": "Enter your password again: we keep it for 2 hours at most"}
            yield rx.redirect(missing[0] if missing else routes.REGISTER_ACCOUNT)
            return
        details = registration.RegistrationDetails(
            email=self.email,
            password_hash=password_hash,
            title=self.title,
            first_name=self.first_name,
            last_name=self.last_name,
            phone=self.phone,
            maintenance_emails=self.maintenance_emails,
            **self._work_values(),
        )
        ip = client_ip.of_router(self.router)
        try:
            await asyncio.to_thread(_register, details, ip)
        except registration.RegistrationInvalid as invalid:
            for event in self.show_errors(invalid.errors):
                yield event
            return
        except registration.RegistrationThrottled:
            self.errors = {"submit": "Too many registrations from your network. Wait an hour and try again."}
            return
        self.submitted_email = emails.normalise_email(self.email) or self.email
        await asyncio.to_thread(_forget_hash, self._password_handle)
        self._reset_journey()
        yield rx.redirect(routes.REGISTER_CHECK_EMAIL)

    @rx.event
    async def resend_email(self):
        """Send the verification link again (throttled by the service)."""
        if not self.submitted_email:
            return
        await asyncio.to_thread(_resend, self.submitted_email)
        self.resend_message = f"We have sent the email again to {self.submitted_email} if you can have another one."

    @rx.event
    async def start_again(self):
        """Wrong address: forget everything and go back to the first step."""
        await asyncio.to_thread(_forget_hash, self._password_handle)
        self._reset_journey()
        self.submitted_email = ""
        self.resend_message = ""
        return rx.redirect(routes.REGISTER)

    # ---- helpers -------------------------------------------------------------------------------
    def _context_words(self) -> list[str]:
        return [self.email, self.first_name, self.last_name]

    def _complete(self, step: str) -> None:
        if step not in self.completed_steps:
            self.completed_steps = [*self.completed_steps, step]

    def _next_after(self, step: str) -> str:
        # After a "Change" from the check page, go straight back there.
        if all(name in self.completed_steps for name, _ in _STEP_ROUTES):
            return routes.REGISTER_CHECK
        order = [name for name, _ in _STEP_ROUTES]
        return dict(_STEP_ROUTES)[order[order.index(step) + 1]]

    def _reset_journey(self) -> None:
        for name in _TEXT_FIELDS:
            setattr(self, name, "")
        self._clear_work_details()
        self.completed_steps = []
        self.password_rules = []
        self.maintenance_emails = False
        self._password_handle = ""
        self._hashed_for_email = ""
        self.errors = {}


_TEXT_FIELDS = ("title", "first_name", "last_name", "phone", "email", *WORK_TEXT_FIELDS)
_STEP_ROUTES = (
    ("personal", routes.REGISTER),
    ("account", routes.REGISTER_ACCOUNT),
    ("work", routes.REGISTER_WORK),
)


def _validate_work(values: dict[str, str]) -> dict[str, list[str]]:
    with session_scope() as session:
        return registration.validate_work_step(session, **values)


def _register(details: registration.RegistrationDetails, ip: str) -> None:
    with session_scope() as session:
        registration.register(session, details=details, ip=ip, settings=get_settings())


def _resend(email: str) -> None:
    with session_scope() as session:
        registration.resend_verification(session, email=email, settings=get_settings())


def _keep_hash(password_hash: str, previous_handle: str) -> str:
    with session_scope() as session:
        pending_password.forget(session, handle=previous_handle)
        return pending_password.keep(session, password_hash=password_hash)


def _look_up_hash(handle: str) -> str | None:
    with session_scope() as session:
        return pending_password.look_up(session, handle=handle)


def _forget_hash(handle: str) -> None:
    with session_scope() as session:
        pending_password.forget(session, handle=handle)


def _may_hash(ip: str) -> bool:
    """bcrypt costs 0.3 s of CPU: cap how often one client can make the server do it (30 an hour)."""
    with session_scope() as session:
        bucket = rate_limits.bucket_key("register_hash", "ip", (ip or "unknown")[:45])
        return rate_limits.hit(session, bucket, limit=30, window=timedelta(hours=1)).allowed
