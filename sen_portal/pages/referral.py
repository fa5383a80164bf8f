"""Request pages: my requests, each section, check your answers, sent, and read back."""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.error_summary import error_summary
from sen_portal.components.fields import labelled_file_input
from sen_portal.components.form_renderer import FormEvents, render_section
from sen_portal.components.layout import page_shell
from sen_portal.components.links import confirmation_region
from sen_portal.components.post_form import post_form
from sen_portal.components.summary_table import summary_cards, summary_table
from sen_portal.components.text import heading, paragraph
from sen_portal.pages.dashboard import signed_in_navigation
from sen_portal.state.my_requests import MyRequestsState as M
from sen_portal.state.referral import ReferralState as S

UPLOAD_ID = "document-upload"


def _events() -> FormEvents:
    return FormEvents.of(S)


def _approval_notice() -> rx.Component:
    """Before they fill in ten sections, not at Send: the account must be approved first."""
    return rx.cond(
        S.awaiting_approval,
        rx.el.div(
            rx.el.h2("Your account is waiting for approval", class_name="heading-s", id="approval-notice-title"),
            rx.el.p(
                "You can fill in and save this request now. You can send it once the SEN team has approved "
                "your account: we will email you.",
                class_name="body",
            ),
            class_name="notification",
            role="region",
            aria_labelledby="approval-notice-title",
        ),
    )


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
    """Each document slot has its own "Choose a file" button (form_renderer._slot_chooser); they
    share this one hidden file input, and the file uploads as soon as it is chosen."""
    return rx.cond(
        S.document_slots.length() > 0,
        rx.el.div(
            rx.el.p(
                "Files must be PDF, Word (.docx), JPG or PNG, up to 20MB each. Each file uploads as soon as "
                "you choose it.",
                class_name="hint",
                id="upload-hint",
            ),
            labelled_file_input(
                rx.upload.root(
                    id=UPLOAD_ID,
                    multiple=False,
                    no_keyboard=True,
                    # Upload on choice. No accept filter: a refused type was dropped in the browser
                    # with only a toast; the server checks the bytes and says why beside the slot.
                    # Then clear the chooser, so nothing chosen is left to be sent twice.
                    on_drop=[
                        S.upload(rx.upload_files_chunk(upload_id=UPLOAD_ID)),
                        rx.call_script(f"document.querySelector('#{UPLOAD_ID} input[type=file]').value = ''"),
                    ],
                    class_name="visually-hidden",
                ),
                "Choose a file to upload",
            ),
            confirmation_region(
                rx.cond(S.uploading, rx.el.p("Uploading your file…", class_name="body")),
                rx.cond(S.upload_message != "", rx.el.p(S.upload_message, class_name="body")),
            ),
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
                _approval_notice(),
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


def _change_href(row: rx.Var) -> rx.Var:
    # return=check: after Save and continue the user comes back here (GOV.UK check answers).
    return (
        routes.REFERRAL_SECTION
        + "?id="
        + S.referral_id
        + "&section="
        + row["section_key"]
        + "&return=check#"
        + row["name"]
    )


def _summary_table(with_change_links: bool) -> rx.Component:
    return summary_table(S.summary, _change_href if with_change_links else None)


def check_page() -> rx.Component:
    return _shell(
        rx.cond(
            S.not_found,
            _not_found(),
            rx.fragment(
                rx.cond(S.incomplete.length() > 0, error_summary(S.incomplete), error_summary(S.error_items)),
                rx.el.span(S.form_title, class_name="caption"),
                heading("Check your answers before sending your request"),
                _approval_notice(),
                summary_cards(S.summary, S.summary_sections, _change_href),
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
