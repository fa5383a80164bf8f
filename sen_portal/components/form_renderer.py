"""One generic renderer for any form definition: ``rx.foreach`` over a render plan, ``rx.match`` on type.

The plan comes from ``sen_portal.forms.render_plan`` (flat dicts, one per visible
field), so a new live form version appears without rebuilding the frontend.
Inputs are uncontrolled (``default_value``) and named by answer path, so the
form's submit carries every answer; ``on_blur`` keeps the server copy current
for reveals and repeatable groups, and choice fields report changes at once so
"show only when" questions appear immediately.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from sen_portal.components.character_count import character_count_message

EventFactory = Callable[..., Any]


class FormEvents:
    """The handlers a page gives the renderer (keeps this module free of any one state class)."""

    def __init__(
        self,
        *,
        set_value: EventFactory,
        choose: EventFactory,
        add_item: EventFactory,
        remove_item: EventFactory,
        remove_document: EventFactory,
        documents: rx.Var,
        find_address: EventFactory,
        choose_address: EventFactory,
        address_options: rx.Var,
        address_messages: rx.Var,
        choose_upload: EventFactory | None = None,
        upload_error_slot: rx.Var | None = None,
        upload_error: rx.Var | None = None,
    ) -> None:
        self.set_value = set_value
        self.choose = choose
        self.add_item = add_item
        self.remove_item = remove_item
        self.remove_document = remove_document
        self.documents = documents
        self.find_address = find_address
        self.choose_address = choose_address
        self.address_options = address_options
        self.address_messages = address_messages
        # Per-slot uploads (the request pages; the designer preview has none).
        self.choose_upload = choose_upload
        self.upload_error_slot = upload_error_slot
        self.upload_error = upload_error

    @classmethod
    def of(cls, state: Any) -> FormEvents:
        """A state class that has every handler and var under these names (the request pages, the preview)."""
        names = [
            "set_value",
            "choose",
            "add_item",
            "remove_item",
            "remove_document",
            "documents",
            "find_address",
            "choose_address",
            "address_options",
            "address_messages",
        ]
        optional = ["choose_upload", "upload_error_slot", "upload_error"]
        return cls(
            **{name: getattr(state, name) for name in names},
            **{name: getattr(state, name) for name in optional if hasattr(state, name)},
        )


def _described_by(entry: rx.Var) -> rx.Var:
    name = entry["name"].to(str)
    return rx.cond(
        entry["error"].to(str) != "",
        rx.cond(entry["hint"].to(str) != "", name + "-hint " + name + "-error", name + "-error"),
        rx.cond(entry["hint"].to(str) != "", name + "-hint", ""),
    )


def _hint(entry: rx.Var) -> rx.Component:
    return rx.cond(
        entry["hint"].to(str) != "",
        rx.el.div(entry["hint"].to(str), id=entry["name"].to(str) + "-hint", class_name="hint"),
    )


def _error(entry: rx.Var) -> rx.Component:
    return rx.cond(
        entry["error"].to(str) != "",
        rx.el.p(
            rx.el.span("Error: ", class_name="visually-hidden"),
            entry["error"].to(str),
            id=entry["name"].to(str) + "-error",
            class_name="error-message",
        ),
    )


def _group_class(entry: rx.Var) -> rx.Var:
    return rx.cond(entry["error"].to(str) != "", "form-group form-group-error", "form-group")


def _input_class(entry: rx.Var, extra: str = "") -> rx.Var:
    return rx.cond(entry["error"].to(str) != "", f"input input-error {extra}", f"input {extra}")


def _label(entry: rx.Var) -> rx.Component:
    return rx.el.label(entry["display_label"].to(str), html_for=entry["name"].to(str), class_name="label")


def _text_like(entry: rx.Var, events: FormEvents, *, input_type: str = "text", width: str = "") -> rx.Component:
    name = entry["name"].to(str)
    return rx.el.div(
        _label(entry),
        _hint(entry),
        _error(entry),
        rx.el.input(
            id=name,
            name=name,
            type=input_type,
            default_value=entry["value"].to(str),
            input_mode=entry["input_mode"].to(str),
            auto_complete=entry["autocomplete"].to(str),
            aria_describedby=_described_by(entry),
            aria_invalid=rx.cond(entry["error"].to(str) != "", "true", "false"),
            on_blur=lambda value: events.set_value(name, value),
            class_name=_input_class(entry, width),
        ),
        class_name=_group_class(entry),
    )


def _long_text(entry: rx.Var, events: FormEvents) -> rx.Component:
    name = entry["name"].to(str)
    limited = entry["max_length"].to(int) > 0
    return rx.el.div(
        _label(entry),
        _hint(entry),
        _error(entry),
        rx.el.textarea(
            id=name,
            name=name,
            default_value=entry["value"].to(str),
            rows=5,
            aria_describedby=rx.cond(
                limited, (_described_by(entry) + " " + name + "-info").to(str), _described_by(entry)
            ),
            aria_invalid=rx.cond(entry["error"].to(str) != "", "true", "false"),
            on_blur=lambda value: events.set_value(name, value),
            class_name=rx.cond(entry["error"].to(str) != "", "textarea input-error", "textarea"),
        ),
        rx.cond(limited, character_count_message(name, entry["max_length"].to(int))),
        class_name=_group_class(entry),
    )


def _fieldset(entry: rx.Var, *children: rx.Component) -> rx.Component:
    name = entry["name"].to(str)
    return rx.el.div(
        rx.el.fieldset(
            rx.el.legend(entry["display_label"].to(str), class_name="label"),
            _hint(entry),
            _error(entry),
            *children,
            class_name="fieldset",
            id=name,
            aria_describedby=_described_by(entry),
            tab_index=-1,
        ),
        class_name=_group_class(entry),
    )


def _radios(entry: rx.Var, events: FormEvents) -> rx.Component:
    name = entry["name"].to(str)
    return _fieldset(
        entry,
        rx.foreach(
            entry["options"].to(list[dict[str, Any]]),
            lambda option, index: rx.el.div(
                rx.el.input(
                    type="radio",
                    name=name,
                    id=name + "-" + index.to_string(),
                    value=option["value"].to(str),
                    default_checked=option["selected"].to(bool),
                    on_change=lambda _value: events.choose(name, option["value"].to(str)),
                ),
                rx.el.label(option["label"].to(str), html_for=name + "-" + index.to_string()),
                class_name="checkbox",
            ),
        ),
    )


def _checkboxes(entry: rx.Var, events: FormEvents) -> rx.Component:
    name = entry["name"].to(str)
    return _fieldset(
        entry,
        rx.foreach(
            entry["options"].to(list[dict[str, Any]]),
            lambda option, index: rx.el.div(
                rx.el.input(
                    type="checkbox",
                    name=name,
                    id=name + "-" + index.to_string(),
                    value=option["value"].to(str),
                    default_checked=option["selected"].to(bool),
                ),
                rx.el.label(option["label"].to(str), html_for=name + "-" + index.to_string()),
                class_name="checkbox",
            ),
        ),
    )


def _select(entry: rx.Var, events: FormEvents) -> rx.Component:
    name = entry["name"].to(str)
    return rx.el.div(
        _label(entry),
        _hint(entry),
        _error(entry),
        rx.el.select(
            rx.el.option("Select an option", value=""),
            rx.foreach(
                entry["options"].to(list[dict[str, Any]]),
                lambda option: rx.el.option(option["label"].to(str), value=option["value"].to(str)),
            ),
            id=name,
            name=name,
            default_value=entry["value"].to(str),
            aria_describedby=_described_by(entry),
            on_change=lambda value: events.choose(name, value),
            class_name="select",
        ),
        class_name=_group_class(entry),
    )


def _typeahead(entry: rx.Var, events: FormEvents) -> rx.Component:
    """A native ``datalist``: keyboard and screen-reader support come with the browser."""
    name = entry["name"].to(str)
    return rx.el.div(
        _label(entry),
        _hint(entry),
        _error(entry),
        rx.el.input(
            id=name,
            name=name,
            type="text",
            list=name + "-options",
            default_value=rx.cond(
                entry["value_label"].to(str) != "", entry["value_label"].to(str), entry["value"].to(str)
            ),
            auto_complete="off",
            aria_describedby=_described_by(entry),
            aria_invalid=rx.cond(entry["error"].to(str) != "", "true", "false"),
            on_blur=lambda value: events.set_value(name, value),
            class_name=_input_class(entry),
        ),
        rx.el.datalist(
            rx.foreach(
                entry["options"].to(list[dict[str, Any]]),
                lambda option: rx.el.option(value=option["label"].to(str)),
            ),
            id=name + "-options",
        ),
        class_name=_group_class(entry),
    )


def _part_input(entry: rx.Var, part: str, label: str, events: FormEvents, width: str = "") -> rx.Component:
    name = entry["name"].to(str)
    part_name = name + "." + part
    return rx.el.div(
        rx.el.label(label, html_for=part_name, class_name="label"),
        rx.el.input(
            id=part_name,
            name=part_name,
            type="text",
            input_mode="numeric" if part in ("day", "month", "year") else "text",
            default_value=entry["value"].to(dict[str, str])[part].to(str),
            on_blur=lambda value: events.set_value(part_name, value),
            class_name=_input_class(entry, width),
        ),
        class_name="date-part",
    )


def _date(entry: rx.Var, events: FormEvents) -> rx.Component:
    return _fieldset(
        entry,
        rx.el.div(
            _part_input(entry, "day", "Day", events, "input-width-2"),
            _part_input(entry, "month", "Month", events, "input-width-2"),
            _part_input(entry, "year", "Year", events, "input-width-4"),
            class_name="date-input",
        ),
    )


def _address(entry: rx.Var, events: FormEvents) -> rx.Component:
    """Postcode, *Find address*, pick from the list; the lines stay editable (manual entry always works)."""
    name = entry["name"].to(str)
    value = entry["value"].to(dict[str, str])
    options = events.address_options.to(dict[str, list[dict[str, str]]]).get(name, []).to(list[dict[str, str]])
    message = events.address_messages.to(dict[str, str]).get(name, "").to(str)
    return _fieldset(
        entry,
        rx.el.div(
            _part_input(entry, "postcode", "Postcode", events, "input-width-10"),
            key=name + "-postcode-" + value["uprn"].to(str),
        ),
        rx.el.button(
            "Find address",
            rx.el.span(" for " + entry["label"].to(str), class_name="visually-hidden"),
            type="button",
            on_click=events.find_address(name),
            class_name="button button-secondary",
        ),
        rx.el.div(rx.cond(message != "", rx.el.p(message, class_name="body")), role="status", aria_live="polite"),
        rx.cond(
            options.length() > 0,
            rx.el.div(
                rx.el.label("Select an address", html_for=name + "-select", class_name="label"),
                rx.el.select(
                    rx.el.option(message, value=""),
                    rx.foreach(options, lambda option: rx.el.option(option["label"], value=option["value"])),
                    id=name + "-select",
                    value=value["uprn"].to(str),
                    on_change=lambda uprn: events.choose_address(name, uprn),
                    class_name="select",
                ),
                class_name="form-group",
            ),
        ),
        # Keyed on the chosen address so a pick refreshes these (uncontrolled) inputs.
        rx.el.div(
            _part_input(entry, "line1", "Address line 1", events),
            _part_input(entry, "line2", "Address line 2 (optional)", events),
            _part_input(entry, "town", "Town or city", events),
            key=name + "-" + value["uprn"].to(str),
        ),
    )


def _guidance(entry: rx.Var) -> rx.Component:
    return rx.el.div(
        rx.cond(entry["label"].to(str) != "", rx.el.h2(entry["label"].to(str), class_name="heading-m")),
        rx.el.p(entry["text"].to(str), class_name="body"),
        class_name="inset",
    )


# The page's one hidden file input (pages/referral.py): each slot's button opens it for that slot.
OPEN_FILE_CHOOSER = "document.querySelector('#document-upload input[type=file]').click()"


def _slot_chooser(entry: rx.Var, events: FormEvents) -> rx.Component:
    """GOV.UK file upload in the slot: its own button, its own error beside it, upload on choice."""
    if events.choose_upload is None or events.upload_error_slot is None or events.upload_error is None:
        return rx.fragment()
    name = entry["name"].to(str)
    return rx.fragment(
        rx.cond(
            events.upload_error_slot == name,
            rx.el.p(
                rx.el.span("Error: ", class_name="visually-hidden"),
                events.upload_error,
                id="upload-error",  # one slot at a time shows an upload error
                class_name="error-message",
            ),
        ),
        rx.el.button(
            "Choose a file",
            rx.el.span(" for " + entry["label"].to(str), class_name="visually-hidden"),
            type="button",
            # Open the chooser first, in the click itself (browsers need a user action for it).
            on_click=[rx.call_script(OPEN_FILE_CHOOSER), events.choose_upload(name)],
            class_name="button button-secondary",
        ),
    )


def _document_slot(entry: rx.Var, events: FormEvents) -> rx.Component:
    name = entry["name"].to(str)
    return rx.el.div(
        rx.el.h3(entry["display_label"].to(str), class_name="heading-s", id=name),
        _hint(entry),
        _error(entry),
        rx.el.ul(
            rx.foreach(
                events.documents.to(list[dict[str, str]]),
                lambda document: rx.cond(
                    document["slot"] == name,
                    rx.el.li(
                        rx.el.span(document["name"] + " (" + document["size"] + ") "),
                        rx.el.button(
                            "Remove",
                            rx.el.span(" " + document["name"], class_name="visually-hidden"),
                            type="button",
                            on_click=events.remove_document(document["public_id"]),
                            class_name="link-button",
                        ),
                    ),
                ),
            ),
            class_name="list",
        ),
        _slot_chooser(entry, events),
        class_name=_group_class(entry),
    )


def render_leaf(entry: rx.Var, events: FormEvents) -> rx.Component:
    """Every field type except groups."""
    return rx.match(
        entry["type"].to(str),
        ("text", _text_like(entry, events)),
        ("email", _text_like(entry, events, input_type="email")),
        ("uk_phone", _text_like(entry, events, input_type="tel", width="input-width-10")),
        ("number", _text_like(entry, events, width="input-width-10")),
        ("upn", _text_like(entry, events, width="input-width-10")),
        ("nhs_number", _text_like(entry, events, width="input-width-10")),
        ("long_text", _long_text(entry, events)),
        ("date", _date(entry, events)),
        ("yes_no", _radios(entry, events)),
        ("radios", _radios(entry, events)),
        ("checkboxes", _checkboxes(entry, events)),
        ("select", _select(entry, events)),
        ("typeahead", _typeahead(entry, events)),
        ("address", _address(entry, events)),
        ("guidance", _guidance(entry)),
        ("document_slot", _document_slot(entry, events)),
        _text_like(entry, events),
    )


def _group(entry: rx.Var, events: FormEvents) -> rx.Component:
    name = entry["name"].to(str)
    return rx.el.div(
        rx.el.h2(entry["display_label"].to(str), class_name="heading-m", id=name, tab_index=-1),
        _hint(entry),
        _error(entry),
        rx.foreach(
            entry["items"].to(list[dict[str, Any]]),
            lambda item: rx.el.fieldset(
                rx.el.legend(item["heading"].to(str), class_name="legend"),
                rx.foreach(
                    item["fields"].to(list[dict[str, Any]]),
                    lambda member: rx.el.div(render_leaf(member, events), key=member["name"].to(str)),
                ),
                rx.cond(
                    entry["can_remove"].to(bool),
                    rx.el.button(
                        "Remove",
                        rx.el.span(" " + item["heading"].to(str), class_name="visually-hidden"),
                        type="button",
                        on_click=events.remove_item(name, item["index"].to(int)),
                        class_name="button button-secondary",
                    ),
                ),
                class_name="fieldset group-item",
                # Removing item 2 of 3 re-numbers the rest: the item count in the key redraws them
                # from the server's answers (kept current on blur) rather than from stale boxes.
                key=name + "-" + item["index"].to_string() + "-of-" + entry["items"].to(list).length().to_string(),
            ),
        ),
        rx.cond(
            entry["can_add"].to(bool),
            rx.el.button(
                entry["add_label"].to(str),
                type="button",
                on_click=events.add_item(name),
                class_name="button button-secondary",
            ),
        ),
        class_name=_group_class(entry),
    )


def render_section(plan: rx.Var, events: FormEvents) -> rx.Component:
    """Draw every visible field of a section from its render plan."""
    return rx.foreach(
        plan.to(list[dict[str, Any]]),
        # Keyed by answer path, not position: when a question appears or disappears, the inputs
        # after it keep their own typed text instead of sliding into their neighbour's box.
        lambda entry: rx.el.div(
            rx.cond(entry["type"].to(str) == "group", _group(entry, events), render_leaf(entry, events)),
            key=entry["name"].to(str),
        ),
    )
