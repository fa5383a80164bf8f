"""The page an emailed verification link opens."""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.error_summary import error_summary
from sen_portal.components.fields import text_input
from sen_portal.components.layout import page_shell
from sen_portal.components.link_token import link_token_field
from sen_portal.components.post_form import post_form
from sen_portal.components.text import button_link, heading, paragraph
from sen_portal.state.verify_email import VerifyEmailState as S


def _new_link_form() -> rx.Component:
    return rx.cond(
        S.resend_done,
        rx.el.div(
            rx.el.p(
                "If that address has an account waiting to be activated, we have sent it a new link.",
                class_name="body",
            ),
            role="status",
        ),
        post_form(
            text_input(
                name="resend_email",
                label="Email address",
                value=S.resend_email,
                on_change=S.set_resend_email,
                error=S.errors.get("resend_email", "").to(str),
                input_type="email",
                autocomplete="email",
            ),
            rx.el.button("Send a new link", type="submit", class_name="button"),
            on_submit=S.request_new_link,
            prevent_default=True,
            no_validate=True,
        ),
    )


def verify_email_page() -> rx.Component:
    return page_shell(
        error_summary(S.error_items),
        rx.match(
            S.status,
            ("checking", rx.el.p("Checking your link…", class_name="body", role="status")),
            (
                "valid",
                rx.fragment(
                    heading("Activate your account"),
                    paragraph("Select the button to finish setting up your account."),
                    post_form(
                        link_token_field(),
                        rx.el.button("Activate my account", type="submit", class_name="button"),
                        on_submit=S.activate,
                        prevent_default=True,
                    ),
                ),
            ),
            (
                "activated",
                rx.fragment(
                    rx.el.div(rx.el.h1("Your account is set up"), class_name="panel"),
                    paragraph("You can now sign in. We will email you a code each time you sign in."),
                    button_link("Sign in", routes.SIGN_IN),
                ),
            ),
            (
                "expired",
                rx.fragment(
                    heading("This link has expired"),
                    paragraph(
                        "Links to activate an account work for 48 hours. Enter your email address and we will send you a new one."
                    ),
                    _new_link_form(),
                ),
            ),
            (
                "used",
                rx.fragment(
                    heading("This link has already been used"),
                    paragraph(
                        "Your account may already be set up: ",
                        rx.el.a("sign in", href=routes.SIGN_IN),
                        ". If you still need to activate it, ask for a new link.",
                    ),
                    _new_link_form(),
                ),
            ),
            rx.fragment(
                heading("This link is not valid"),
                paragraph(
                    "The link may be incomplete. Copy the whole link from the email into your browser, "
                    "or ask for a new link."
                ),
                _new_link_form(),
            ),
        ),
    )
