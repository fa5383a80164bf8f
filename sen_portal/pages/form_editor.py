"""Editing a draft: the outline (sections and questions with add, move and remove) and one item's settings.

Plain forms and buttons only, so every control is a native element that works
by keyboard; "Move up" / "Move down" replace drag and drop. Problems from the
engine show beside the section or question they are about.
"""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.error_summary import error_summary
from sen_portal.components.post_form import post_form
from sen_portal.components.text import heading, paragraph
from sen_portal.pages.form_designer import designer_page, labelled_input, status_message
from sen_portal.state.form_editor import FormEditorState as E


def _button(text: str, context: rx.Var, operation: str, row: rx.Var) -> rx.Component:
    return rx.el.button(
        text,
        rx.el.span(" " + context, class_name="visually-hidden"),
        type="button",
        on_click=E.change(operation, row["path"], row["name"]),
        class_name="button button-secondary",
    )


def _problem(row: rx.Var) -> rx.Component:
    return rx.cond(
        row["problem"] != "",
        rx.el.p(rx.el.span("Problem: ", class_name="visually-hidden"), row["problem"], class_name="error-message"),
    )


def _item_link(text: str, row: rx.Var) -> rx.Component:
    return rx.el.a(
        text,
        rx.el.span(" " + row["title"], class_name="visually-hidden"),
        href=routes.STAFF_FORM_ITEM + "?key=" + E.form_key + "&at=" + row["path"],
        class_name="button button-secondary",
    )


def _section_row(row: rx.Var) -> rx.Component:
    return rx.el.div(
        rx.el.h2(row["title"], class_name="heading-m"),
        _problem(row),
        _item_link("Edit section", row),
        _button("Move up", "section " + row["title"], "up", row),
        _button("Move down", "section " + row["title"], "down", row),
        _button("Remove", "section " + row["title"], "remove", row),
        class_name=rx.cond(row["problem"] != "", "form-group form-group-error", "form-group"),
        style={"border-top": "2px solid #0b0c0c", "padding-top": "15px"},
    )


def _question_row(row: rx.Var) -> rx.Component:
    return rx.el.div(
        rx.el.h3(row["title"], class_name="heading-s"),
        rx.el.p(
            row["type_label"],
            rx.cond(row["required"] != "", " · Required", " · Optional"),
            " · stored as ",
            rx.el.code(row["name"]),
            class_name="hint",
        ),
        rx.cond(row["condition"] != "", rx.el.p(row["condition"], class_name="hint")),
        _problem(row),
        _item_link("Edit", row),
        _button("Move up", row["title"], "up", row),
        _button("Move down", row["title"], "down", row),
        _button("Remove", row["title"], "remove", row),
        class_name=rx.cond(row["problem"] != "", "form-group form-group-error", "form-group"),
        style=rx.cond(row["indent"] != "", {"margin-left": "40px"}, {}),
    )


