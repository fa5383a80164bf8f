"""Forgotten password and reset pages."""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.error_summary import error_summary
from sen_portal.components.fields import text_input
from sen_portal.components.layout import back_link, page_shell
from sen_portal.components.link_token import link_token_field
from sen_portal.components.password import password_rules_checklist
from sen_portal.components.post_form import post_form
from sen_portal.components.text import button_link, heading, paragraph
from sen_portal.state.password_reset import ForgottenPasswordState as F
from sen_portal.state.password_reset import ResetPasswordState as R


def forgotten_password_page() -> rx.Component:
    return page_shell(
        back_link(routes.SIGN_IN),
        error_summary(F.error_items),
        rx.cond(
            F.sent_to != "",
            rx.fragment(
                heading("Check your email"),
                paragraph(
                    "If ",
                    rx.el.strong(F.sent_to),
                    " has an account, we have sent it a link to reset the password.",
                    lead=True,
                ),
                paragraph("The link works for 60 minutes. Check your junk or spam folder if you cannot see it."),
            ),
            rx.fragment(
                heading("Reset your password"),
                paragraph(
                    "Enter the email address you use to sign in. We will send you a link to reset your password."
                ),
                post_form(
                    text_input(
                        name="email",
                        label="Email address",
                        value=F.email,
                        on_change=F.set_email,
                        error=F.errors.get("email", "").to(str),
                        input_type="email",
                        autocomplete="email",
                        spellcheck=False,
                    ),
                    rx.el.button("Send the link", type="submit", class_name="button"),
                    on_submit=F.submit,
                    prevent_default=True,
                    no_validate=True,
                ),
            ),
        ),
    )


def _new_password_form() -> rx.Component:
    return post_form(
        link_token_field(),  # the link's token, written in by the page's load (never a state var)
        text_input(
            name="password",
            label="New password",
            value=None,  # never a var: submit reads the form data
            on_change=R.set_password,
            error=R.errors.get("password", "").to(str),
            input_type="password",
            autocomplete="new-password",
        ),
        password_rules_checklist(R.password_rules),
        text_input(
            name="confirm_password",
            label="Confirm your new password",
            value=None,
            on_change=R.set_confirm_password,
            error=R.errors.get("confirm_password", "").to(str),
            input_type="password",
            autocomplete="new-password",
        ),
        rx.el.button("Save the new password", type="submit", class_name="button"),
        on_submit=R.submit,
        prevent_default=True,
        no_validate=True,
    )


def reset_password_page() -> rx.Component:
    ask_again = paragraph(rx.el.a("Ask for a new link", href=routes.FORGOTTEN_PASSWORD))
    return page_shell(
        error_summary(R.error_items),
        rx.match(
            R.status,
            ("checking", rx.el.p("Checking your link…", class_name="body", role="status")),
            (
                "valid",
                rx.fragment(
                    heading(rx.cond(R.purpose == "set_password", "Set your password", "Choose a new password")),
                    _new_password_form(),
                ),
            ),
            (
                "done",
                rx.fragment(
                    rx.el.div(rx.el.h1("Your password has been changed"), class_name="panel"),
                    paragraph(
                        "You have been signed out everywhere. Sign in with your new password and the code we email you."
                    ),
                    button_link("Sign in", routes.SIGN_IN),
                ),
            ),
            (
                "expired",
                rx.fragment(heading("This link has expired"), paragraph("Reset links work for 60 minutes."), ask_again),
            ),
            ("used", rx.fragment(heading("This link has already been used"), ask_again)),
            rx.fragment(
                heading("This link is not valid"),
                paragraph("Copy the whole link from the email, or ask for a new one."),
                ask_again,
            ),
        ),
    )
