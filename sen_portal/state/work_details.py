"""Work details shared by registration and account settings: role and organisation type-aheads, address finder.

A Reflex mixin, so each page's state keeps its own copy of the fields. The state that
uses it must also use ``FormErrorsMixin`` (``show_errors`` / ``clear_error``).
None of these handlers touches an account: they search the lookup lists and the
address gazetteer, which anyone registering may do.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from sen_portal.config import get_settings
from sen_portal.db import session_scope
from sen_portal.inbound import postcodes
from sen_portal.services.accounts.registration_steps import OTHER_ROLE, Errors
from sen_portal.services.addresses import finder as addresses
from sen_portal.services.lookups import lists as lookups

ROLE_LIST = lookups.PROFESSIONAL_ROLE
SETTING_LIST = lookups.SETTING

# The plain text work fields a page may set through its ``set_field`` handler.
WORK_TEXT_FIELDS = (
    "professional_role_other",
    "job_title",
    "work_phone",
    "postcode",
    "address_line1",
    "address_line2",
    "address_town",
    "address_postcode",
)
FIND_ADDRESS_FIRST = "Enter a postcode and find the address, or enter the address manually"


class WorkDetailsMixin(rx.State, mixin=True):
    """Professional role, organisation, job, work phone and work address."""

    # Role type-ahead: only a listed value is a role.
    role_query: str = ""
    professional_role: str = ""
    role_options: list[dict[str, str]] = []
    role_expanded: bool = False
    role_active: int = -1
    professional_role_other: str = ""
    # Organisation type-ahead (free text allowed).
    organisation: str = ""
    organisation_options: list[dict[str, str]] = []
    organisation_expanded: bool = False
    organisation_active: int = -1
    job_title: str = ""
    work_phone: str = ""
    # Work address by postcode.
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
    # Enter picked a type-ahead option; the browser submits the form too, which must be ignored once.
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

    # ---- role ----------------------------------------------------------------------------
    @rx.event
    async def type_role(self, value: str) -> None:
        """Filter the professional roles as the user types."""
        self.role_query = str(value)[:100]
        self.professional_role = ""
        self.clear_error("professional_role")
        found = await asyncio.to_thread(_search, ROLE_LIST, self.role_query, 10)
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

    # ---- organisation --------------------------------------------------------------------
    @rx.event
    async def type_organisation(self, value: str) -> None:
        """Free text, with suggestions from the settings list."""
        self.organisation = str(value)  # never cut: validation reports a long name
        self.clear_error("organisation")
        found = await asyncio.to_thread(_search, SETTING_LIST, self.organisation, 8)
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
        self.organisation = str(value)  # never cut: validation reports a long name
        self.organisation_expanded = False
        self.organisation_active = -1

    # ---- address -------------------------------------------------------------------------
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
            # An error like any other: beside the postcode and in the summary, with the way forward.
            self.address_message = ""
            for event in self.show_errors(
                {
                    "postcode": [
                        f"We could not find any addresses for {normalised} – check it or enter the address manually"
                    ]
                }
            ):
                yield event

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

    # ---- helpers for the page states ------------------------------------------------------
    def _work_values(self) -> dict[str, str]:
        """The work fields as the services take them."""
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

    def _point_at_address_finder(self, errors: Errors) -> Errors:
        """With no address chosen or typed yet, send the user to the postcode finder, not a hidden field."""
        if self.address_line1 or self.show_address_fields or "address_line1" not in errors:
            return errors
        errors = {("postcode" if key == "address_line1" else key): value for key, value in errors.items()}
        errors["postcode"] = [FIND_ADDRESS_FIRST]
        return errors

    def _take_suppressed_submit(self) -> bool:
        """True (once) when the form submit came from Enter picking a type-ahead option."""
        if self._suppress_next_submit:
            self._suppress_next_submit = False
            return True
        return False

    def _load_work_details(self, values: dict[str, str], role_label: str) -> None:
        """Fill the fields from a saved account (the address shows as typed-in, still editable)."""
        self.professional_role = values.get("professional_role", "")
        self.role_query = role_label
        self.professional_role_other = values.get("professional_role_other", "")
        self.organisation = values.get("organisation", "")
        self.job_title = values.get("job_title", "")
        self.work_phone = values.get("work_phone", "")
        self.address_line1 = values.get("address_line1", "")
        self.address_line2 = values.get("address_line2", "")
        self.address_town = values.get("address_town", "")
        self.address_postcode = values.get("address_postcode", "")
        self.address_uprn = values.get("address_uprn", "")
        self.postcode = self.address_postcode
        self.manual_address = bool(self.address_line1)
        self.selected_uprn = ""
        self.role_options = []
        self.role_expanded = False
        self.role_active = -1
        self.organisation_options = []
        self.organisation_expanded = False
        self.organisation_active = -1
        self.address_options = []
        self.address_message = ""
        self._found_addresses = {}
        self._suppress_next_submit = False

    def _clear_work_details(self) -> None:
        self._load_work_details({}, "")

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


def _search(list_key: str, query: str, limit: int) -> list[lookups.LookupOption]:
    with session_scope() as session:
        return lookups.search_lookup(session, list_key, query, limit=limit)


def _lookup_addresses(postcode: str) -> list:
    with session_scope() as session:
        return addresses.provider_for(get_settings()).find(session, postcode)
