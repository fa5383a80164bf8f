"""The signed-in home page."""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.layout import page_shell
from sen_portal.components.signed_in import CHECKING, signed_in_navigation
from sen_portal.components.text import heading, paragraph
from sen_portal.state.dashboard import DashboardState as S


def dashboard_page() -> rx.Component:
    return page_shell(
        rx.cond(
            S.signed_in,
            rx.fragment(
                heading("Your dashboard"),
                paragraph("You are signed in as ", rx.el.strong(S.email), "."),
                rx.cond(
                    S.awaiting_approval,
                    rx.el.div(
                        rx.el.h2("Your account is waiting for approval", class_name="heading-m"),
                        rx.el.p(
                            "The SEN team checks every new account. You can start and save requests now, "
                            "and send them once your account is approved: we will email you.",
                            class_name="body",
                        ),
                        class_name="inset",
                        id="awaiting-approval",
                    ),
                ),
                rx.cond(
                    S.is_staff,
                    rx.fragment(
                        heading("Staff work", level=2, size="m"),
                        paragraph(
                            rx.el.a("Referrals inbox", href=routes.STAFF_INBOX),
                            ": sent requests, their deadlines, status and messages.",
                        ),
                        paragraph(
                            rx.el.a("Accounts", href=routes.STAFF_ACCOUNTS),
                            ": approve new professional accounts, disable or re-enable accounts.",
                        ),
                        paragraph(
                            rx.el.a("Maintenance notices", href=routes.STAFF_NOTICES),
                            ": tell portal users about planned maintenance, pause sign-in during it.",
                        ),
                        paragraph(
                            rx.el.a("Messages", href=routes.MESSAGES),
                            ": conversations with professionals about their requests.",
                        ),
                        rx.cond(
                            S.role == "admin",
                            paragraph(
                                rx.el.a("Forms", href=routes.STAFF_FORMS),
                                " and ",
                                rx.el.a("lookup lists", href=routes.STAFF_LOOKUPS),
                                ": change and publish forms, keep the lists they offer.",
                            ),
                        ),
                    ),
                ),
                heading("Requests", level=2, size="m"),
                rx.el.a(
                    "Start a Request for an EHC needs assessment",
                    href=routes.NEW_REFERRAL + "?form=ehc_needs_assessment",
                    role="button",
                    class_name="button button-start",
                ),
                paragraph(rx.el.a("Your requests", href=routes.MY_REFERRALS), ": drafts and requests you have sent."),
                heading("Your account", level=2, size="m"),
                paragraph(
                    rx.el.a("Account settings", href=routes.ACCOUNT),
                    ": your details, password, email address and authenticator app.",
                ),
                heading("Security", level=2, size="m"),
                rx.el.button(
                    "Sign out of all other devices",
                    type="button",
                    on_click=S.sign_out_everywhere,
                    class_name="button button-secondary",
                ),
                rx.el.div(
                    rx.cond(S.other_sessions_message != "", rx.el.p(S.other_sessions_message, class_name="body")),
                    role="status",
                    aria_live="polite",
                ),
            ),
            CHECKING,
        ),
        navigation=signed_in_navigation(),
    )
