"""The page shell in the GOV.UK style council users know.

Skip link first (keyboard users), one header, one ``main`` landmark, one footer.
Branding comes from settings at build time; ``make run`` rebuilds on start.
"""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.connection_notice import connection_notice
from sen_portal.components.links import in_page_link
from sen_portal.components.notice_banner import maintenance_banner
from sen_portal.config import get_settings

MAIN_ID = "main-content"


def skip_link() -> rx.Component:
    return in_page_link("Skip to main content", target=MAIN_ID, class_name="skip-link")


def header(*navigation: rx.Component) -> rx.Component:
    settings = get_settings()
    return rx.el.header(
        rx.el.div(
            rx.el.a(
                rx.el.span(settings.council_name, class_name="header-council"),
                rx.el.span(settings.service_name, class_name="header-service"),
                href=routes.HOME,
                class_name="header-link",
            ),
            rx.el.nav(
                rx.el.ul(*navigation, class_name="header-nav-list"), aria_label="Account", class_name="header-nav"
            )
            if navigation
            else rx.fragment(),
            class_name="header-inner width-container",
        ),
        class_name="header",
        role="banner",
    )


def nav_item(text: str, href: str) -> rx.Component:
    return rx.el.li(rx.el.a(text, href=href, class_name="header-nav-link"))


def staff_nav_item(is_staff: rx.Var) -> rx.Component:
    """The "Staff" link, for council staff only (a convenience: staff pages check the role themselves)."""
    return rx.cond(is_staff, nav_item("Staff", routes.STAFF_INBOX), rx.fragment())


def footer() -> rx.Component:
    settings = get_settings()
    return rx.el.footer(
        rx.el.div(
            rx.el.h2("Support links", class_name="visually-hidden"),
            rx.el.ul(
                rx.el.li(rx.el.a("Accessibility statement", href=routes.ACCESSIBILITY, class_name="footer-link")),
                rx.el.li(rx.el.a("Privacy notice", href=routes.PRIVACY, class_name="footer-link")),
                rx.el.li(rx.el.a("Contact the SEN team", href=routes.CONTACT, class_name="footer-link")),
                class_name="footer-links",
            ),
            rx.el.p(f"© {settings.council_name}", class_name="footer-copyright"),
            class_name="width-container",
        ),
        class_name="footer",
        role="contentinfo",
    )


def back_link(href: str, text: str = "Back") -> rx.Component:
    return rx.el.a(text, href=href, class_name="back-link")


def session_timeout_marker() -> rx.Component:
    """Tells assets/portal.js this page is signed in and when idle sessions end, so it can warn
    two minutes before (WCAG 2.2.1) and keep what was typed if the session does end."""
    return rx.el.div(
        id="session-timeout",
        hidden=True,
        custom_attrs={"data-idle-minutes": str(get_settings().session_idle_minutes)},
    )


def page_shell(*children: rx.Component, navigation: tuple[rx.Component, ...] | None = None) -> rx.Component:
    """Wrap page content in the skip link, header, main landmark and footer."""
    signed_in = navigation is not None  # every signed-in page passes its own navigation
    if navigation is None:
        navigation = (nav_item("Sign in", routes.SIGN_IN), nav_item("Create an account", routes.REGISTER))
    return rx.fragment(
        skip_link(),
        header(*navigation),
        connection_notice(),
        maintenance_banner(),
        rx.el.div(
            rx.el.main(*children, id=MAIN_ID, class_name="main", tab_index=-1),
            class_name="width-container",
        ),
        footer(),
        session_timeout_marker() if signed_in else rx.fragment(),
    )
