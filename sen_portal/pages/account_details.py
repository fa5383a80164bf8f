"""/account/details: the same personal and work fields as registration, filled with what is saved."""

from __future__ import annotations

import reflex as rx

from sen_portal import routes
from sen_portal.components.details_fields import personal_details_fields, work_details_fields
from sen_portal.components.error_summary import error_summary
from sen_portal.components.layout import back_link
from sen_portal.components.post_form import post_form
from sen_portal.components.text import heading, paragraph
from sen_portal.pages.account import signed_in_page
from sen_portal.state.account_details import AccountDetailsState as S


def account_details_page() -> rx.Component:
    return signed_in_page(
        back_link(routes.ACCOUNT),
        error_summary(S.error_items),
        heading("Change your details"),
        post_form(
            heading("Personal details", level=2, size="m"),
            personal_details_fields(S),
            rx.cond(
                S.is_professional,
                rx.fragment(heading("Work details", level=2, size="m"), work_details_fields(S)),
            ),
            rx.el.button("Save changes", type="submit", class_name="button"),
            on_submit=S.save,
            prevent_default=True,
            no_validate=True,
        ),
        paragraph(rx.el.a("Cancel and go back to account settings", href=routes.ACCOUNT)),
        loaded=S.loaded,
    )
