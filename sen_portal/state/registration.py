"""Registration journey state: four steps and a check page, one state so nothing typed is lost.

Each step is validated by the same service functions the final submit runs
again (a client can call any handler directly, in any order). The password is
hashed as soon as the account step passes, off the event loop, and only the
hash is kept (in a backend-only var); the plain password never lives in state
beyond the typing of it.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from sen_portal import routes
from sen_portal.config import get_settings
from sen_portal.db import session_scope
from sen_portal.services import addresses, emails, lookups, passwords, postcodes, registration
from sen_portal.state.form_errors import FormErrorsMixin

ROLE_LIST = "professional_role"
SETTING_LIST = "setting"
OTHER_ROLE = "other"

# Which step each field lives on, so the check page can send "Change" to the right place.
PERSONAL_FIELDS = ("title", "first_name", "last_name", "phone")
ACCOUNT_FIELDS = ("email", "password", "confirm_password")
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


class RegistrationState(FormErrorsMixin, rx.State):
    """The professional registration journey."""

    # Personal details
    title: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    # Account
    email: str = ""
    password: str = ""
    confirm_password: str = ""
    show_password: bool = False
    password_rules: list[dict[str, str | bool]] = []
    _password_hash: str = ""
    _hashed_for_email: str = ""
    # Work: role type-ahead
    role_query: str = ""
    professional_role: str = ""
    role_options: list[dict[str, str]] = []
    role_expanded: bool = False
    role_active: int = -1
    professional_role_other: str = ""
    # Work: organisation type-ahead (free text allowed)
    organisation: str = ""
    organisation_options: list[dict[str, str]] = []
    organisation_expanded: bool = False
    organisation_active: int = -1
    job_title: str = ""
    work_phone: str = ""
    # Work address by postcode
    postcode: str = ""
    address_options: list[dict[str, str]] = []
    address_message: str = ""
    selected_uprn: str = ""
    manual_address: bool = False
    address_line1: str = ""
    address_line2: str = ""
    address_town: str = ""
    address_postcode: str = ""
    address_uprn: str = ""
    _found_addresses: dict[str, dict[str, str]] = {}
    maintenance_emails: bool = False
    # Journey
    completed_steps: list[str] = []
    submitted_email: str = ""
    resend_message: str = ""
    _suppress_next_submit: bool = False

    # ---- derived display values -------------------------------------------------------
    @rx.var
    def role_status(self) -> str:
        if not self.role_expanded:
            return ""
        count = len(self.role_options)
        if count == 0:
            return "No matching roles. Choose Other if your role is not listed."
        return f"{count} suggestion{'s' if count != 1 else ''} available. Use up and down arrows to choose."

    @rx.var
    def organisation_status(self) -> str:
        if not self.organisation_expanded:
            return ""
        count = len(self.organisation_options)
        return f"{count} suggestion{'s' if count != 1 else ''} available." if count else ""

    @rx.var
    def role_is_other(self) -> bool:
        return self.professional_role == OTHER_ROLE

    @rx.var
    def show_address_fields(self) -> bool:
        return self.manual_address or self.selected_uprn != ""

    @rx.var
    def address_summary(self) -> str:
        parts = [self.address_line1, self.address_line2, self.address_town, self.address_postcode]
        return ", ".join(part for part in parts if part)

    # ---- generic field setters (explicit, one per field group) -------------------------
    @rx.event
    def set_field(self, field: str, value: str) -> None:
        """Set a plain text field the pages expose; anything else is ignored."""
        if field in _TEXT_FIELDS and isinstance(value, str):
            setattr(self, field, value[:_MAX_LENGTH])
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
        """Update the password and its live rules checklist."""
        self.password = value[:1000]
        self.clear_error("password")
        self.password_rules = [
            {"label": rule.label, "met": rule.met}
            for rule in passwords.password_rule_status(self.password, context_words=self._context_words())
        ]

    @rx.event
    def toggle_show_password(self) -> None:
        """Show or hide what was typed in the password fields."""
        self.show_password = not self.show_password

    @rx.event
    async def submit_account(self, _form: dict | None = None):
        """Validate email and password, hash the password off the event loop, and go on."""
        keep_existing = self._password_hash and not self.password and self._hashed_for_email == self.email.strip()
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
                password=self.password,
                confirm_password=self.confirm_password,
                first_name=self.first_name,
                last_name=self.last_name,
            )
        if errors:
            for event in self.show_errors(errors):
                yield event
            return
        if not keep_existing:
            pepper = passwords.password_pepper(get_settings())
            self._password_hash = await asyncio.to_thread(passwords.hash_password, self.password, pepper=pepper)
            self._hashed_for_email = self.email.strip()
        # The plain password leaves state as soon as it is hashed.
        self.password = ""
        self.confirm_password = ""
        self.errors = {}
        self._complete("account")
        yield rx.redirect(self._next_after("account"))

    # ---- step 3: work details ------------------------------------------------------------
    @rx.event
    def type_role(self, value: str) -> None:
        """Filter the professional roles as the user types."""
        self.role_query = value[:100]
        self.professional_role = ""
        self.clear_error("professional_role")
        with session_scope() as session:
            found = lookups.search_lookup(session, ROLE_LIST, self.role_query, limit=10)
        self.role_options = [{"value": option.value, "label": option.label} for option in found]
        self.role_expanded = bool(self.role_query.strip())
        self.role_active = 0 if self.role_options else -1

    @rx.event
    def role_key(self, key: str) -> None:
        """Arrow keys move through suggestions, Enter picks, Escape closes."""
        self._listbox_key("role", key)

    @rx.event
    def pick_role(self, value: str) -> None:
        """Choose a role from the list (only listed values are accepted)."""
        self._pick_role(value)

    def _pick_role(self, value: str) -> None:
        for option in self.role_options:
            if option["value"] == value:
                self.professional_role = option["value"]
                self.role_query = option["label"]
                self.role_expanded = False
                self.role_active = -1
                self.clear_error("professional_role")
                return

    @rx.event
    def type_organisation(self, value: str) -> None:
        """Free text, with suggestions from the settings list."""
        self.organisation = value[:200]
        self.clear_error("organisation")
        with session_scope() as session:
            found = lookups.search_lookup(session, SETTING_LIST, self.organisation, limit=8)
        self.organisation_options = [{"value": option.label, "label": option.label} for option in found]
        self.organisation_expanded = bool(self.organisation.strip()) and bool(self.organisation_options)
        self.organisation_active = -1

    @rx.event
    def organisation_key(self, key: str) -> None:
        """Arrow keys move through suggestions, Enter picks, Escape closes."""
        self._listbox_key("organisation", key)

    @rx.event
    def pick_organisation(self, value: str) -> None:
        """Take a suggested organisation name."""
        self._pick_organisation(value)

    def _pick_organisation(self, value: str) -> None:
        self.organisation = value[:200]
        self.organisation_expanded = False
        self.organisation_active = -1

    @rx.event
    async def find_address(self):
        """Look the postcode up and offer the addresses held for it."""
        self.address_options = []
        self.selected_uprn = ""
        normalised = postcodes.normalise_postcode(self.postcode)
        if normalised is None:
            self.address_message = ""
            for event in self.show_errors({"postcode": [postcodes.postcode_error(self.postcode) or ""]}):
                yield event
            return
        self.postcode = normalised
        self.clear_error("postcode")
        try:
            found = await asyncio.to_thread(_lookup_addresses, normalised)
        except addresses.AddressLookupUnavailable:
            self.address_message = "The address finder is not working at the moment. Enter the address manually."
            self.manual_address = True
            return
        self.address_options = [{"value": a.uprn, "label": a.label} for a in found]
        # Kept on the server: choosing an address must not trust address text sent by the browser.
        self._found_addresses = {
            a.uprn: {"line1": a.line1, "line2": a.line2, "line3": a.line3, "town": a.town, "postcode": a.postcode}
            for a in found
        }
        if found:
            self.address_message = f"{len(found)} address{'es' if len(found) != 1 else ''} found for {normalised}"
        else:
            self.address_message = (
                f"We could not find any addresses for {normalised}. Check the postcode or enter the address manually."
            )

    @rx.event
    def choose_address(self, uprn: str) -> None:
        """Fill the address fields from the chosen address (still editable)."""
        chosen = self._found_addresses.get(uprn)
        if chosen is None:
            self.selected_uprn = ""
            return
        self.selected_uprn = uprn
        self.address_uprn = uprn
        self.address_line1 = chosen["line1"]
        self.address_line2 = ", ".join(part for part in (chosen["line2"], chosen["line3"]) if part)
        self.address_town = chosen["town"]
        self.address_postcode = chosen["postcode"]
        for field in ("address_line1", "address_town", "address_postcode", "postcode"):
            self.clear_error(field)

    @rx.event
    def enter_address_manually(self) -> None:
        """Show the address fields for typing."""
        self.manual_address = True
        self.address_uprn = ""
        self.selected_uprn = ""
        if not self.address_postcode and postcodes.normalise_postcode(self.postcode):
            self.address_postcode = postcodes.normalise_postcode(self.postcode) or ""

    @rx.event
    def submit_work(self, _form: dict | None = None):
        """Validate work details and go to the check page."""
        if self._suppress_next_submit:
            # Enter picked an option in a type-ahead; the browser also submitted the form.
            self._suppress_next_submit = False
            return
        with session_scope() as session:
            errors = registration.validate_work_step(session, **self._work_values())
        if not self.address_line1 and not self.show_address_fields and "address_line1" in errors:
            # Point the user at the postcode finder first when no address has been chosen yet.
            errors = {("postcode" if key == "address_line1" else key): value for key, value in errors.items()}
            errors["postcode"] = ["Enter a postcode and find the address, or enter the address manually"]
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
        if self._suppress_next_submit:
            self._suppress_next_submit = False
            return
        missing = [route for step, route in _STEP_ROUTES if step not in self.completed_steps]
        if missing or not self._password_hash:
            yield rx.redirect(missing[0] if missing else routes.REGISTER_ACCOUNT)
            return
        details = registration.RegistrationDetails(
            email=self.email,
            password_hash=self._password_hash,
            title=self.title,
            first_name=self.first_name,
            last_name=self.last_name,
            phone=self.phone,
            maintenance_emails=self.maintenance_emails,
            **self._work_values(),
        )
        ip = self.router.session.client_ip
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
    def start_again(self):
        """Wrong address: forget everything and go back to the first step."""
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

    def _work_values(self) -> dict[str, str]:
        return {
            "professional_role": self.professional_role,
            "professional_role_other": self.professional_role_other if self.professional_role == OTHER_ROLE else "",
            "organisation": self.organisation,
            "job_title": self.job_title,
            "work_phone": self.work_phone,
            "address_line1": self.address_line1,
            "address_line2": self.address_line2,
            "address_town": self.address_town,
            "address_postcode": self.address_postcode,
            "address_uprn": self.address_uprn,
        }

    def _listbox_key(self, prefix: str, key: str) -> None:
        options: list = getattr(self, f"{prefix}_options")
        expanded: bool = getattr(self, f"{prefix}_expanded")
        active: int = getattr(self, f"{prefix}_active")
        if key == "ArrowDown" and options:
            setattr(self, f"{prefix}_expanded", True)
            setattr(self, f"{prefix}_active", min(active + 1, len(options) - 1))
        elif key == "ArrowUp" and options:
            setattr(self, f"{prefix}_active", max(active - 1, 0))
        elif key == "Escape":
            setattr(self, f"{prefix}_expanded", False)
            setattr(self, f"{prefix}_active", -1)
        elif key == "Enter" and expanded and 0 <= active < len(options):
            self._suppress_next_submit = True
            (self._pick_role if prefix == "role" else self._pick_organisation)(options[active]["value"])

    def _reset_journey(self) -> None:
        defaults = RegistrationState.get_fields()
        for name in (*_TEXT_FIELDS, "role_query", "professional_role"):
            setattr(self, name, "")
        for name in ("role_options", "organisation_options", "address_options", "completed_steps", "password_rules"):
            setattr(self, name, [])
        self.manual_address = False
        self.selected_uprn = ""
        self.address_uprn = ""
        self.address_message = ""
        self.maintenance_emails = False
        self._password_hash = ""
        self._hashed_for_email = ""
        self.errors = {}
        del defaults


_MAX_LENGTH = 254
_TEXT_FIELDS = (
    "title",
    "first_name",
    "last_name",
    "phone",
    "email",
    "confirm_password",
    "professional_role_other",
    "job_title",
    "work_phone",
    "postcode",
    "address_line1",
    "address_line2",
    "address_town",
    "address_postcode",
)
_STEP_ROUTES = (
    ("personal", routes.REGISTER),
    ("account", routes.REGISTER_ACCOUNT),
    ("work", routes.REGISTER_WORK),
)


def _lookup_addresses(postcode: str) -> list:
    with session_scope() as session:
        return addresses.provider_for(get_settings()).find(session, postcode)


def _register(details: registration.RegistrationDetails, ip: str) -> None:
    with session_scope() as session:
        registration.register(session, details=details, ip=ip, settings=get_settings())


def _resend(email: str) -> None:
    with session_scope() as session:
        registration.resend_verification(session, email=email, settings=get_settings())
