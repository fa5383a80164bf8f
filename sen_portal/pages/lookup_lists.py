"""Lookup lists: every list with its entries; add, rename, retire and bring back (admins only)."""

from __future__ import annotations

import reflex as rx

from sen_portal.components.error_summary import error_summary
from sen_portal.components.post_form import post_form
from sen_portal.components.text import heading, paragraph
from sen_portal.pages.form_designer import designer_page, status_message
from sen_portal.state.lookup_lists import LookupListsState as S


def _error(name: rx.Var) -> rx.Component:
    return rx.cond(
        S.errors.contains(name),
        rx.el.p(
            rx.el.span("Error: ", class_name="visually-hidden"),
            S.errors.get(name, "").to(str),
            id=name + "-error",
            class_name="error-message",
        ),
    )


def _list_heading(row: rx.Var) -> rx.Component:
    new_id = "new-" + row["list_key"]
    return rx.el.div(
        rx.el.h2(row["label"], class_name="heading-m", style={"margin-top": "30px"}),
        post_form(
            rx.el.input(type="hidden", name="list_key", value=row["list_key"]),
            rx.el.label("New entry for " + row["label"], html_for=new_id, class_name="label"),
            _error(new_id),
            rx.el.input(id=new_id, name="label", type="text", class_name="input"),
            rx.el.button(
                "Add",
                rx.el.span(" to " + row["label"], class_name="visually-hidden"),
                type="submit",
                class_name="button",
            ),
            on_submit=S.add,
            reset_on_submit=False,
            class_name="form-group",
        ),
    )


def _entry(row: rx.Var) -> rx.Component:
    label_id = "label-" + row["list_key"] + "-" + row["value"]
    retired = row["retired"] != ""
    return post_form(
        rx.el.input(type="hidden", name="list_key", value=row["list_key"]),
        rx.el.input(type="hidden", name="value", value=row["value"]),
        rx.el.label(
            "Name of entry ",
            rx.el.code(row["value"]),
            rx.cond(retired, " (retired)", ""),
            html_for=label_id,
            class_name="label",
        ),
        _error(label_id),
        rx.el.input(id=label_id, name="label", type="text", default_value=row["label"], class_name="input"),
        rx.el.button(
            "Rename",
            rx.el.span(" " + row["label"], class_name="visually-hidden"),
            type="submit",
            class_name="button button-secondary",
        ),
        rx.el.button(
            rx.cond(retired, "Bring back", "Retire"),
            rx.el.span(" " + row["label"], class_name="visually-hidden"),
            type="button",
            on_click=S.retire(row["list_key"], row["value"], ~retired),
            class_name="button button-secondary",
        ),
        on_submit=S.rename,
        reset_on_submit=False,
        class_name="form-group",
    )


def lookups_page() -> rx.Component:
    return designer_page(
        error_summary(S.error_items),
        heading("Lookup lists"),
        paragraph(
            "Lists that forms offer as choices. Renaming an entry changes what people read; the value stored on "
            "requests stays the same. Retired entries are no longer offered but still show on old requests."
        ),
        status_message(S.message),
        rx.el.div(
            rx.foreach(
                S.rows,
                lambda row: rx.el.div(
                    rx.cond(row["kind"] == "list", _list_heading(row), _entry(row)), key=row["list_key"] + row["value"]
                ),
            ),
            key=S.revision.to_string(),
        ),
        heading("Start a new list", level=2, size="m"),
        post_form(
            rx.el.label(
                "List name (lower-case words joined by _, like school_phase)", html_for="new-list", class_name="label"
            ),
            _error(rx.Var.create("new-list")),
            rx.el.input(id="new-list", name="list_key", type="text", class_name="input"),
            rx.el.label("First entry", html_for="new-list-label", class_name="label"),
            rx.el.input(id="new-list-label", name="label", type="text", class_name="input"),
            rx.el.button("Start list", type="submit", class_name="button button-secondary"),
            on_submit=S.add,
            reset_on_submit=False,
            class_name="form-group",
            # Typed text stays after an error; a successful change redraws the boxes empty.
            key=S.changes_made.to_string(),
        ),
    )
