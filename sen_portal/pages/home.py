"""Home page: what the portal is for, and the two ways in."""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.layout import page_shell
from sen_portal.components.text import button_link, heading, paragraph
from sen_portal.config import get_settings


def home_page() -> rx.Component:
    settings = get_settings()
    return page_shell(
        heading(settings.service_name, size="xl"),
        paragraph(
            f"Use this service to ask {settings.council_name} to carry out an Education, Health and Care (EHC) "
            "needs assessment for a child or young person, and to keep in touch with the Special Educational "
            "Needs (SEN) team about it.",
            lead=True,
        ),
        paragraph("This service is for professionals who work with children and young people, such as:"),
        rx.el.ul(
            rx.el.li("special educational needs co-ordinators (SENCOs) and headteachers"),
            rx.el.li("health professionals, such as health visitors, therapists and paediatricians"),
            rx.el.li("social workers and early help staff"),
            rx.el.li("educational psychologists"),
            class_name="list",
        ),
        heading("Before you start", level=2, size="m"),
        paragraph(
            "You need an email address you always have access to. We send a verification code to it every time "
            "you sign in, and an email when the SEN team sends you a portal message."
        ),
        paragraph(
            "Have the child's details and the documents for the request ready: the two most recent reviewed SEN "
            "support plans, the latest progress or attainment data, any specialist reports and the signed "
            "consent form."
        ),
        button_link("Create an account", routes.REGISTER),
        button_link("Sign in", routes.SIGN_IN, secondary=True),
        heading("Parents and carers", level=2, size="m"),
        paragraph(
            "If you are a parent or carer, you can ask for an assessment yourself by contacting the SEN team. "
            "You do not need to use this portal."
        ),
    )
