"""The staff referrals inbox (UI only; StaffInboxState does the work)."""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.post_form import post_form
from sen_portal.components.staff import pagination, staff_shell
from sen_portal.components.text import heading
from sen_portal.state.staff_inbox import StaffInboxState as S

SORT_OPTIONS = [
    ("received", "Date received"),
    ("deadline", "Deadline"),
    ("reference", "Reference"),
    ("status", "Status"),
]
COLUMNS = (
    "Reference",
    "Child or young person",
    "Setting",
    "Referrer",
    "Received",
    "Status",
    "Deadline",
    "Caseworker",
    "Form",
    "Unread messages",
)


def _select(name: str, label: str, value: rx.Var, options) -> rx.Component:
    return rx.el.div(
        rx.el.label(label, html_for=name, class_name="label"),
        rx.el.select(*options, id=name, name=name, default_value=value, class_name="select"),
        class_name="form-group",
    )


def _checkbox(name: str, label: str, checked: rx.Var) -> rx.Component:
    return rx.el.div(
        rx.el.div(
            rx.el.input(id=name, name=name, type="checkbox", value="1", default_checked=checked),
            rx.el.label(label, html_for=name),
            class_name="checkbox",
        ),
        class_name="form-group",
    )


def _filters() -> rx.Component:
    return post_form(
        rx.el.div(
            rx.el.div(
                rx.el.label("Search by reference or child's name", html_for="q", class_name="label"),
                rx.el.input(id="q", name="q", type="search", default_value=S.search, class_name="input"),
                class_name="form-group",
            ),
            _select(
                "status",
                "Status",
                S.status,
                [rx.foreach(S.status_options, lambda o: rx.el.option(o["label"], value=o["value"]))],
            ),
            _select(
                "setting",
                "School or setting",
                S.setting,
                [
                    rx.el.option("Any setting", value=""),
                    rx.foreach(S.setting_options, lambda o: rx.el.option(o, value=o)),
                ],
            ),
            _checkbox("mine", "Assigned to me", S.mine),
            _checkbox("overdue", "Overdue only", S.overdue),
            _select("sort", "Sort by", S.sort, [rx.el.option(label, value=value) for value, label in SORT_OPTIONS]),
            _select(
                "dir",
                "Order",
                S.direction,
                [
                    rx.el.option("Newest or last first", value="desc"),
                    rx.el.option("Oldest or first first", value="asc"),
                ],
            ),
            class_name="filters",
        ),
        rx.el.button("Apply filters", type="submit", class_name="button"),
        rx.el.button("Clear filters", type="button", on_click=S.clear_filters, class_name="button button-secondary"),
        key=S.form_key.to_string(),
        on_submit=S.apply_filters,
        prevent_default=True,
        reset_on_submit=False,
        aria_label="Filter referrals",
    )


def _deadline(row: rx.Var) -> rx.Component:
    # Overdue is said in words (and the row is marked), never by colour alone.
    return rx.cond(
        row["overdue"] != "",
        rx.el.strong(row["days_left"], class_name="tag tag-red"),
        rx.el.span(row["days_left"]),
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.el.tr(
        rx.el.td(
            rx.el.a(row["reference"], href=routes.STAFF_REFERRAL + "?id=" + row["public_id"]),
            rx.cond(row["duplicate"] != "", rx.el.div(rx.el.span("Possible duplicate", class_name="tag tag-yellow"))),
        ),
        rx.el.td(row["child"]),
        rx.el.td(row["setting"]),
        rx.el.td(row["referrer"]),
        rx.el.td(row["received"], class_name="nowrap"),
        rx.el.td(rx.el.span(row["status"], class_name="tag")),
        rx.el.td(_deadline(row)),
        rx.el.td(row["caseworker"]),
        rx.el.td(row["form"]),
        rx.el.td(row["unread"]),
        class_name=rx.cond(row["overdue"] != "", "row-overdue", ""),
    )


def staff_inbox_page() -> rx.Component:
    return staff_shell(
        S,
        heading("Referrals"),
        _filters(),
        rx.el.p(
            S.total_label,
            class_name="body",
            role="status",
            aria_live="polite",
            id="result-count",
        ),
        rx.el.p(rx.el.a("Download these referrals as a spreadsheet (CSV)", href=S.csv_href), class_name="body"),
        rx.cond(
            S.rows.length() > 0,
            rx.el.div(
                rx.el.table(
                    rx.el.caption(
                        "Referrals, page " + S.page.to_string() + " of " + S.page_count.to_string(),
                        class_name="visually-hidden",
                    ),
                    rx.el.thead(rx.el.tr(*[rx.el.th(c, scope="col") for c in COLUMNS])),
                    rx.el.tbody(rx.foreach(S.rows, _row)),
                    class_name="staff-table",
                ),
                class_name="table-wrap",
                tab_index=0,
                role="region",
                aria_label="Referrals table",
            ),
            rx.el.p("No referrals match these filters.", class_name="body"),
        ),
        pagination(S.page, S.page_count, S.go_to_page),
    )
