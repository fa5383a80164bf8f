"""Registration pages: personal details, account, work details, check your details, check your email."""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.details_fields import personal_details_fields, work_details_fields
from sen_portal.components.error_summary import error_summary
from sen_portal.components.fields import checkbox, text_input
from sen_portal.components.layout import back_link, page_shell
from sen_portal.components.password import password_input, password_rules_checklist, show_password_toggle
from sen_portal.components.post_form import post_form
from sen_portal.components.text import heading, paragraph
from sen_portal.state.registration import RegistrationState as S


def _error(field: str) -> rx.Var:
    return S.errors.get(field, "").to(str)


def _text(field: str, label: str, **kwargs) -> rx.Component:
    return text_input(
        name=field,
        label=label,
        value=getattr(S, field),
        on_change=lambda value: S.set_field(field, value),
        error=_error(field),
        **kwargs,
    )


def _step_form(*children: rx.Component, on_submit, button: str = "Continue") -> rx.Component:
    return post_form(
        *children,
        rx.el.button(button, type="submit", class_name="button"),
        on_submit=on_submit,
        prevent_default=True,
        no_validate=True,
    )


def _caption(step: int) -> rx.Component:
    return rx.el.span(f"Create an account – step {step} of 4", class_name="caption")


def personal_details_page() -> rx.Component:
    return page_shell(
        back_link(routes.HOME),
        error_summary(S.error_items),
        _caption(1),
        heading("Your details"),
        _step_form(
            personal_details_fields(S),
            on_submit=S.submit_personal,
        ),
    )


def account_page() -> rx.Component:
    return page_shell(
        back_link(routes.REGISTER),
        error_summary(S.error_items),
        _caption(2),
        heading("Your account"),
        _step_form(
            _text(
                "email",
                "Email address",
                hint="Use a work email address you always have access to. We send a code to it every time you "
                "sign in, and tell you by email when you have a portal message.",
                input_type="email",
                autocomplete="email",
                spellcheck=False,
            ),
            password_input(
                name="password",
                label="Create a password",
                value=None,  # never a var: submit_account reads the form data
                on_change=S.set_password,
                error=_error("password"),
                shown=S.show_password,
                hint="Use a long password you do not use anywhere else. A few unrelated words work well.",
            ),
            password_rules_checklist(S.password_rules),
            password_input(
                name="confirm_password",
                label="Confirm your password",
                value=None,
                on_change=S.set_confirm_password,
                error=_error("confirm_password"),
                shown=S.show_password,
            ),
            show_password_toggle(
                shown=S.show_password, on_click=S.toggle_show_password, controls="password confirm_password"
            ),
            rx.el.div(class_name="form-group"),
            on_submit=S.submit_account,
        ),
    )


def work_details_page() -> rx.Component:
    return page_shell(
        back_link(routes.REGISTER_ACCOUNT),
        error_summary(S.error_items),
        _caption(3),
        heading("Your work"),
        _step_form(
            work_details_fields(S),
            checkbox(
                name="maintenance_emails",
                label="Email me about planned maintenance of the portal",
                checked=S.maintenance_emails,
                on_change=S.set_maintenance_emails,
                hint="We only use this to tell you when the portal will be unavailable. You can stop these emails at any time.",
            ),
            on_submit=S.submit_work,
        ),
    )


def _summary_row(label: str, value: rx.Var | str, change_href: str, field: str) -> rx.Component:
    return rx.el.tr(
        rx.el.th(label, scope="row"),
        rx.el.td(value),
        rx.el.td(
            rx.el.a(
                "Change", rx.el.span(f" {label.lower()}", class_name="visually-hidden"), href=f"{change_href}#{field}"
            )
        ),
    )


def check_details_page() -> rx.Component:
    return page_shell(
        back_link(routes.REGISTER_WORK),
        error_summary(S.error_items),
        _caption(4),
        heading("Check your details"),
        rx.el.table(
            rx.el.tbody(
                _summary_row("Name", S.title + " " + S.first_name + " " + S.last_name, routes.REGISTER, "first_name"),
                _summary_row("Phone number", S.phone, routes.REGISTER, "phone"),
                _summary_row("Email address", S.email, routes.REGISTER_ACCOUNT, "email"),
                _summary_row("Password", "••••••••••••", routes.REGISTER_ACCOUNT, "password"),
                _summary_row(
                    "Professional role",
                    rx.cond(S.role_is_other, "Other: " + S.professional_role_other, S.role_query),
                    routes.REGISTER_WORK,
                    "professional_role",
                ),
                _summary_row("Organisation", S.organisation, routes.REGISTER_WORK, "organisation"),
                _summary_row("Job title", S.job_title, routes.REGISTER_WORK, "job_title"),
                _summary_row("Work phone", S.work_phone, routes.REGISTER_WORK, "work_phone"),
                _summary_row("Work address", S.address_summary, routes.REGISTER_WORK, "postcode"),
                _summary_row(
                    "Maintenance emails",
                    rx.cond(S.maintenance_emails, "Yes", "No"),
                    routes.REGISTER_WORK,
                    "maintenance_emails",
                ),
            ),
            class_name="summary-list",
        ),
        heading("Now send your registration", level=2, size="m"),
        paragraph("We will email you a link. Select the link to activate your account."),
        _step_form(on_submit=S.submit_registration, button="Submit registration"),
    )


def check_email_page() -> rx.Component:
    return page_shell(
        heading("Check your email"),
        paragraph("We have sent an email to ", rx.el.strong(S.submitted_email), ".", lead=True),
        paragraph("Select the link in the email to activate your account. The link works for 48 hours."),
        paragraph("If you cannot see the email, check your junk or spam folder."),
        rx.el.div(
            rx.cond(S.resend_message != "", rx.el.p(S.resend_message, class_name="body")),
            role="status",
            aria_live="polite",
        ),
        rx.el.button("Resend the email", type="button", on_click=S.resend_email, class_name="button button-secondary"),
        paragraph(
            "Wrong email address? ",
            rx.el.button("Start again", type="button", on_click=S.start_again, class_name="link-button"),
        ),
    )
