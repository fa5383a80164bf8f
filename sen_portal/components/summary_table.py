"""A referral's answers as a GOV.UK summary list (rows from forms.summary.summary_rows).

Shared by the professional's check / read-back pages and the staff referral page, so a
referral reads the same to both. ``change_href`` adds a "Change" link per row (drafts only).
"""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

Row = rx.Var


def _row(item: Row, change_href: Callable[[Row], rx.Var] | None) -> rx.Component:
    return rx.el.tr(
        rx.el.th(rx.cond(item["group_label"] != "", item["group_label"] + ": ", ""), item["label"], scope="row"),
        rx.el.td(item["value"], style={"white-space": "pre-line"}),
        rx.el.td(
            rx.el.a(
                "Change",
                # Names the question and its section: "Change Organisation in About you".
                rx.el.span(" " + item["label"] + " in " + item["section_title"], class_name="visually-hidden"),
                href=change_href(item),
            )
        )
        if change_href is not None
        else rx.fragment(),
    )


def summary_table(rows: rx.Var, change_href: Callable[[Row], rx.Var] | None = None) -> rx.Component:
    return rx.el.table(rx.el.tbody(rx.foreach(rows, lambda item: _row(item, change_href))), class_name="summary-list")


def summary_cards(rows: rx.Var, sections: rx.Var, change_href: Callable[[Row], rx.Var]) -> rx.Component:
    """GOV.UK check your answers: one summary card per section, its heading then its rows."""

    def card(section: rx.Var) -> rx.Component:
        return rx.el.div(
            rx.el.div(rx.el.h2(section["title"], class_name="summary-card-title"), class_name="summary-card-header"),
            rx.el.table(
                rx.el.tbody(
                    rx.foreach(
                        rows,
                        lambda item: rx.cond(item["section_key"] == section["key"], _row(item, change_href)),
                    )
                ),
                class_name="summary-list",
            ),
            class_name="summary-card",
        )

    return rx.foreach(sections, card)