def _add_form(row: rx.Var, where: rx.Var) -> rx.Component:
    type_id = "new-type-" + row["path"]
    label_id = "label-" + row["path"]
    return post_form(
        rx.el.input(type="hidden", name="path", value=row["path"]),
        rx.el.input(type="hidden", name="expect", value=row["name"]),
        rx.el.div(
            rx.el.label(
                "Type of question",
                rx.el.span(" to add to " + where, class_name="visually-hidden"),
                html_for=type_id,
                class_name="label",
            ),
            rx.el.select(
                rx.foreach(E.type_choices, lambda t: rx.el.option(t["label"], value=t["value"])),
                id=type_id,
                name="field_type",
                class_name="select",
            ),
            class_name="form-group",
        ),
        rx.el.div(
            rx.el.label(
                "Question",
                rx.el.span(" to add to " + where, class_name="visually-hidden"),
                html_for=label_id,
                class_name="label",
            ),
            rx.cond(
                E.errors.contains(label_id),
                rx.el.p(E.errors.get(label_id, "").to(str), class_name="error-message", id=label_id + "-error"),
            ),
            rx.el.input(id=label_id, name="label", type="text", class_name="input"),
            class_name="form-group",
        ),
        rx.el.button(
            "Add question",
            rx.el.span(" to " + where, class_name="visually-hidden"),
            type="submit",
            class_name="button button-secondary",
        ),
        on_submit=E.add_question,
        reset_on_submit=False,
        class_name="inset",
        # What was typed stays after an error; a successful change redraws the form empty.
        key=E.changes_made.to_string() + "-" + row["path"],
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.match(
        row["kind"],
        ("section", _section_row(row)),
        ("question", _question_row(row)),
        ("add_question", _add_form(row, "section " + row["title"])),
        ("add_member", rx.el.div(_add_form(row, "group " + row["title"]), style={"margin-left": "40px"})),
        rx.fragment(),
    )


def edit_page() -> rx.Component:
    return designer_page(
        error_summary(E.error_items),
        rx.cond(
            E.not_found,
            rx.fragment(heading("Form not found"), paragraph(rx.el.a("Back to forms", href=routes.STAFF_FORMS))),
            rx.fragment(
                rx.el.span("Draft version " + E.version.to_string(), class_name="caption"),
                heading("Edit " + E.title),
                status_message(E.message),
                rx.el.div(id="operation", tab_index=-1),  # where the error summary sends "try again" messages
                rx.cond(
                    E.problem_count > 0,
                    rx.el.p(
                        E.problem_count.to_string() + " problem(s) to fix before publishing: see below.",
                        class_name="error-message",
                    ),
                    rx.el.p("No problems: this draft can be published.", class_name="body"),
                ),
                rx.el.ul(
                    rx.foreach(E.form_problems, lambda p: rx.el.li(p, class_name="error-message")), class_name="list"
                ),
                rx.el.p(
                    rx.el.a("Preview", href=routes.STAFF_FORM_PREVIEW + "?key=" + E.form_key, class_name="button"),
                    rx.el.a(
                        "Publish",
                        href=routes.STAFF_FORM_PUBLISH + "?key=" + E.form_key,
                        class_name="button button-secondary",
                    ),
                ),
                rx.el.details(
                    rx.el.summary("Form title, reference prefix and description"),
                    post_form(
                        labelled_input("title", "Form title", E.errors, default_value=E.title),
                        labelled_input(
                            "reference_prefix", "Reference prefix", E.errors, default_value=E.reference_prefix
                        ),
                        rx.el.div(
                            rx.el.label("Description for the start page", html_for="description", class_name="label"),
                            rx.el.textarea(
                                id="description",
                                name="description",
                                default_value=E.description,
                                rows=3,
                                class_name="textarea",
                            ),
                            class_name="form-group",
                        ),
                        rx.el.button("Save form details", type="submit", class_name="button button-secondary"),
                        on_submit=E.save_details,
                        reset_on_submit=False,
                        key=E.revision.to_string(),
                    ),
                ),
                rx.foreach(E.rows, lambda row: rx.el.div(_row(row), key=row["kind"] + row["path"])),
                heading("Add a section", level=2, size="m"),
                post_form(
                    labelled_input("new-section", "Section title", E.errors, submit_as="title"),
                    rx.el.button("Add section", type="submit", class_name="button button-secondary"),
                    on_submit=E.add_section,
                    reset_on_submit=False,
                    key=E.changes_made.to_string(),
                ),
                heading("Version history", level=2, size="m"),
                rx.el.table(
                    rx.el.thead(
                        rx.el.tr(
                            *[
                                rx.el.th(text, scope="col")
                                for text in ("Version", "Status", "Created", "Last changed", "Published")
                            ]
                        )
                    ),
                    rx.el.tbody(
                        rx.foreach(
                            E.history,
                            lambda v: rx.el.tr(
                                rx.el.td(v["version"]),
                                rx.el.td(v["status"]),
                                rx.el.td(v["created"]),
                                rx.el.td(v["changed"]),
                                rx.el.td(v["published"]),
                            ),
                        )
                    ),
                    class_name="summary-list",
                    id="history",
                ),
                paragraph(rx.el.a("Back to forms", href=routes.STAFF_FORMS)),
            ),
        ),
    )
