"""The error summary at the top of a page, linking to each field in error.

It has ``role="alert"`` so screen readers announce it as soon as it appears,
and pages move focus to it (``ERROR_SUMMARY_ID``) after a failed submit.
"""

from __future__ import annotations

import reflex as rx

from sen_portal.components.links import in_page_link
from sen_portal.state.form_errors import ERROR_SUMMARY_ID  # the state moves focus to it


def _item(item: rx.Var) -> rx.Component:
    # A field on this page is a plain #anchor; an item with "href" is on another page.
    return rx.el.li(
        rx.cond(
            item["href"],
            rx.el.a(item["message"], href=item["href"].to(str)),
            in_page_link(item["message"], target=item["field"].to(str)),
        )
    )


def error_summary(items: rx.Var) -> rx.Component:
    """``items``: a list of ``{"field": name, "message": text}`` (and ``"href"`` for another page)."""
    return rx.cond(
        items.length() > 0,  # type: ignore[attr-defined]
        rx.el.div(
            rx.el.h2("There is a problem", class_name="error-summary-title", id="error-summary-title"),
            rx.el.ul(
                rx.foreach(
                    items,
                    _item,
                ),
                class_name="error-summary-list",
            ),
            id=ERROR_SUMMARY_ID,
            class_name="error-summary",
            role="alert",
            aria_labelledby="error-summary-title",
            tab_index=-1,
        ),
    )
