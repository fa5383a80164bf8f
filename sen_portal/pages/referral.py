"""Request pages: my requests, each section, check your answers, sent, and read back."""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.error_summary import error_summary
from sen_portal.components.fields import labelled_file_input
from sen_portal.components.form_renderer import FormEvents, render_section
from sen_portal.components.layout import page_shell
from sen_portal.components.post_form import post_form
from sen_portal.components.summary_table import summary_table
from sen_portal.components.text import heading, paragraph
from sen_portal.pages.dashboard import signed_in_navigation
from sen_portal.state.my_requests import MyRequestsState as M
from sen_portal.state.referral import ReferralState as S

UPLOAD_ID = "document-upload"


def _events() -> FormEvents:
    return FormEvents.of(S)


def _not_found() -> rx.Component:
    return rx.fragment(
        heading("Request not found"),
        paragraph("We could not find that request. It may have been deleted, or the link may be wrong."),
        paragraph(rx.el.a("Go to your requests", href=routes.MY_REFERRALS)),
    )


def _shell(*children: rx.Component) -> rx.Component:
    return page_shell(*children, navigation=signed_in_navigation())


def my_requests_page() -> rx.Component:
    return _shell(
        heading("Your requests"),
        heading("Start a new request", level=2, size="m"),
        rx.el.ul(
            rx.foreach(
                M.forms,
                lambda form: rx.el.li(rx.el.a(form["title"], href=routes.NEW_REFERRAL + "?form=" + form["key"])),
            ),
            class_name="list",
        ),
        heading("Requests you have started or sent", level=2, size="m"),
        rx.cond(
            M.rows.length() > 0,
            rx.el.table(
                rx.el.thead(
                    rx.el.tr(
                        rx.el.th("Reference", scope="col"),
                        rx.el.th("Child or young person", scope="col"),
                        rx.el.th("Status", scope="col"),
                        rx.el.th("Date", scope="col"),
                    )
                ),
                rx.el.tbody(
                    rx.foreach(
                        M.rows,
                        lambda row: rx.el.tr(
                            rx.el.td(
                                rx.el.a(
                                    row["reference"],
                                    href=rx.cond(
                                        row["is_draft"] != "",
                                        routes.REFERRAL_SECTION + "?id=" + row["public_id"],
                                        routes.REFERRAL_VIEW + "?id=" + row["public_id"],
                                    ),
                                )
                            ),
                            rx.el.td(row["child"]),
                            rx.el.td(rx.el.span(row["status"], class_name="tag")),
                            rx.el.td(row["date"]),
                        ),
                    )
                ),
                class_name="summary-list",
            ),
            paragraph("You have not started any requests yet."),
        ),
    )


def new_request_page() -> rx.Component:
    return _shell(
        rx.cond(S.not_found, _not_found(), rx.el.p("Starting your request…", class_name="body", role="status"))
    )


def _upload_box() -> rx.Component:
    return rx.cond(
        S.document_slots.length() > 0,
        rx.el.div(
            rx.el.h2("Upload a document", class_name="heading-m"),
            rx.el.label("Which document is this?", html_for="upload_slot", class_name="label"),
            rx.el.select(
                rx.foreach(S.document_slots, lambda slot: rx.el.option(slot["label"], value=slot["value"])),
                id="upload_slot",
                name="upload_slot",  # Reflex 0.11 submits controls by name only (as 0.10 did by id)
                value=S.upload_slot,
                on_change=S.choose_upload_slot,
                class_name="select",
            ),
            rx.el.div(
                rx.el.span("File", class_name="label"),
                rx.el.div(
                    "PDF, Word (.docx), JPG or PNG, up to 20MB each",
                    id="upload-hint",
                    class_name="hint",
                ),
                rx.cond(
                    S.errors.contains("upload"),
                    rx.el.p(
                        rx.el.span("Error: ", class_name="visually-hidden"),
                        S.errors.get("upload", "").to(str),
                        id="upload-error",
                        class_name="error-message",
                    ),
                ),
                labelled_file_input(
                    rx.upload.root(
                        rx.el.button(
                            "Choose a file",
                            type="button",
                            id="upload_file",
                            aria_describedby="upload-hint",
                            class_name="button button-secondary",
                        ),
                        rx.el.span(rx.selected_files(UPLOAD_ID).join(", "), class_name="body", id="selected-file"),
                        id=UPLOAD_ID,
                        multiple=False,
                        no_keyboard=True,
                        accept={
                            "application/pdf": [".pdf"],
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": [".docx"],
                            "image/jpeg": [".jpg", ".jpeg"],
                            "image/png": [".png"],
                        },
                    ),
                    "Choose a file to upload",
                ),
                class_name="form-group",
            ),
            rx.el.button(
                rx.cond(S.uploading, "Uploading…", "Upload file"),
                type="button",
                disabled=S.uploading,
                on_click=S.upload(rx.upload_files_chunk(upload_id=UPLOAD_ID)),
                class_name="button button-secondary",
            ),
            rx.el.div(
                rx.cond(S.upload_message != "", rx.el.p(S.upload_message, class_name="body")),
                role="status",
                aria_live="polite",
            ),
            class_name="inset",
        ),
    )


