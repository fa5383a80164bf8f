"""The audit log for administrators (UI only; StaffAuditState does the work)."""

from __future__ import annotations

import reflex as rx

from sen_portal.components.error_summary import error_summary
from sen_portal.components.fields import error_text, form_group
from sen_portal.components.post_form import post_form
from sen_portal.components.staff import pagination, staff_shell
from sen_portal.components.text import heading
from sen_portal.state.staff_audit import StaffAuditState as S

COLUMNS = ("When", "Who", "Action", "Object", "Outcome", "IP address", "Detail")


def _input(name: str, label: str, input_type: str = "text", hint: str = "") -> rx.Component:
    error = S.errors.get(name, "").to(str)
    return form_group(
        rx.el.label(label, html_for=name, class_name="label"),
        rx.el.div(hint, id=f"{name}-hint", class_name="hint") if hint else rx.fragment(),
        error_text(name, error),
        rx.el.input(
            id=name,
            name=name,
            type=input_type,
            class_name="input",
            aria_describedby=rx.cond(error != "", f"{name}-error", f"{name}-hint" if hint else ""),
        ),
        error=error,
    )


def staff_audit_page() -> rx.Component:
    return staff_shell(
        S,
        error_summary(S.error_items),
        heading("Audit log"),
        post_form(
            rx.el.div(
                form_group(
                    rx.el.label("Action", html_for="action", class_name="label"),
                    rx.el.select(
                        rx.foreach(S.action_options, lambda o: rx.el.option(o["label"], value=o["value"])),
                        id="action",
                        name="action",
                        class_name="select",
                    ),
                    error=S.errors.get("action", "").to(str),
                ),
                _input("email", "Person's email address", "email"),
                _input("object_id", "Object id", hint="A referral reference, a document id or a page path"),
                _input("since", "From", "date"),
                _input("until", "To", "date"),
                class_name="filters",
            ),
            rx.el.button("Apply filters", type="submit", class_name="button"),
            on_submit=S.apply_filters,
            prevent_default=True,
            reset_on_submit=False,
            no_validate=True,
            aria_label="Filter the audit log",
        ),
        rx.el.p(
            rx.cond(S.total == 1, "1 entry", S.total.to_string() + " entries"),
            class_name="body",
            role="status",
            aria_live="polite",
            id="audit-count",
        ),
        rx.el.div(
            rx.el.table(
                rx.el.caption("Audit log, newest first", class_name="visually-hidden"),
                rx.el.thead(rx.el.tr(*[rx.el.th(c, scope="col") for c in COLUMNS])),
                rx.el.tbody(
                    rx.foreach(
                        S.rows,
                        lambda r: rx.el.tr(
                            rx.el.td(r["when"]),
                            rx.el.td(r["who"]),
                            rx.el.td(r["action"]),
                            rx.el.td(r["object"]),
                            rx.el.td(r["outcome"]),
                            rx.el.td(r["ip"]),
                            rx.el.td(rx.el.code(r["detail"])),
                        ),
                    )
                ),
                class_name="staff-table",
            ),
            class_name="table-wrap",
            tab_index=0,
            role="region",
            aria_label="Audit log table",
        ),
        pagination(S.page, S.page_count, S.go_to_page),
    )
