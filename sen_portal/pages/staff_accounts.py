"""Staff > Accounts: the vetting queue and (for admins) disabling accounts. UI only."""

from __future__ import annotations

import reflex as rx

from sen_portal.components.error_summary import error_summary
from sen_portal.components.fields import text_input
from sen_portal.components.links import confirmation_region
from sen_portal.components.post_form import post_form
from sen_portal.components.staff import staff_shell
from sen_portal.components.text import heading, paragraph
from sen_portal.state.staff_accounts import StaffAccountsState as S


def _header_row(*names: str) -> rx.Component:
    return rx.el.thead(rx.el.tr(*[rx.el.th(name, scope="col") for name in names]))


def _pending_table() -> rx.Component:
    return rx.cond(
        S.pending.length() > 0,
        rx.el.table(
            rx.el.caption("Accounts waiting for approval", class_name="visually-hidden"),
            _header_row("Name", "Email", "Organisation", "Role", "Registered", "Decision"),
            rx.el.tbody(
                rx.foreach(
                    S.pending,
                    lambda row: rx.el.tr(
                        rx.el.td(row["name"]),
                        rx.el.td(row["email"]),
                        rx.el.td(row["organisation"]),
                        rx.el.td(row["role"]),
                        rx.el.td(row["registered"]),
                        rx.el.td(
                            rx.el.button(
                                "Approve",
                                rx.el.span(" " + row["email"], class_name="visually-hidden"),
                                type="button",
                                on_click=S.approve(row["id"]),
                                class_name="button button-small",
                            ),
                            " ",
                            rx.el.button(
                                "Reject",
                                rx.el.span(" " + row["email"], class_name="visually-hidden"),
                                type="button",
                                on_click=S.start_reject(row["id"], row["email"]),
                                class_name="button button-secondary button-small",
                            ),
                        ),
                        key=row["id"],
                    ),
                )
            ),
            class_name="summary-list",
            id="pending-accounts",
        ),
        paragraph("No accounts are waiting for approval."),
    )


def _reject_form() -> rx.Component:
    return rx.cond(
        S.rejecting_id != "",
        post_form(
            heading("Reject " + S.rejecting_name, level=2, size="m"),
            text_input(
                name="reject-reason",
                label="Reason (sent to the person)",
                hint="Say what they can do next, for example who to contact.",
                value=S.reject_reason,
                on_change=S.set_reject_reason,
                error=S.errors.get("reject-reason", ""),
            ),
            rx.el.button("Reject account", type="submit", class_name="button button-warning"),
            " ",
            rx.el.button("Cancel", type="button", on_click=S.cancel_reject, class_name="button button-secondary"),
            on_submit=S.reject,
            prevent_default=True,
            class_name="inset",
        ),
    )


def _found_table() -> rx.Component:
    return rx.cond(
        S.found.length() > 0,
        rx.el.table(
            rx.el.caption("Accounts found", class_name="visually-hidden"),
            _header_row("Name", "Email", "Role", "Status", "Action"),
            rx.el.tbody(
                rx.foreach(
                    S.found,
                    lambda row: rx.el.tr(
                        rx.el.td(row["name"]),
                        rx.el.td(row["email"]),
                        rx.el.td(row["role"]),
                        rx.el.td(rx.el.span(row["status"], class_name="tag")),
                        rx.el.td(
                            rx.cond(
                                row["is_active"] != "",
                                rx.el.button(
                                    "Disable",
                                    rx.el.span(" " + row["email"], class_name="visually-hidden"),
                                    type="button",
                                    on_click=S.set_active(row["id"], False),
                                    class_name="button button-warning button-small",
                                ),
                                rx.el.button(
                                    "Re-enable",
                                    rx.el.span(" " + row["email"], class_name="visually-hidden"),
                                    type="button",
                                    on_click=S.set_active(row["id"], True),
                                    class_name="button button-secondary button-small",
                                ),
                            )
                        ),
                        key=row["id"],
                    ),
                )
            ),
            class_name="summary-list",
            id="found-accounts",
        ),
        rx.cond(S.searched, paragraph("No accounts match.")),
    )


def staff_accounts_page() -> rx.Component:
    return staff_shell(
        S,
        rx.fragment(
            error_summary(S.error_items),
            heading("Accounts"),
            confirmation_region(
                rx.cond(S.message != "", rx.el.p(S.message, class_name="notification notification-success"))
            ),
            rx.cond(
                S.errors.contains("accounts"),
                rx.el.p(S.errors.get("accounts", ""), class_name="error-message", id="accounts"),
            ),
            heading("Waiting for approval", level=2, size="m"),
            paragraph("New professionals can save drafts but cannot send requests until approved."),
            _pending_table(),
            _reject_form(),
            rx.cond(
                S.is_admin,
                rx.fragment(
                    heading("Disable or re-enable an account", level=2, size="m"),
                    post_form(
                        text_input(
                            name="search-text",
                            label="Email address or name",
                            value=S.search_text,
                            on_change=S.set_search_text,
                            error=S.errors.get("search-text", ""),
                        ),
                        rx.el.button("Find accounts", type="submit", class_name="button button-secondary"),
                        on_submit=S.search,
                        prevent_default=True,
                    ),
                    _found_table(),
                ),
            ),
        ),
    )
