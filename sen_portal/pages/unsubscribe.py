"""/unsubscribe: stop maintenance emails from the link in one, without signing in."""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.layout import page_shell
from sen_portal.components.post_form import post_form
from sen_portal.components.text import heading, paragraph
from sen_portal.state.unsubscribe import UnsubscribeState as S


def unsubscribe_page() -> rx.Component:
    return page_shell(
        rx.match(
            S.stage,
            (
                "done",
                rx.fragment(
                    heading("You have unsubscribed"),
                    rx.el.p(
                        "We will no longer email ",
                        rx.el.strong(S.masked_email),
                        " about planned maintenance.",
                        class_name="body",
                        role="status",
                    ),
                    paragraph(
                        "You can turn these emails back on in your ",
                        rx.el.a("account settings", href=routes.ACCOUNT_MAINTENANCE),
                        ".",
                    ),
                ),
            ),
            (
                "invalid",
                rx.fragment(
                    heading("This link does not work"),
                    paragraph(
                        "Check you copied the whole link from the email, or sign in and change your ",
                        rx.el.a("email preferences", href=routes.ACCOUNT_MAINTENANCE),
                        ".",
                    ),
                ),
            ),
            rx.fragment(
                heading("Unsubscribe from maintenance emails"),
                paragraph("You will no longer get emails before planned maintenance of the portal."),
                post_form(
                    rx.el.button("Unsubscribe", type="submit", class_name="button"),
                    on_submit=S.confirm,
                    prevent_default=True,
                ),
            ),
        )
    )
