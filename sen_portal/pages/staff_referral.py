"""One referral for council staff (UI only; StaffReferralState does the work)."""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.error_summary import error_summary
from sen_portal.components.fields import error_text, form_group
from sen_portal.components.links import confirmation_region
from sen_portal.components.post_form import post_form
from sen_portal.components.staff import staff_shell
from sen_portal.components.summary_table import summary_table
from sen_portal.components.text import heading, paragraph
from sen_portal.state.staff_referral import StaffReferralState as S

V = S.view


def _error(name: str) -> rx.Var:
    return S.errors.get(name, "").to(str)


def _facts() -> rx.Component:
    def fact(label: str, value: rx.Var | rx.Component) -> rx.Component:
        return rx.el.tr(rx.el.th(label, scope="row"), rx.el.td(value))

    return rx.el.table(
        rx.el.tbody(
            fact("Status", rx.el.span(V["status_label"], class_name="tag", id="status")),
            fact("Child or young person", V["child_name"]),
            fact("School or setting", V["setting"]),
            fact("Referrer", V["referrer"] + " (" + V["referrer_email"] + ")"),
            fact("Received", V["received"]),
            fact("Decision due (6 weeks)", V["decision_due"]),
            fact("Final plan due (20 weeks)", V["final_plan_due"]),
            fact(
                "Time left",
                rx.cond(
                    S.overdue,
                    rx.el.strong(V["deadline_note"], class_name="tag tag-red"),
                    rx.el.span(rx.cond(V["deadline_note"] != "", V["deadline_note"], "No deadline running")),
                ),
            ),
            fact("Caseworker", rx.el.span(V["assigned_label"], id="assigned-caseworker")),
            rx.cond(V["decision_reason"] != "", fact("Reason for the decision", V["decision_reason"])),
        ),
        class_name="summary-list",
    )


def _duplicates() -> rx.Component:
    return rx.cond(
        S.duplicates.length() > 0,
        rx.el.div(
            rx.el.p("Possible duplicate: another request names a child with the same name and date of birth."),
            rx.el.ul(
                rx.foreach(
                    S.duplicates,
                    lambda d: rx.el.li(rx.el.a(d["reference"], href=routes.STAFF_REFERRAL + "?id=" + d["public_id"])),
                ),
                class_name="list",
            ),
            class_name="warning",
        ),
    )


def _assign_form() -> rx.Component:
    return post_form(
        heading("Caseworker", level=2, size="m"),
        form_group(
            rx.el.label("Assign to", html_for="caseworker", class_name="label"),
            error_text("caseworker", _error("caseworker")),
            rx.el.select(
                rx.el.option("Nobody", value=""),
                rx.foreach(S.caseworkers, lambda c: rx.el.option(c["label"], value=c["value"])),
                id="caseworker",
                name="caseworker",
                default_value=V["assigned_to"],
                class_name="select",
            ),
            error=_error("caseworker"),
        ),
        rx.el.button("Assign", type="submit", class_name="button button-secondary"),
        rx.el.button("Assign to me", type="button", on_click=S.assign_to_me, class_name="button button-secondary"),
        # keyed by the saved choice too: an uncontrolled select only reads its default when it mounts
        key="assign-" + S.form_key.to_string() + "-" + V["assigned_to"],
        on_submit=S.assign,
        prevent_default=True,
        reset_on_submit=False,
    )


def _textarea(name: str, label: str, hint: str) -> rx.Component:
    return form_group(
        rx.el.label(label, html_for=name, class_name="label"),
        rx.el.div(hint, id=f"{name}-hint", class_name="hint"),
        error_text(name, _error(name)),
        rx.el.textarea(
            id=name,
            name=name,
            rows=3,
            max_length=2000,
            aria_describedby=rx.cond(_error(name) != "", f"{name}-hint {name}-error", f"{name}-hint"),
            class_name="textarea",
        ),
        error=_error(name),
    )


def _status_form() -> rx.Component:
    return rx.cond(
        S.next_statuses.length() > 0,
        post_form(
            heading("Change the status", level=2, size="m"),
            form_group(
                rx.el.label("New status", html_for="to_status", class_name="label"),
                error_text("to_status", _error("to_status")),
                rx.el.select(
                    rx.foreach(S.next_statuses, lambda o: rx.el.option(o["label"], value=o["value"])),
                    id="to_status",
                    name="to_status",
                    class_name="select",
                ),
                error=_error("to_status"),
            ),
            _textarea("note", "Note", "For the timeline. If you ask for more information, the referrer sees this."),
            _textarea("reason", "Reason for declining", "Needed only if you decline to assess."),
            rx.el.button("Change status", type="submit", class_name="button"),
            key="status-" + S.form_key.to_string(),
            on_submit=S.change_status,
            prevent_default=True,
            reset_on_submit=False,
            no_validate=True,
        ),
        paragraph("This referral has reached the end of the process: its status cannot change."),
    )


def _timeline() -> rx.Component:
    return rx.el.ol(
        rx.foreach(
            S.timeline,
            lambda t: rx.el.li(
                rx.el.strong(t["to"]),
                " (from " + t["from"] + ") – " + t["when"],
                rx.cond(t["who"] != "", " by " + t["who"], ""),
                rx.cond(t["note"] != "", rx.el.p(t["note"], class_name="body", style={"white-space": "pre-line"})),
            ),
        ),
        class_name="list",
        id="timeline",
    )


def _documents() -> rx.Component:
    return rx.cond(
        S.documents.length() > 0,
        rx.el.ul(
            rx.foreach(
                S.documents,
                lambda d: rx.el.li(
                    rx.el.a(d["name"], href=d["href"], download=True), " – " + d["slot_label"] + " (" + d["size"] + ")"
                ),
            ),
            class_name="list",
        ),
        paragraph("No documents."),
    )


def staff_referral_page() -> rx.Component:
    return staff_shell(
        S,
        rx.cond(
            S.not_found,
            rx.fragment(
                heading("Referral not found"), paragraph(rx.el.a("Back to the inbox", href=routes.STAFF_INBOX))
            ),
            rx.fragment(
                error_summary(S.error_items),
                rx.el.span(V["form_title"], class_name="caption"),
                heading("Referral " + V["reference"]),
                confirmation_region(
                    rx.cond(S.message != "", rx.el.p(S.message, class_name="notification notification-success"))
                ),
                _duplicates(),
                _facts(),
                paragraph(
                    rx.el.a("Messages with the referrer", href=routes.MESSAGE_THREAD + "?id=" + S.referral_id),
                    ": the conversation about this referral.",
                ),
                _assign_form(),
                _status_form(),
                heading("Timeline", level=2, size="m"),
                _timeline(),
                heading("Documents", level=2, size="m"),
                _documents(),
                heading("Answers", level=2, size="m"),
                summary_table(S.summary),
            ),
        ),
    )
