"""Static information pages: not found, accessibility, privacy, contact."""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.layout import page_shell
from sen_portal.components.text import heading, paragraph
from sen_portal.config import get_settings


def not_found_page() -> rx.Component:
    return page_shell(
        heading("Page not found"),
        paragraph("If you typed the web address, check it is correct."),
        paragraph("If you pasted the web address, check you copied the entire address."),
        paragraph(
            "If the web address is correct or you selected a link or button, ",
            rx.el.a("contact the SEN team", href=routes.CONTACT),
            " if you need help.",
        ),
        paragraph(rx.el.a("Go to the portal home page", href=routes.HOME)),
    )


def accessibility_page() -> rx.Component:
    settings = get_settings()
    return page_shell(
        heading(f"Accessibility statement for the {settings.service_name}"),
        paragraph(
            f"This service is run by {settings.council_name}. We want as many people as possible to be able "
            "to use it. You should be able to:"
        ),
        rx.el.ul(
            rx.el.li("change colours, contrast levels and fonts using your browser or device settings"),
            rx.el.li("zoom in up to 400% without the text spilling off the screen"),
            rx.el.li("navigate the whole service using just a keyboard"),
            rx.el.li("navigate most of the service using speech recognition software"),
            rx.el.li("listen to the service using a screen reader"),
            class_name="list",
        ),
        heading("Compliance status", level=2, size="m"),
        paragraph(
            "This service aims to meet the Web Content Accessibility Guidelines (WCAG) version 2.2 AA standard. "
            "Every page is checked automatically with axe-core when the service is tested."
        ),
        heading("Reporting accessibility problems", level=2, size="m"),
        paragraph(
            "If you find a problem that is not listed here, or you need information in a different format, ",
            rx.el.a("contact the SEN team", href=routes.CONTACT),
            ".",
        ),
    )


def privacy_page() -> rx.Component:
    settings = get_settings()
    return page_shell(
        heading("Privacy notice"),
        paragraph(
            f"{settings.council_name} is the data controller for the information you give in this service. "
            "We use it to consider and carry out Education, Health and Care needs assessments under the "
            "Children and Families Act 2014."
        ),
        paragraph(
            "We keep your account details while your account is open. Emails we send you never contain a "
            "child's details: you sign in to read them."
        ),
    )


def contact_page() -> rx.Component:
    settings = get_settings()
    return page_shell(
        heading("Contact the SEN team"),
        paragraph(f"The Special Educational Needs team at {settings.council_name}."),
        paragraph("Phone: 01782 000000 (Monday to Friday, 9am to 5pm)"),
        paragraph("If you already have an account, the quickest way to reach us is a portal message."),
    )
