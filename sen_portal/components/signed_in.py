"""The signed-in shell: the header's navigation and the page frame every signed-in page shares."""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.layout import page_shell, staff_nav_item
from sen_portal.components.messages_link import messages_link
from sen_portal.state.auth import HeaderState as H
from sen_portal.state.dashboard import DashboardState as S


def signed_in_navigation() -> tuple[rx.Component, ...]:
    return (
        rx.el.li(rx.el.span(H.display_name, class_name="header-nav-link")),
        staff_nav_item(H.is_staff),
        # Staff do not send requests: the link only confused them.
        rx.cond(
            H.is_staff,
            rx.fragment(),
            rx.el.li(rx.el.a("Your requests", href=routes.MY_REFERRALS, class_name="header-nav-link")),
        ),
        rx.el.li(messages_link(H.unread_messages)),
        rx.el.li(rx.el.a("Account settings", href=routes.ACCOUNT, class_name="header-nav-link")),
        rx.el.li(rx.el.button("Sign out", type="button", on_click=S.sign_out, class_name="header-nav-button")),
    )


CHECKING = rx.el.p("Checking you are signed in…", class_name="body", role="status")


def signed_in_page(*children: rx.Component, loaded: rx.Var) -> rx.Component:
    """The signed-in shell: content once the session check has loaded the page."""
    return page_shell(rx.cond(loaded, rx.fragment(*children), CHECKING), navigation=signed_in_navigation())
