"""Account settings: the summary (/account) and the maintenance email preference."""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.fields import checkbox
from sen_portal.components.layout import back_link, page_shell
from sen_portal.components.post_form import post_form
from sen_portal.components.text import heading, paragraph
from sen_portal.pages.dashboard import signed_in_navigation
from sen_portal.state.account import AccountState as S

CHECKING = rx.el.p("Checking you are signed in…", class_name="body", role="status")


def signed_in_page(*children: rx.Component, loaded: rx.Var) -> rx.Component:
    """The signed-in shell: content once the session check has loaded the page."""
    return page_shell(rx.cond(loaded, rx.fragment(*children), CHECKING), navigation=signed_in_navigation())


def summary_row(label: str, value: rx.Var | str | rx.Component, href: str, *, action: str = "Change") -> rx.Component:
    """One row of a summary list; the link names its row for screen readers ("Change phone number")."""
    return rx.el.tr(
        rx.el.th(label, scope="row"),
        rx.el.td(value),
        rx.el.td(rx.el.a(action, rx.el.span(f" {label.lower()}", class_name="visually-hidden"), href=href)),
    )


def _summary_table(*rows: rx.Component) -> rx.Component:
    return rx.el.table(rx.el.tbody(*rows), class_name="summary-list")


def _or_none(value: rx.Var) -> rx.Var:
    return rx.cond(value != "", value, "Not given")


def account_page() -> rx.Component:
    details = routes.ACCOUNT_DETAILS
    return signed_in_page(
        back_link(routes.DASHBOARD, "Back to your dashboard"),
        rx.el.div(
            rx.cond(
                S.notice != "",
                rx.el.div(rx.el.p(S.notice, class_name="body"), class_name="notification notification-success"),
            ),
            role="status",
        ),
        heading("Account settings"),
        heading("Personal details", level=2, size="m"),
        _summary_table(
            summary_row("Name", S.full_name, f"{details}#first_name"),
            summary_row("Phone number", S.phone, f"{details}#phone"),
        ),
        rx.cond(
            S.is_professional,
            rx.fragment(
                heading("Work details", level=2, size="m"),
                _summary_table(
                    summary_row("Professional role", S.role_label, f"{details}#professional_role"),
                    summary_row("Organisation", S.organisation, f"{details}#organisation"),
                    summary_row("Job title", S.job_title, f"{details}#job_title"),
                    summary_row("Work phone", _or_none(S.work_phone), f"{details}#work_phone"),
                    summary_row("Work address", S.address, f"{details}#postcode"),
                ),
            ),
        ),
        heading("Signing in", level=2, size="m"),
        _summary_table(
            summary_row(
                "Email address",
                rx.fragment(
                    S.email,
                    rx.cond(
                        S.pending_email != "",
                        rx.el.span(
                            " (waiting for you to confirm ",
                            S.pending_email,
                            " from the link we emailed to it)",
                            class_name="hint",
                        ),
                    ),
                ),
                routes.ACCOUNT_EMAIL,
            ),
            summary_row("Password", "••••••••••••", routes.ACCOUNT_PASSWORD),
            summary_row(
                "Authenticator app",
                rx.cond(
                    S.totp_enabled,
                    rx.fragment(
                        "On since ",
                        S.totp_since,
                        rx.el.span(S.recovery_codes_left.to_string() + " recovery codes left", class_name="hint"),
                    ),
                    "Off – we email you a code each time you sign in",
                ),
                routes.ACCOUNT_AUTHENTICATOR,
                action="Change",
            ),
        ),
        heading("Emails from us", level=2, size="m"),
        _summary_table(
            summary_row("Maintenance emails", rx.cond(S.maintenance_emails, "Yes", "No"), routes.ACCOUNT_MAINTENANCE),
        ),
        loaded=S.loaded,
    )


def maintenance_page() -> rx.Component:
    return signed_in_page(
        back_link(routes.ACCOUNT),
        heading("Emails about maintenance"),
        paragraph(
            "We can email you before planned maintenance, when the portal will be unavailable for a while. "
            "We will not use this for anything else."
        ),
        post_form(
            checkbox(
                name="maintenance_emails",
                label="Email me about planned maintenance of the portal",
                checked=S.maintenance_choice,
                on_change=S.set_maintenance_choice,
            ),
            rx.el.button("Save", type="submit", class_name="button"),
            on_submit=S.save_maintenance,
            prevent_default=True,
            no_validate=True,
        ),
        loaded=S.loaded,
    )
