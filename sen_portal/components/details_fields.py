"""Personal and work details form sections, shared by registration and account settings.

``state`` is a state class with ``FormErrorsMixin`` and a ``set_field(field, value)`` handler
for the text fields; ``work_details_fields`` also needs ``WorkDetailsMixin`` on it.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from sen_portal.components.combobox import combobox
from sen_portal.components.fields import select_input, text_input
from sen_portal.services.registration_steps import TITLES as TITLE_VALUES

TITLES = [("", "Select a title (optional)")] + [(t, t) for t in TITLE_VALUES]


def _error(state: Any, field: str) -> rx.Var:
    return state.errors.get(field, "").to(str)


def _text(state: Any, field: str, label: str, **kwargs: Any) -> rx.Component:
    return text_input(
        name=field,
        label=label,
        value=getattr(state, field),
        on_change=lambda value: state.set_field(field, value),
        error=_error(state, field),
        **kwargs,
    )


def personal_details_fields(state: Any) -> rx.Component:
    """Title, first and last name, phone number."""
    return rx.fragment(
        select_input(
            name="title",
            label="Title (optional)",
            value=state.title,
            on_change=lambda value: state.set_field("title", value),
            error=_error(state, "title"),
            options=TITLES,
        ),
        _text(state, "first_name", "First name", autocomplete="given-name", spellcheck=False),
        _text(state, "last_name", "Last name", autocomplete="family-name", spellcheck=False),
        _text(
            state,
            "phone",
            "Phone number",
            hint="A UK phone number we can call you on, like 01782 234567 or 07700 900123",
            input_type="tel",
            autocomplete="tel",
            width_class="input-width-10",
        ),
    )


def address_finder(state: Any) -> rx.Component:
    """Postcode look-up, a select of the addresses found, and the editable address fields."""
    return rx.el.fieldset(
        rx.el.legend("Work address", class_name="legend"),
        text_input(
            name="postcode",
            label="Postcode",
            value=state.postcode,
            on_change=lambda value: state.set_field("postcode", value),
            error=_error(state, "postcode"),
            autocomplete="postal-code",
            width_class="input-width-10",
        ),
        rx.el.button("Find address", type="button", on_click=state.find_address, class_name="button button-secondary"),
        rx.el.div(
            rx.cond(state.address_message != "", rx.el.p(state.address_message, class_name="body")),
            role="status",
            aria_live="polite",
        ),
        rx.cond(
            state.address_options.length() > 0,
            rx.el.div(
                rx.el.label("Select an address", html_for="address_select", class_name="label"),
                rx.el.select(
                    rx.el.option(state.address_message, value=""),
                    rx.foreach(state.address_options, lambda a: rx.el.option(a["label"], value=a["value"])),
                    id="address_select",
                    name="address_select",  # Reflex 0.11 submits controls by name only (as 0.10 did by id)
                    value=state.selected_uprn,
                    on_change=state.choose_address,
                    class_name="select",
                ),
                class_name="form-group",
            ),
        ),
        rx.cond(
            ~state.manual_address,
            rx.el.p(
                rx.el.button(
                    "Enter the address manually",
                    type="button",
                    on_click=state.enter_address_manually,
                    class_name="link-button",
                ),
                class_name="body",
            ),
        ),
        rx.cond(
            state.show_address_fields,
            rx.el.div(
                _text(state, "address_line1", "Address line 1", autocomplete="address-line1"),
                _text(state, "address_line2", "Address line 2 (optional)", autocomplete="address-line2"),
                _text(state, "address_town", "Town or city", autocomplete="address-level2"),
                _text(
                    state,
                    "address_postcode",
                    "Postcode of the address",
                    autocomplete="postal-code",
                    width_class="input-width-10",
                ),
            ),
        ),
        class_name="fieldset",
    )


def work_details_fields(state: Any) -> rx.Component:
    """Role and organisation type-aheads, job title, work phone and the address finder."""
    return rx.fragment(
        combobox(
            name="professional_role",
            label="Professional role",
            hint="Start typing, for example SENCO or Health visitor, then choose from the list. "
            "If your role is not listed, choose Other.",
            query=state.role_query,
            options=state.role_options,
            expanded=state.role_expanded,
            active_index=state.role_active,
            status=state.role_status,
            error=_error(state, "professional_role"),
            on_change=state.type_role,
            on_key_down=state.role_key,
            on_pick=state.pick_role,
        ),
        rx.cond(state.role_is_other, _text(state, "professional_role_other", "Describe your role")),
        combobox(
            name="organisation",
            label="Organisation or setting",
            hint="The school, nursery, health or social care team you work for",
            query=state.organisation,
            options=state.organisation_options,
            expanded=state.organisation_expanded,
            active_index=state.organisation_active,
            status=state.organisation_status,
            error=_error(state, "organisation"),
            on_change=state.type_organisation,
            on_key_down=state.organisation_key,
            on_pick=state.pick_organisation,
        ),
        _text(state, "job_title", "Job title", autocomplete="organization-title"),
        _text(
            state,
            "work_phone",
            "Work phone number (optional)",
            input_type="tel",
            autocomplete="tel",
            width_class="input-width-10",
        ),
        address_finder(state),
    )
