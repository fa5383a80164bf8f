"""Form designer pages: the forms list (create, copy, import, export, archive) and publishing."""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.error_summary import error_summary
from sen_portal.components.layout import page_shell
from sen_portal.components.post_form import post_form
from sen_portal.components.staff import staff_subnav
from sen_portal.components.text import heading, paragraph
from sen_portal.pages.dashboard import signed_in_navigation
from sen_portal.state.form_designer import FormsListState as L
from sen_portal.state.form_designer import PublishState as P


def designer_page(*children: rx.Component) -> rx.Component:
    """A designer page: the signed-in header, the staff area's navigation, then the content (admins only)."""
    return page_shell(staff_subnav(True), *children, navigation=signed_in_navigation())


def status_message(message: rx.Var) -> rx.Component:
    """Announced to screen readers when it changes (the result of the last action)."""
    return rx.el.div(
        rx.cond(message != "", rx.el.div(rx.el.p(message, class_name="body"), class_name="inset")),
        role="status",
        aria_live="polite",
    )


def field_error(errors: rx.Var, name: str) -> rx.Component:
    return rx.cond(
        errors.contains(name),
        rx.el.p(
            rx.el.span("Error: ", class_name="visually-hidden"),
            errors.get(name, "").to(str),
            id=f"{name}-error",
            class_name="error-message",
        ),
    )


def labelled_input(
    name: str, label: str, errors: rx.Var, hint: str = "", submit_as: str = "", **attributes
) -> rx.Component:
    """A text input with its label, hint and error; ``submit_as`` when the form field name differs from the id."""
    return rx.el.div(
        rx.el.label(label, html_for=name, class_name="label"),
        rx.el.div(hint, id=f"{name}-hint", class_name="hint") if hint else rx.fragment(),
        field_error(errors, name),
        rx.el.input(**({"id": name, "name": submit_as or name, "type": "text", "class_name": "input"} | attributes)),
        class_name=rx.cond(errors.contains(name), "form-group form-group-error", "form-group"),
    )


def _form_row(form: rx.Var) -> rx.Component:
    title = form["title"]
    return rx.el.tr(
        rx.el.td(rx.el.strong(title), rx.el.br(), rx.el.span("Reference prefix " + form["prefix"], class_name="hint")),
        rx.el.td(form["live"]),
        rx.el.td(rx.cond(form["draft"] != "", form["draft"], "None")),
        rx.el.td(rx.cond(form["archived"] != "", "Versions " + form["archived"], "None")),
        rx.el.td(form["changed"]),
        rx.el.td(
            rx.el.ul(
                rx.el.li(
                    rx.el.a(
                        "Edit draft",
                        rx.el.span(" of " + title, class_name="visually-hidden"),
                        href=routes.STAFF_FORM_EDIT + "?key=" + form["key"],
                    )
                ),
                rx.el.li(
                    rx.el.a(
                        "Preview",
                        rx.el.span(" " + title, class_name="visually-hidden"),
                        href=routes.STAFF_FORM_PREVIEW + "?key=" + form["key"],
                    )
                ),
                rx.cond(
                    form["draft"] != "",
                    rx.el.li(
                        rx.el.a(
                            "Publish",
                            rx.el.span(" " + title, class_name="visually-hidden"),
                            href=routes.STAFF_FORM_PUBLISH + "?key=" + form["key"],
                        )
                    ),
                ),
                rx.el.li(
                    rx.el.button(
                        "Export YAML",
                        rx.el.span(" of " + title + " version " + form["export_version"], class_name="visually-hidden"),
                        type="button",
                        on_click=L.export(form["key"], form["export_version"]),
                        class_name="link-button",
                    )
                ),
                rx.cond(
                    form["has_live"] != "",
                    rx.el.li(
                        rx.el.button(
                            "Archive",
                            rx.el.span(" " + title, class_name="visually-hidden"),
                            type="button",
                            on_click=L.ask_archive(form["key"]),
                            class_name="link-button",
                        )
                    ),
                ),
                class_name="list",
            )
        ),
    )


