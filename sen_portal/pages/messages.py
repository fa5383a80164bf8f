"""Portal messages: every conversation (/messages) and one referral's thread (/messages/thread)."""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.character_count import character_count_message
from sen_portal.components.error_summary import error_summary
from sen_portal.components.fields import LOSSLESS, error_text, form_group, labelled_file_input
from sen_portal.components.layout import back_link
from sen_portal.components.links import confirmation_region
from sen_portal.components.post_form import post_form
from sen_portal.components.text import heading, paragraph
from sen_portal.pages.account import signed_in_page
from sen_portal.services.messages import MESSAGE_MAX_CHARS
from sen_portal.state.messages import MessagesState as M
from sen_portal.state.messages import ThreadState as T

ATTACHMENT_UPLOAD_ID = "message-attachment"
ACCEPTED_FILES = {
    "application/pdf": [".pdf"],
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": [".docx"],
    "image/jpeg": [".jpg", ".jpeg"],
    "image/png": [".png"],
}


def messages_page() -> rx.Component:
    return signed_in_page(
        heading("Messages"),
        paragraph("Messages between you and the SEN team, one conversation for each request."),
        rx.cond(
            M.threads.length() > 0,
            rx.el.table(
                rx.el.caption("Conversations, unread first", class_name="visually-hidden"),
                rx.el.thead(
                    rx.el.tr(
                        rx.el.th("Request", scope="col"),
                        rx.el.th("Child or young person", scope="col"),
                        rx.el.th("Messages", scope="col"),
                        rx.el.th("Last message", scope="col"),
                    )
                ),
                rx.el.tbody(
                    rx.foreach(
                        M.threads,
                        lambda row: rx.el.tr(
                            rx.el.td(
                                rx.el.a(row["reference"], href=row["href"]),
                                rx.cond(
                                    row["unread"] != "",
                                    rx.el.strong(" ", row["unread"], " unread", class_name="tag tag-unread"),
                                ),
                            ),
                            rx.el.td(row["child"]),
                            rx.el.td(row["messages"]),
                            rx.el.td(row["last"]),
                        ),
                    )
                ),
                class_name="summary-list",
                id="threads",
            ),
            paragraph("There are no conversations yet. Messages can be sent once a request has been sent."),
        ),
        loaded=M.loaded,
    )


def _message(item: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.article(
            rx.el.h3(item["author"].to(str), class_name="heading-s"),
            rx.el.p(item["when"].to(str), class_name="hint"),
            # Plain text, escaped by React; pre-line keeps the writer's line breaks.
            rx.el.p(item["body"].to(str), class_name="body message-body", style={"white_space": "pre-line"}),
            rx.el.ul(
                rx.foreach(
                    item["attachments"].to(list[dict[str, str]]),
                    lambda a: rx.el.li(rx.el.a(a["name"], href=a["href"], download=True)),
                ),
                class_name="list",
            ),
            class_name=rx.cond(item["side"].to(str) == "staff", "message message-staff", "message"),
        ),
    )


def _attachments() -> rx.Component:
    """Optional files, streamed and checked like referral documents, sent with the message."""
    attachment_error = T.errors.get("attachment", "").to(str)
    return rx.el.div(
        rx.el.span("Attach files (optional)", class_name="label"),
        rx.el.div("PDF, Word (.docx), JPG or PNG, up to 20MB each", id="attachment-hint", class_name="hint"),
        error_text("attachment", attachment_error),
        labelled_file_input(
            rx.upload.root(
                rx.el.button(
                    "Choose a file",
                    type="button",
                    id="attachment",
                    aria_describedby="attachment-hint",
                    class_name="button button-secondary",
                ),
                rx.el.span(rx.selected_files(ATTACHMENT_UPLOAD_ID).join(", "), class_name="body"),
                id=ATTACHMENT_UPLOAD_ID,
                multiple=False,
                no_keyboard=True,
                accept=ACCEPTED_FILES,
            ),
            "Choose a file to attach",
        ),
        rx.el.button(
            rx.cond(T.uploading, "Attaching…", "Attach file"),
            type="button",
            aria_disabled=rx.cond(T.uploading, "true", "false"),  # not disabled: focus stays on it
            on_click=T.attach(rx.upload_files_chunk(upload_id=ATTACHMENT_UPLOAD_ID)),
            class_name="button button-secondary",
        ),
        rx.el.ul(
            rx.foreach(
                T.pending_files,
                lambda f: rx.el.li(
                    f["name"],
                    " ",
                    rx.el.button(
                        "Remove",
                        rx.el.span(" ", f["name"], class_name="visually-hidden"),
                        type="button",
                        on_click=T.remove_file(f["public_id"]),
                        class_name="link-button",
                    ),
                ),
            ),
            class_name="list",
            id="pending-files",
        ),
        confirmation_region(rx.cond(T.upload_message != "", rx.el.p(T.upload_message, class_name="body"))),
        class_name=rx.cond(attachment_error != "", "form-group form-group-error", "form-group"),
    )


def thread_page() -> rx.Component:
    body_error = T.errors.get("body", "").to(str)
    return signed_in_page(
        back_link(routes.MESSAGES, "All messages"),
        rx.cond(
            T.not_found,
            rx.fragment(
                heading("Request not found"),
                paragraph("We could not find messages for this request. Check the link, or go to your messages."),
            ),
            rx.fragment(
                error_summary(T.error_items),
                heading(rx.Var.create("Messages about ") + T.reference),
                paragraph("Child or young person: ", rx.el.strong(T.child)),
                confirmation_region(
                    rx.cond(
                        T.sent_notice != "",
                        rx.el.p(T.sent_notice, class_name="body notification notification-success"),
                    ),
                ),
                rx.el.h2("Conversation", class_name="visually-hidden"),  # keeps heading levels in order
                rx.cond(
                    T.items.length() > 0,
                    rx.el.ol(rx.foreach(T.items, _message), class_name="message-list", id="messages"),
                    paragraph("No messages yet."),
                ),
                heading("Send a message", level=2, size="m"),
                post_form(
                    form_group(
                        rx.el.label("Your message", html_for="body", class_name="label"),
                        rx.el.div(
                            "Do not include more personal details than the SEN team needs.",
                            id="body-hint",
                            class_name="hint",
                        ),
                        error_text("body", body_error),
                        rx.el.textarea(
                            id="body",
                            name="body",
                            default_value=T.body,  # lossless: see components.fields.text_input
                            custom_attrs={**LOSSLESS},  # a copy: Reflex adds aria-* props to this dict
                            on_change=T.set_body,
                            rows=6,
                            aria_describedby=rx.cond(
                                body_error != "", "body-hint body-error body-info", "body-hint body-info"
                            ),
                            aria_invalid=rx.cond(body_error != "", "true", "false"),
                            class_name=rx.cond(body_error != "", "textarea input-error", "textarea"),
                        ),
                        character_count_message("body", MESSAGE_MAX_CHARS),
                        error=body_error,
                    ),
                    _attachments(),
                    rx.el.button("Send message", type="submit", class_name="button"),
                    on_submit=T.send,
                    prevent_default=True,
                    no_validate=True,
                ),
            ),
        ),
        loaded=T.loaded,
    )
