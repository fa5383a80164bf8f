"""One section or question of a draft: every setting its type has, in one plain form (keyboard friendly).

The settings come from the engine's model of the type (see forms/designer_fields.py),
so every type in the registry is editable here; the engine's problems show above
the form, and saving goes back to the outline once there are none.
"""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.error_summary import error_summary
from sen_portal.components.post_form import post_form
from sen_portal.components.text import heading, paragraph
from sen_portal.pages.form_designer import designer_page, status_message
from sen_portal.state.form_editor import FormEditorState as E


def _setting(row: rx.Var) -> rx.Component:
    key = row["key"].to(str)
    setting_id = "setting-" + key
    label = rx.el.label(row["label"], html_for=setting_id, class_name="label")
    choices = row["choices"].to(list[dict[str, str]])
    text_box = rx.el.input(id=setting_id, name=key, type="text", default_value=row["value"], class_name="input")
    return rx.el.div(
        rx.match(
            row["kind"],
            (
                "bool",
                rx.el.div(
                    rx.el.input(
                        id=setting_id, name=key, type="checkbox", value="true", default_checked=row["checked"].to(bool)
                    ),
                    rx.el.label(row["label"], html_for=setting_id),
                    class_name="checkbox",
                ),
            ),
            (
                "textarea",
                rx.fragment(
                    label,
                    rx.el.textarea(id=setting_id, name=key, default_value=row["value"], rows=4, class_name="textarea"),
                ),
            ),
            (
                "messages",
                rx.fragment(
                    label,
                    rx.el.textarea(id=setting_id, name=key, default_value=row["value"], rows=3, class_name="textarea"),
                ),
            ),
            (
                "options",
                rx.fragment(
                    label,
                    rx.el.textarea(id=setting_id, name=key, default_value=row["value"], rows=6, class_name="textarea"),
                ),
            ),
            (
                "int",
                rx.fragment(
                    label,
                    rx.el.input(
                        id=setting_id,
                        name=key,
                        type="text",
                        input_mode="numeric",
                        default_value=row["value"],
                        class_name="input input-width-10",
                    ),
                ),
            ),
            (
                "number",
                rx.fragment(
                    label,
                    rx.el.input(
                        id=setting_id,
                        name=key,
                        type="text",
                        input_mode="decimal",
                        default_value=row["value"],
                        class_name="input input-width-10",
                    ),
                ),
            ),
            (
                "text",
                rx.fragment(label, text_box),
            ),
            rx.fragment(
                label,
                rx.el.select(
                    rx.foreach(choices, lambda c: rx.el.option(c["label"], value=c["value"])),
                    id=setting_id,
                    name=key,
                    default_value=row["value"],
                    class_name="select",
                ),
            ),
        ),
        class_name="form-group",
    )


def item_page() -> rx.Component:
    return designer_page(
        error_summary(E.error_items),
        rx.cond(
            E.not_found,
            rx.fragment(heading("Not found"), paragraph(rx.el.a("Back to forms", href=routes.STAFF_FORMS))),
            rx.fragment(
                rx.el.span(E.item_type, class_name="caption"),
                heading(E.item_heading),
                paragraph(
                    "Stored as ",
                    rx.el.code(E.item_name),
                    ". This never changes, so answers already given keep their meaning.",
                ),
                status_message(E.message),
                rx.cond(
                    E.item_problems.length() > 0,
                    rx.el.div(
                        rx.el.h2("Problems to fix", class_name="heading-s"),
                        rx.el.ul(
                            rx.foreach(E.item_problems, lambda p: rx.el.li(p, class_name="error-message")),
                            class_name="list",
                        ),
                        id="item-problems",
                        class_name="form-group form-group-error",
                        tab_index=-1,
                    ),
                ),
                post_form(
                    rx.foreach(E.settings, lambda row: _setting(row)),
                    rx.el.button("Save changes", type="submit", class_name="button"),
                    on_submit=E.save_item,
                    reset_on_submit=False,
                    key=E.revision.to_string(),
                ),
                rx.cond(
                    E.move_targets.length() > 0,
                    post_form(
                        rx.el.h2("Move to another section", class_name="heading-s"),
                        rx.el.label("Section", html_for="section", class_name="label"),
                        rx.el.select(
                            rx.foreach(E.move_targets, lambda t: rx.el.option(t["label"], value=t["value"])),
                            id="section",
                            name="section",
                            class_name="select",
                        ),
                        rx.el.button("Move question", type="submit", class_name="button button-secondary"),
                        on_submit=E.move_to_section,
                        reset_on_submit=False,
                        class_name="inset",
                    ),
                ),
                paragraph(rx.el.a("Back to the form", href=routes.STAFF_FORM_EDIT + "?key=" + E.form_key)),
            ),
        ),
    )
