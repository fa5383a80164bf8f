"""The header's Messages link with the unread count: "Messages 2 unread", in words, not a dot."""

from __future__ import annotations

import reflex as rx

from sen_portal import routes


def messages_link(unread: rx.Var) -> rx.Component:
    # The words are visible (not only a badge number or colour) and are the link's whole name,
    # so what sighted users see is what a screen reader or voice control user says or hears.
    return rx.el.a(
        "Messages",
        rx.cond(unread > 0, rx.el.span(" ", unread.to_string(), " unread", class_name="unread-count")),
        href=routes.MESSAGES,
        class_name="header-nav-link",
        id="messages-link",
    )
