"""Preview of a draft: the professional's section page, drawn by the same renderer, saving nothing."""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.error_summary import error_summary
from sen_portal.components.form_renderer import FormEvents, render_section
from sen_portal.components.post_form import post_form
from sen_portal.components.text import heading, paragraph
from sen_portal.pages.form_designer import designer_page, status_message
from sen_portal.state.form_preview import FormPreviewState as V


def _events() -> FormEvents:
    return FormEvents.of(V)


def preview_page() -> rx.Component:
    return designer_page(
        rx.el.div(
            rx.el.strong("Preview. ", class_name="tag"),
            " Nothing you enter here is saved or sent. ",
            rx.el.a("Back to the draft", href=routes.STAFF_FORM_EDIT + "?key=" + V.form_key),
            class_name="inset",
        ),
        rx.cond(
            V.not_found,
            heading("Form not found"),
            rx.cond(
                V.problems.length() > 0,
                rx.fragment(
                    heading("This draft cannot be shown yet"),
                    paragraph("Fix these problems in the draft first:"),
                    rx.el.ul(rx.foreach(V.problems, lambda p: rx.el.li(p)), class_name="list"),
                ),
                rx.fragment(
                    error_summary(V.error_items),
                    status_message(V.message),
                    rx.el.span(
                        V.form_title + " – step " + V.step_number.to_string() + " of " + V.step_count.to_string(),
                        class_name="caption",
                    ),
                    heading(V.section_title),
                    rx.cond(V.section_description != "", paragraph(V.section_description)),
                    post_form(
                        rx.el.div(render_section(V.plan, _events()), key=V.section_key),
                        rx.el.button("Check this page", type="submit", class_name="button"),
                        on_submit=V.check_section,
                        prevent_default=True,
                        no_validate=True,
                        reset_on_submit=False,
                    ),
                    rx.el.nav(
                        rx.el.h2("Sections of this form", class_name="heading-s"),
                        rx.el.ul(
                            rx.foreach(
                                V.sections,
                                lambda s: rx.el.li(
                                    rx.el.button(
                                        "Go to " + s["title"],
                                        type="button",
                                        on_click=V.go_to(s["key"]),
                                        class_name="link-button",
                                    )
                                ),
                            ),
                            class_name="list",
                        ),
                        aria_label="Sections of this form",
                    ),
                ),
            ),
        ),
    )