def forms_page() -> rx.Component:
    return designer_page(
        error_summary(L.error_items),
        heading("Forms"),
        paragraph(
            "Change a form by editing its draft, previewing it and publishing it. Requests already started stay on "
            "the version they began with."
        ),
        status_message(L.message),
        rx.cond(
            L.archiving != "",
            rx.el.div(
                rx.el.h2("Archive " + L.archiving_title + "?", class_name="heading-m", id="confirm-archive"),
                paragraph(
                    "Professionals will no longer be able to start it. Requests already started or sent are not "
                    "affected, and you can publish it again later."
                ),
                rx.el.button("Yes, archive it", type="button", on_click=L.archive, class_name="button button-warning"),
                rx.el.button("Cancel", type="button", on_click=L.cancel_archive, class_name="button button-secondary"),
                class_name="inset",
                role="alertdialog",
                aria_labelledby="confirm-archive",
            ),
        ),
        rx.el.table(
            rx.el.thead(
                rx.el.tr(
                    *[rx.el.th(text, scope="col") for text in ("Form", "Live", "Draft", "Archived", "Last change", "")]
                )
            ),
            rx.el.tbody(rx.foreach(L.forms, _form_row)),
            class_name="summary-list",
        ),
        heading("Create a new form", level=2, size="m"),
        post_form(
            labelled_input("title", "Form title", L.errors),
            labelled_input(
                "reference_prefix",
                "Reference prefix",
                L.errors,
                hint="2 to 6 capital letters. References will look like ABC-2026-000001.",
                aria_describedby="reference_prefix-hint",
                class_name="input input-width-10",
            ),
            rx.el.div(
                rx.el.label("Start from", html_for="copy_from", class_name="label"),
                field_error(L.errors, "copy_from"),
                rx.el.select(
                    rx.el.option("A blank form", value=""),
                    rx.foreach(L.forms, lambda f: rx.el.option("A copy of " + f["title"], value=f["key"])),
                    id="copy_from",
                    name="copy_from",
                    class_name="select",
                ),
                class_name="form-group",
            ),
            rx.el.button("Create form", type="submit", class_name="button"),
            on_submit=L.create,
            reset_on_submit=False,
        ),
        heading("Import a form definition", level=2, size="m"),
        post_form(
            rx.el.div(
                rx.el.label("Form definition (YAML)", html_for="definition", class_name="label"),
                rx.el.div(
                    "Paste a definition exported from another portal. It becomes the draft of its form.",
                    id="definition-hint",
                    class_name="hint",
                ),
                field_error(L.errors, "definition"),
                rx.el.textarea(
                    id="definition",
                    name="definition",
                    rows=8,
                    class_name="textarea",
                    aria_describedby="definition-hint",
                ),
                class_name=rx.cond(L.errors.contains("definition"), "form-group form-group-error", "form-group"),
            ),
            rx.el.button("Import", type="submit", class_name="button button-secondary"),
            on_submit=L.import_definition,
            reset_on_submit=False,
        ),
        paragraph(rx.el.a("Lookup lists", href=routes.STAFF_LOOKUPS), ": roles, settings, document types and more."),
    )


def publish_page() -> rx.Component:
    return designer_page(
        error_summary(P.error_items),
        rx.cond(
            P.not_found,
            rx.fragment(
                heading("There is no draft to publish"), paragraph(rx.el.a("Back to forms", href=routes.STAFF_FORMS))
            ),
            rx.fragment(
                rx.el.span("Draft version " + P.version.to_string(), class_name="caption"),
                heading("Publish this draft"),
                status_message(P.message),
                rx.cond(
                    P.message == "",
                    rx.fragment(
                        heading("What has changed since the live version", level=2, size="m"),
                        rx.cond(
                            P.changes.length() > 0,
                            rx.el.ul(
                                rx.foreach(P.changes, lambda line: rx.el.li(line)), class_name="list", id="changes"
                            ),
                            paragraph("Nothing has changed."),
                        ),
                        rx.cond(
                            P.problems.length() > 0,
                            rx.el.div(
                                heading("Fix these problems before publishing", level=2, size="m"),
                                rx.el.ul(rx.foreach(P.problems, lambda p: rx.el.li(p)), class_name="list"),
                                paragraph(
                                    rx.el.a("Edit the draft", href=routes.STAFF_FORM_EDIT + "?key=" + P.form_key)
                                ),
                                id="publish",
                                class_name="form-group form-group-error",
                            ),
                            post_form(
                                paragraph(
                                    "Professionals starting a new request will get this version. Requests already "
                                    "started keep the version they began with."
                                ),
                                rx.el.button("Publish", type="submit", class_name="button", id="publish"),
                                on_submit=P.publish,
                            ),
                        ),
                        post_form(
                            rx.el.button("Discard this draft", type="submit", class_name="button button-secondary"),
                            on_submit=P.discard,
                        ),
                    ),
                ),
                paragraph(rx.el.a("Back to forms", href=routes.STAFF_FORMS)),
            ),
        ),
    )
