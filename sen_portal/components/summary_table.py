"""A referral's answers as a GOV.UK summary list (rows from forms.summary.summary_rows).

Shared by the professional's check / read-back pages and the staff referral page, so a
referral reads the same to both. ``change_href`` adds a "Change" link per row (drafts only).
"""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

Row = rx.Var


def summary_table(rows: rx.Var, change_href: Callable[[Row], rx.Var] | None = None) -> rx.Component:
    def row(item: Row) -> rx.Component:
        return rx.el.tr(
            rx.el.th(rx.cond(item["group_label"] != "", item["group_label"] + ": ", ""), item["label"], scope="row"),
            rx.el.td(item["value"], style={"white-space": "pre-line"}),
            rx.el.td(
                rx.el.a("Change", rx.el.span(" " + item["label"], class_name="visually-hidden"), href=change_href(item))
            )
            if change_href is not None
            else rx.fragment(),
        )

    return rx.el.table(rx.el.tbody(rx.foreach(rows, row)), class_name="summary-list")
