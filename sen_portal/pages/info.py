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
            "This service is partially compliant with the Web Content Accessibility Guidelines (WCAG) "
            "version 2.2 AA standard, because of the problems listed below."
        ),
        heading("How we tested this service", level=2, size="m"),
        paragraph(
            "Every page that our automated browser journeys visit is checked with the axe-core tool at desktop "
            "width, at 320 CSS pixels wide (the same as 400% zoom) and with the device set to dark mode. The "
            "journeys also check that no page scrolls sideways at 320 pixels, that focus moves to the new page's "
            "heading or to the list of errors, that the links in an error list take you to the right question, "
            "that nothing you type is lost on a slow connection, and that you are warned 2 minutes before you "
            "would be signed out for being inactive."
        ),
        heading("Content that is not accessible", level=2, size="m"),
        rx.el.ul(
            rx.el.li(
                "The service has not yet been tested by disabled people or with screen readers such as JAWS, "
                "NVDA and VoiceOver; our checks are automated and by keyboard."
            ),
            rx.el.li(
                "In the request form, questions that suggest answers as you type use the browser's own list, "
                "which some screen readers announce poorly. Registration already uses an accessible list."
            ),
            rx.el.li("Wide tables on staff pages scroll sideways inside the table on small screens."),
            class_name="list",
        ),
        paragraph("We plan to fix these problems; this statement will be updated as we do."),
        heading("Reporting accessibility problems with this service", level=2, size="m"),
        paragraph(
            "If you find a problem that is not listed here, or you need information in a different format, ",
            rx.el.a("contact the SEN team", href=routes.CONTACT),
            ".",
        ),
        heading("Enforcement procedure", level=2, size="m"),
        paragraph(
            "The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector Bodies "
            "(Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018. If you are not happy with "
            "how we respond to your complaint, contact the Equality Advisory and Support Service (EASS)."
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
