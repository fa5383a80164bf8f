"""Sign-in pages: email and password, then the emailed code; signed out."""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.error_summary import error_summary
from sen_portal.components.fields import code_input, text_input
from sen_portal.components.layout import page_shell
from sen_portal.components.post_form import post_form
from sen_portal.components.text import button_link, heading, paragraph
from sen_portal.state.sign_in import SignInState as S


def _error(field: str) -> rx.Var:
    return S.errors.get(field, "").to(str)


def paused_page() -> rx.Component:
    """Shown instead of the form while planned maintenance pauses sign-in (the service refuses too)."""
    return rx.fragment(
        heading("Sign-in is paused for maintenance"),
        paragraph("We are carrying out planned maintenance: ", rx.el.strong(S.paused_title), "."),
        paragraph("You can sign in again from ", rx.el.strong(S.paused_until), ". Anything you saved is safe."),
        paragraph("If something is urgent, ", rx.el.a("contact the SEN team", href=routes.CONTACT), "."),
        paragraph(
            rx.el.a("Council staff sign in", href=f"{routes.SIGN_IN}?staff=1", class_name="hint"),
        ),
    )


def sign_in_page() -> rx.Component:
    return page_shell(rx.cond((S.paused_title != "") & ~S.staff_form, paused_page(), sign_in_form()))


def sign_in_form() -> rx.Component:
    return rx.fragment(
        error_summary(S.error_items),
        rx.cond(
            S.notice != "", rx.el.div(rx.el.p(S.notice, class_name="body"), class_name="notification", role="status")
        ),
        heading("Sign in"),
        rx.cond(
            S.unverified,
            rx.el.div(
                heading("Activate your account first", level=2, size="m"),
                paragraph(
                    "You need to select the link in the email we sent when you registered before you can sign in."
                ),
                rx.cond(
                    S.resend_done,
                    rx.el.p("We have sent a new link. Check your email.", class_name="body", role="status"),
                    rx.el.button(
                        "Send the link again", type="button", on_click=S.resend_verification, class_name="button"
                    ),
                ),
                class_name="notification",
            ),
        ),
        post_form(
            text_input(
                name="email",
                label="Email address",
                value=S.email,
                on_change=S.set_email,
                error=_error("email"),
                input_type="email",
                autocomplete="username",
                spellcheck=False,
            ),
            text_input(
                name="password",
                label="Password",
                value=None,  # never a var: submit_password reads the form data
                on_change=S.set_password,
                error=_error("password"),
                input_type="password",
                autocomplete="current-password",
            ),
            rx.el.button(
                rx.cond(S.signing_in, "Signing you in…", "Continue"),
                type="submit",
                class_name="button",
                disabled=S.signing_in,
                aria_disabled=S.signing_in,
            ),
            rx.el.p(
                rx.cond(
                    S.signing_in, "Signing you in… this can take a few seconds when many people sign in at once.", ""
                ),
                class_name="body",
                role="status",
                aria_live="polite",
            ),
            on_submit=S.submit_password,
            prevent_default=True,
            no_validate=True,
        ),
        paragraph(rx.el.a("Forgotten your password?", href=routes.FORGOTTEN_PASSWORD)),
        paragraph("No account yet? ", rx.el.a("Create an account", href=routes.REGISTER), "."),
    )


def sign_in_code_page() -> rx.Component:
    return page_shell(
        error_summary(S.error_items),
        rx.el.span("Sign in", class_name="caption"),
        rx.cond(
            S.method == "totp",
            rx.fragment(
                heading("Enter the code from your authenticator app"),
                paragraph("Open the authenticator app you set up for this portal. You can also use a recovery code."),
            ),
            rx.fragment(
                heading("Check your email"),
                paragraph(
                    "We have sent a 6-digit code to ",
                    rx.el.strong(S.masked_email),
                    ". The code expires after 10 minutes.",
                ),
                paragraph(
                    "The email may take a minute to arrive. Check your junk or spam folder if you cannot see it."
                ),
            ),
        ),
        post_form(
            code_input(label="Code", value=None, on_change=S.set_code, error=_error("code")),
            rx.el.button("Sign in", type="submit", class_name="button"),
            on_submit=S.submit_code,
            prevent_default=True,
            no_validate=True,
        ),
        rx.cond(
            S.method == "email",
            rx.fragment(
                rx.el.div(
                    rx.cond(S.notice != "", rx.el.p(S.notice, class_name="body")), role="status", aria_live="polite"
                ),
                rx.el.button(
                    "Send a new code", type="button", on_click=S.resend_code, class_name="button button-secondary"
                ),
            ),
        ),
        paragraph(rx.el.a("Sign in with a different account", href=routes.SIGN_IN)),
    )


def signed_out_page() -> rx.Component:
    return page_shell(
        heading("You have signed out"),
        paragraph("Your session has ended on this device."),
        button_link("Sign in again", routes.SIGN_IN),
    )
