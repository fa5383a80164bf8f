"""/account/authenticator: set up an authenticator app, see recovery codes once, get new ones, turn it off."""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.error_summary import error_summary
from sen_portal.components.fields import code_input, text_input
from sen_portal.components.layout import back_link
from sen_portal.components.post_form import post_form
from sen_portal.components.signed_in import signed_in_page
from sen_portal.components.text import heading, paragraph
from sen_portal.state.authenticator import DISABLE, NEW_CODES
from sen_portal.state.authenticator import AuthenticatorState as S

QR_ALT = (
    "QR code for adding this account to your authenticator app. "
    "If you cannot scan it, type in the setup key shown below it."
)


def _error(field: str) -> rx.Var:
    return S.errors.get(field, "").to(str)


def _overview_off() -> rx.Component:
    return rx.fragment(
        paragraph("At the moment we email you a code each time you sign in."),
        paragraph(
            "You can use an authenticator app on your phone or computer instead, such as Microsoft Authenticator "
            "or Google Authenticator. The app shows a new 6-digit code every 30 seconds, and works without "
            "a phone signal. Once it is set up, you sign in with the app's code instead of an emailed one."
        ),
        rx.cond(
            _error("setup") != "",
            rx.el.p(_error("setup"), class_name="error-message", id="setup-error"),
        ),
        rx.el.button(
            "Set up an authenticator app", type="button", id="setup", on_click=S.start_setup, class_name="button"
        ),
    )


def _password_form() -> rx.Component:
    return post_form(
        heading(
            rx.cond(S.action == DISABLE, "Turn off the authenticator app", "Get new recovery codes"), level=2, size="m"
        ),
        text_input(
            name="current_password",
            label="Current password",
            value=None,  # never a var: confirm_action reads the form data
            on_change=S.set_current_password,
            error=_error("current_password"),
            input_type="password",
            autocomplete="current-password",
            hint="To keep your account safe, enter your password to make this change.",
        ),
        rx.el.button(
            rx.cond(S.action == DISABLE, "Turn off the app", "Get new codes"), type="submit", class_name="button"
        ),
        rx.el.p(
            rx.el.button("Cancel", type="button", on_click=S.choose_action(""), class_name="link-button"),
            class_name="body",
        ),
        on_submit=S.confirm_action,
        prevent_default=True,
        no_validate=True,
    )


def _overview_on() -> rx.Component:
    return rx.fragment(
        paragraph("You sign in with a code from your authenticator app. You set it up on ", S.enabled_since, "."),
        paragraph(
            "You have ",
            rx.el.strong(S.recovery_codes_left.to_string()),
            " unused recovery codes. Use one to sign in if you do not have your app with you.",
        ),
        rx.cond(
            S.action != "",
            _password_form(),
            rx.fragment(
                heading("Recovery codes", level=2, size="m"),
                paragraph(
                    "Get a new set of ten codes if you have lost yours or used most of them. The old ones stop working."
                ),
                rx.el.button(
                    "Get new recovery codes",
                    type="button",
                    on_click=S.choose_action(NEW_CODES),
                    class_name="button button-secondary",
                ),
                heading("Turn off the authenticator app", level=2, size="m"),
                paragraph("We will email you a code each time you sign in instead."),
                rx.el.button(
                    "Turn off the authenticator app",
                    type="button",
                    on_click=S.choose_action(DISABLE),
                    class_name="button button-secondary",
                ),
            ),
        ),
    )


def _setup() -> rx.Component:
    return rx.fragment(
        heading("Set up an authenticator app"),
        rx.el.ol(
            rx.el.li("Open your authenticator app and choose to add an account."),
            rx.el.li("Scan the QR code with the app, or type in the setup key."),
            rx.el.li("Enter the 6-digit code the app shows for this account."),
            class_name="list",
        ),
        # The QR code, the key and (on the next step) the recovery codes are written in by a one-off
        # script from the state (never state vars): React leaves these elements' contents alone.
        rx.el.img(alt=QR_ALT, id="totp-qr"),
        heading("Cannot scan the QR code?", level=2, size="m"),
        paragraph("Type this setup key into the app instead. If the app asks, choose a time-based code."),
        rx.el.p(rx.el.code(id="setup-key"), class_name="body-l"),
        post_form(
            code_input(label="Code from the app", value=None, on_change=S.set_code, error=_error("code")),
            rx.el.button("Turn on the app", type="submit", class_name="button"),
            on_submit=S.confirm_setup,
            prevent_default=True,
            no_validate=True,
        ),
        rx.el.p(
            rx.el.button("Cancel", type="button", on_click=S.cancel_setup, class_name="link-button"),
            class_name="body",
        ),
    )


def _codes() -> rx.Component:
    return rx.fragment(
        heading("Save your recovery codes"),
        rx.el.div(
            rx.el.p(
                rx.el.strong("Warning: we will show these codes only once. "),
                "Save them now, somewhere other than your phone: in a password manager, or printed and kept safe.",
                class_name="body",
            ),
            class_name="notification",
        ),
        paragraph(
            "If you lose your phone or cannot use the app, sign in with one of these codes instead of the app's code. "
            "Each code works once."
        ),
        rx.el.ol(
            class_name="list",
            id="recovery-codes",
            aria_label="Recovery codes",
        ),
        rx.el.button("I have saved my recovery codes", type="button", on_click=S.finish, class_name="button"),
    )


def authenticator_page() -> rx.Component:
    return signed_in_page(
        rx.cond(S.step == "overview", back_link(routes.ACCOUNT)),
        error_summary(S.error_items),
        rx.match(
            S.step,
            ("setup", _setup()),
            ("codes", _codes()),
            rx.fragment(
                heading("Authenticator app"),
                rx.cond(S.enabled, _overview_on(), _overview_off()),
            ),
        ),
        loaded=S.loaded,
    )
