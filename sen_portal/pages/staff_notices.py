"""/staff/notices: schedule maintenance notices and email them to users who asked for them."""

from __future__ import annotations

import reflex as rx

from sen_portal.components.error_summary import error_summary
from sen_portal.components.fields import LOSSLESS, checkbox, error_text, form_group, text_input
from sen_portal.components.post_form import post_form
from sen_portal.components.staff import staff_shell
from sen_portal.components.text import heading, paragraph
from sen_portal.state.notices import StaffNoticesState as S

STATE_LABELS = {"upcoming": "Upcoming", "active": "Happening now", "ended": "Ended"}


def _error(field: str) -> rx.Var:
    return S.errors.get(field, "").to(str)


def _notice_row(row: rx.Var) -> rx.Component:
    return rx.el.tr(
        rx.el.td(row["title"]),
        rx.el.td(row["when"]),
        rx.el.td(rx.match(row["state"], *STATE_LABELS.items(), "")),
        rx.el.td(rx.cond(row["pause"] != "", "Yes", "No")),
        rx.el.td(
            rx.cond(
                row["state"] != "ended",
                rx.el.button(
                    rx.cond(row["state"] == "active", "End now", "Cancel notice"),
                    rx.el.span(" ", row["title"], class_name="visually-hidden"),
                    type="button",
                    on_click=S.end_notice(row["id"]),
                    class_name="link-button",
                ),
            )
        ),
        rx.el.td(
            rx.cond(
                row["emailed"] != "",
                rx.fragment("Emailed ", row["emailed"]),
                rx.cond(row["state"] == "ended", "Not emailed", _email_controls(row)),
            )
        ),
    )


def _email_controls(row: rx.Var) -> rx.Component:
    """ "Email portal users", then a confirmation: it goes to everyone who opted in, once."""
    return rx.cond(
        S.confirm_id == row["id"],
        rx.el.div(
            rx.el.p("Email this notice to every portal user who asked for maintenance emails?"),
            rx.el.button(
                "Yes, email portal users", type="button", on_click=S.email_users, class_name="button button-warning"
            ),
            rx.el.button("Cancel", type="button", on_click=S.cancel_email, class_name="button button-secondary"),
            role="group",
            aria_label="Confirm emailing portal users",
        ),
        rx.el.button(
            "Email portal users",
            rx.el.span(" about ", row["title"], class_name="visually-hidden"),
            type="button",
            on_click=S.ask_to_email(row["id"]),
            class_name="button button-secondary",
        ),
    )


def staff_notices_page() -> rx.Component:
    body_error = _error("body")
    return staff_shell(
        S,
        error_summary(S.error_items),
        heading("Maintenance notices"),
        paragraph(
            "A notice shows as a banner on every page from when you schedule it until its end time. Times are UK time."
        ),
        rx.el.div(
            rx.cond(S.notice != "", rx.el.p(S.notice, class_name="body notification notification-success")),
            role="status",
        ),
        heading("Schedule a notice", level=2, size="m"),
        post_form(
            text_input(name="title", label="Title", value=S.title, on_change=S.set_title, error=_error("title")),
            form_group(
                rx.el.label("What users need to know", html_for="body", class_name="label"),
                error_text("body", body_error),
                rx.el.textarea(
                    id="body",
                    name="body",
                    default_value=S.body,  # lossless: see components.fields.text_input
                    custom_attrs={**LOSSLESS},  # a copy: Reflex adds aria-* props to this dict
                    on_change=S.set_body,
                    rows=4,
                    aria_describedby=rx.cond(body_error != "", "body-error", ""),
                    aria_invalid=rx.cond(body_error != "", "true", "false"),
                    class_name=rx.cond(body_error != "", "textarea input-error", "textarea"),
                ),
                error=body_error,
            ),
            text_input(
                name="starts_at",
                label="Starts",
                value=S.starts_at,
                on_change=S.set_starts_at,
                error=_error("starts_at"),
                input_type="datetime-local",
                width_class="input-width-20",
            ),
            text_input(
                name="ends_at",
                label="Ends",
                value=S.ends_at,
                on_change=S.set_ends_at,
                error=_error("ends_at"),
                input_type="datetime-local",
                width_class="input-width-20",
            ),
            checkbox(
                name="pause_sign_in",
                label="Pause sign-in during the maintenance",
                checked=S.pause_sign_in,
                on_change=S.set_pause_sign_in,
                hint="Professionals see a page explaining the maintenance instead of the sign-in form. "
                "Council staff can still sign in.",
            ),
            rx.el.button("Schedule notice", type="submit", class_name="button"),
            on_submit=S.schedule,
            prevent_default=True,
            no_validate=True,
        ),
        heading("Notices", level=2, size="m"),
        rx.cond(
            S.notices.length() > 0,
            rx.el.table(
                rx.el.thead(
                    rx.el.tr(
                        rx.el.th("Title", scope="col"),
                        rx.el.th("When", scope="col"),
                        rx.el.th("Status", scope="col"),
                        rx.el.th("Sign-in paused", scope="col"),
                        rx.el.th(rx.el.span("Actions", class_name="visually-hidden"), scope="col"),
                        rx.el.th("Email", scope="col"),
                    )
                ),
                rx.el.tbody(rx.foreach(S.notices, _notice_row)),
                class_name="summary-list",
                id="notices",
            ),
            paragraph("No notices yet."),
        ),
    )
