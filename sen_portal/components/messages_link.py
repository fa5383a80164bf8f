"""The header's Messages link with the unread count ("Messages, 2 unread" to a screen reader)."""

from __future__ import annotations

import reflex as rx

from sen_portal import routes


def messages_link(unread: rx.Var) -> rx.Component:
    # The count is text, not only a coloured dot; the hidden words make the link read as a phrase.
    return rx.el.a(
        "Messages",
        rx.cond(
            unread > 0,
            rx.fragment(
                rx.el.span(", ", class_name="visually-hidden"),
                rx.el.span(unread.to_string(), class_name="unread-count", id="unread-count"),
                rx.el.span(" unread", class_name="visually-hidden"),
            ),
        ),
        href=routes.MESSAGES,
        class_name="header-nav-link",
        id="messages-link",
    )
