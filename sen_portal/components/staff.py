"""Pieces every staff page uses: the shell with its sub-navigation, "no access", pagination."""

from __future__ import annotations

from typing import Any

import reflex as rx

from sen_portal import routes
from sen_portal.components.layout import page_shell
from sen_portal.components.signed_in import signed_in_navigation
from sen_portal.components.text import heading, paragraph


def staff_shell(state: Any, *children: rx.Component) -> rx.Component:
    """The signed-in shell; the content shows only once the role check has passed."""
    return page_shell(
        rx.cond(
            state.refused,
            no_access(),
            rx.cond(
                state.loaded,
                rx.fragment(staff_subnav(state.is_admin), *children),
                rx.el.p("Loading…", class_name="body", role="status"),
            ),
        ),
        navigation=signed_in_navigation(),
    )


def staff_subnav(is_admin: Any) -> rx.Component:
    """The staff area's own navigation (admins also get the audit log, forms and lookup lists)."""
    return rx.el.nav(
        rx.el.ul(
            rx.el.li(rx.el.a("Referrals inbox", href=routes.STAFF_INBOX)),
            rx.el.li(rx.el.a("Accounts", href=routes.STAFF_ACCOUNTS)),
            rx.el.li(rx.el.a("Maintenance notices", href=routes.STAFF_NOTICES)),
            rx.cond(is_admin, rx.el.li(rx.el.a("Audit log", href=routes.STAFF_AUDIT))),
            rx.cond(is_admin, rx.el.li(rx.el.a("Forms", href=routes.STAFF_FORMS))),
            rx.cond(is_admin, rx.el.li(rx.el.a("Lookup lists", href=routes.STAFF_LOOKUPS))),
            class_name="staff-nav-list",
        ),
        aria_label="Staff",
        class_name="staff-nav",
    )


def no_access() -> rx.Component:
    return rx.fragment(
        heading("You do not have access to this page"),
        paragraph("This page is for council staff. If you think you should have access, contact the SEN team."),
        paragraph(rx.el.a("Go to your dashboard", href=routes.DASHBOARD)),
    )


def pagination(page: rx.Var, page_count: rx.Var, go_to_page: Any) -> rx.Component:
    """Previous / Page x of y / Next, as buttons (the results are not separate URLs)."""
    return rx.el.nav(
        rx.cond(
            page > 1,
            rx.el.button(
                "Previous page", type="button", on_click=go_to_page(page - 1), class_name="button button-secondary"
            ),
        ),
        rx.el.span("Page " + page.to_string() + " of " + page_count.to_string(), class_name="body pagination-text"),
        rx.cond(
            page < page_count,
            rx.el.button(
                "Next page", type="button", on_click=go_to_page(page + 1), class_name="button button-secondary"
            ),
        ),
        aria_label="Pages of results",
        class_name="pagination",
    )


def designer_page(*children: rx.Component) -> rx.Component:
    """A designer page: the signed-in header, the staff area's navigation, then the content (admins only)."""
    return page_shell(staff_subnav(True), *children, navigation=signed_in_navigation())