def section_page() -> rx.Component:
    return _shell(
        rx.cond(
            S.not_found,
            _not_found(),
            rx.fragment(
                error_summary(S.error_items),
                rx.el.span(
                    S.form_title + " – step " + S.step_number.to_string() + " of " + S.step_count.to_string(),
                    class_name="caption",
                ),
                heading(S.section_title),
                rx.cond(S.section_description != "", paragraph(S.section_description)),
                post_form(
                    rx.el.div(render_section(S.plan, _events()), key=S.section_key),
                    _upload_box(),
                    rx.el.button("Save and continue", type="submit", class_name="button"),
                    on_submit=S.save_and_continue,
                    prevent_default=True,
                    no_validate=True,
                    reset_on_submit=False,
                ),
                paragraph(rx.el.a("Save and come back later", href=routes.MY_REFERRALS)),
            ),
        )
    )


def _summary_table(with_change_links: bool) -> rx.Component:
    def change_href(row: rx.Var) -> rx.Var:
        return routes.REFERRAL_SECTION + "?id=" + S.referral_id + "&section=" + row["section_key"] + "#" + row["name"]

    return summary_table(S.summary, change_href if with_change_links else None)


def check_page() -> rx.Component:
    return _shell(
        rx.cond(
            S.not_found,
            _not_found(),
            rx.fragment(
                error_summary(S.error_items),
                rx.el.span(S.form_title, class_name="caption"),
                heading("Check your answers before sending your request"),
                _summary_table(with_change_links=True),
                heading("Now send your request", level=2, size="m"),
                paragraph(
                    "By sending this request you confirm that the information is correct to the best of your knowledge."
                ),
                post_form(
                    rx.cond(
                        S.errors.contains("send-request"),
                        rx.el.p(S.errors.get("send-request", ""), class_name="error-message", id="send-request-error"),
                    ),
                    rx.el.button("Send request", type="submit", class_name="button", id="send-request"),
                    on_submit=S.submit,
                    prevent_default=True,
                ),
            ),
        )
    )


def _documents_list() -> rx.Component:
    return rx.el.ul(
        rx.foreach(
            S.documents,
            lambda d: rx.el.li(
                rx.el.a(d["name"], href=d["href"], download=True), " – " + d["slot_label"] + " (" + d["size"] + ")"
            ),
        ),
        class_name="list",
    )


def confirmation_page() -> rx.Component:
    return _shell(
        rx.cond(
            S.not_found,
            _not_found(),
            rx.fragment(
                rx.el.div(
                    rx.el.h1("Request sent"),
                    rx.el.p("Your reference number", rx.el.br(), rx.el.strong(S.reference, id="reference")),
                    class_name="panel",
                ),
                paragraph("We have sent you a confirmation email with the reference number."),
                heading("What happens next", level=2, size="m"),
                paragraph(
                    "The SEN team will look at the request and the documents. They will decide within 6 weeks whether "
                    "to carry out an EHC needs assessment, and tell you and the child's parents."
                ),
                paragraph("If they need more information, they will send you a portal message and an email."),
                paragraph(rx.el.a("Go to your requests", href=routes.MY_REFERRALS)),
            ),
        )
    )


def view_page() -> rx.Component:
    return _shell(
        rx.cond(
            S.not_found,
            _not_found(),
            rx.fragment(
                rx.el.span(S.form_title, class_name="caption"),
                heading("Request " + S.reference),
                paragraph("Status: ", rx.el.span(S.status_label, class_name="tag")),
                paragraph(
                    rx.el.a("Messages about this request", href=routes.MESSAGE_THREAD + "?id=" + S.referral_id),
                    ": ask the SEN team a question or answer theirs.",
                ),
                heading("Documents", level=2, size="m"),
                _documents_list(),
                heading("Answers", level=2, size="m"),
                _summary_table(with_change_links=False),
            ),
        )
    )
