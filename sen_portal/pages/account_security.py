"""Change your password, change your email address, and the page the email change link opens."""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.error_summary import error_summary
from sen_portal.components.fields import text_input
from sen_portal.components.layout import back_link, page_shell
from sen_portal.components.link_token import link_token_field
from sen_portal.components.password import password_input, password_rules_checklist, show_password_toggle
from sen_portal.components.post_form import post_form
from sen_portal.components.signed_in import signed_in_page
from sen_portal.components.text import button_link, heading, paragraph
from sen_portal.state.account_security import ChangeEmailState as E
from sen_portal.state.account_security import ChangePasswordState as P
from sen_portal.state.account_security import ConfirmEmailChangeState as C
from sen_portal.state.auth import AuthState


def _current_password(state, *, hint: str | None = None) -> rx.Component:
    """Uncontrolled: the password is read from the submitted form, never kept in page state."""
    return text_input(
        name="current_password",
        label="Current password",
        value=None,
        on_change=state.set_current_password,
        error=state.errors.get("current_password", "").to(str),
        input_type="password",
        autocomplete="current-password",
        hint=hint,
    )


def change_password_page() -> rx.Component:
    form = post_form(
        _current_password(P),
        password_input(
            name="password",
            label="New password",
            value=None,
            on_change=P.set_password,
            error=P.errors.get("password", "").to(str),
            shown=P.show_password,
            hint="Use a long password you do not use anywhere else. A few unrelated words work well.",
        ),
        password_rules_checklist(P.password_rules),
        password_input(
            name="confirm_password",
            label="Confirm your new password",
            value=None,
            on_change=P.set_confirm_password,
            error=P.errors.get("confirm_password", "").to(str),
            shown=P.show_password,
        ),
        show_password_toggle(
            shown=P.show_password, on_click=P.toggle_show_password, controls="password confirm_password"
        ),
        rx.el.div(class_name="form-group"),
        rx.el.button("Change password", type="submit", class_name="button"),
        on_submit=P.save,
        prevent_default=True,
        no_validate=True,
    )
    return signed_in_page(
        rx.cond(
            P.done,
            rx.fragment(
                rx.el.div(rx.el.h1("Your password has been changed"), class_name="panel"),
                paragraph("You are still signed in on this device. We have signed you out everywhere else."),
                paragraph("We have emailed you to confirm the change."),
                button_link("Back to account settings", routes.ACCOUNT),
            ),
            rx.fragment(
                back_link(routes.ACCOUNT),
                error_summary(P.error_items),
                heading("Change your password"),
                paragraph("When you change your password, you will be signed out on every other device."),
                form,
            ),
        ),
        loaded=AuthState.signed_in,
    )


def change_email_page() -> rx.Component:
    return signed_in_page(
        rx.cond(
            E.sent_to != "",
            rx.fragment(
                heading("Check your new email"),
                paragraph("We have sent a link to ", rx.el.strong(E.sent_to), ".", lead=True),
                paragraph(
                    "Select the link in that email to confirm your new address. The link works for 24 hours. "
                    "Until then, keep using ",
                    rx.el.strong(E.current_email),
                    " to sign in.",
                ),
                paragraph("We have also emailed ", E.current_email, " to let you know about the change."),
                button_link("Back to account settings", routes.ACCOUNT),
            ),
            rx.fragment(
                back_link(routes.ACCOUNT),
                error_summary(E.error_items),
                heading("Change your email address"),
                paragraph("Your email address is ", rx.el.strong(E.current_email), "."),
                rx.cond(
                    E.pending_email != "",
                    rx.el.div(
                        "You have asked to change it to ",
                        rx.el.strong(E.pending_email),
                        ". Select the link we emailed to that address, or ask for a new link below.",
                        class_name="inset",
                    ),
                ),
                paragraph(
                    "We will email a link to the new address. The change happens only when you select that link."
                ),
                post_form(
                    text_input(
                        name="new_email",
                        label="New email address",
                        value=E.new_email,
                        on_change=E.set_new_email,
                        error=E.errors.get("new_email", "").to(str),
                        input_type="email",
                        autocomplete="email",
                        spellcheck=False,
                    ),
                    _current_password(E),
                    rx.el.button("Send a confirmation link", type="submit", class_name="button"),
                    on_submit=E.save,
                    prevent_default=True,
                    no_validate=True,
                ),
            ),
        ),
        loaded=AuthState.signed_in,
    )


def confirm_email_change_page() -> rx.Component:
    account_link = paragraph(rx.el.a("Go to your account settings", href=routes.ACCOUNT))
    return page_shell(
        rx.match(
            C.status,
            ("checking", rx.el.p("Checking your link…", class_name="body", role="status")),
            (
                "valid",
                rx.fragment(
                    heading("Confirm your new email address"),
                    paragraph("Select the button to use this address to sign in from now on."),
                    post_form(
                        link_token_field(),
                        rx.el.button("Confirm my new email address", type="submit", class_name="button"),
                        on_submit=C.confirm,
                        prevent_default=True,
                    ),
                ),
            ),
            (
                "changed",
                rx.fragment(
                    rx.el.div(rx.el.h1("Your email address has been changed"), class_name="panel"),
                    paragraph("Use your new email address to sign in from now on."),
                    button_link("Sign in", routes.SIGN_IN),
                ),
            ),
            (
                "expired",
                rx.fragment(
                    heading("This link has expired"),
                    paragraph("Links to confirm a new email address work for 24 hours. Sign in and ask again."),
                    account_link,
                ),
            ),
            ("used", rx.fragment(heading("This link has already been used"), account_link)),
            rx.fragment(
                heading("This link is not valid"),
                paragraph(
                    "The link may be incomplete, or a newer one may have been sent. Copy the whole link from the "
                    "latest email, or sign in and ask for a new one."
                ),
                account_link,
            ),
        ),
    )
